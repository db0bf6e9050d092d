"""The hub-wide ledger end to end: two desks of one office sync to a real hub on loopback; the supervisor's
ledger covers both (and says so), with department statuses, this desk's unsent cases and the other's queue."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import subprocess
import sys

import httpx
import pytest
from pypdf import PdfReader

from desktop.domain import catalog as catalog_mod
from desktop.ledger import close as ledger_close, hub as ledger_hub, query as ledger
from desktop.storage import settings
from desktop.storage.store import Store
from desktop.sync import engine as sync, state as syncstate
from hub import cases as hub_cases, devices
from hub.config import HubConfig
from tests.hub.servers import HubProcess, ThreadedHub
from tests.ledgerdata import at

OFFICE = "演示县政务服务中心"
DAY = dt.date.today()


@pytest.fixture
def hub(tmp_path):
    config = HubConfig(data_dir=tmp_path / "hub", db_url=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    with ThreadedHub(config) as server:
        yield server


def desk(path, window: str, hub) -> Store:
    store = Store.open(path, catalog_mod.load())
    for key, value in (("county_code", "439901"), ("window_code", window), ("office", OFFICE)):
        settings.set_value(store.db, key, value)
    sync.connect(store, hub.url, devices.add(hub.engine, f"{window}-设备", OFFICE, 1))
    return store


def accept(store: Store, rng: random.Random, hour: int) -> str:
    from desktop.intake import demo

    service = store.catalog.service(rng.choice([3, 7, 13, 19]))
    case = demo.eligible_case(service, store.catalog, rng, DAY)
    demo.receive_all(service, case)
    return store.accept(case, actor="测试", now=at(DAY, hour, 0)).number


def test_the_ledger_covers_every_desk_of_the_office(tmp_path, hub):
    rng = random.Random(4)
    a, b = desk(tmp_path / "a", "W03", hub), desk(tmp_path / "b", "L12", hub)
    try:
        on_a = [accept(a, rng, 8), accept(a, rng, 9)]
        on_b = [accept(b, rng, 10), accept(b, rng, 11)]
        assert sync.SyncEngine(a).sync_now().ok and sync.SyncEngine(b).sync_now().ok
        hub_cases.set_status(hub.engine, on_b[0], "已办结", department="县残联")
        unsent_a, unsent_b = accept(a, rng, 12), accept(b, rng, 13)
        token_b = syncstate.get(b.db, "token")
        httpx.get(hub.url + "/v1/changes", headers={"Authorization": f"Bearer {token_b}", "X-Desk-Pending": "1"})

        result = ledger.query(a, ledger.Filters(DAY, DAY))
        assert result.source == "hub" and result.warning is None
        rows = {r.number: r for r in result.rows}
        assert set(rows) == {*on_a, unsent_a, *on_b} and unsent_b not in rows
        assert rows[on_b[0]].state == "completed" and rows[on_b[1]].state == "accepted"
        assert {rows[n].sync for n in (*on_a, *on_b)} == {"synced"} and rows[unsent_a].sync == "pending"
        assert {rows[n].window for n in on_b} == {"L12"} and rows[on_b[0]].device == "L12-设备"
        assert result.totals.unsynced == 1
        assert [(d["device"], d["pending_reported"]) for d in result.elsewhere_pending] == [("L12-设备", 1)]
        only_b = ledger.query(a, ledger.Filters(DAY, DAY, window="L12"))
        assert [r.number for r in only_b.rows] == on_b and only_b.source == "hub"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ledger.render_pdf(result))).pages)
        assert "全办理点" in text and all(n in text for n in rows) and re.search(r"L12-设备\s*1 件", text)
        local = ledger.query(a, ledger.Filters(DAY, DAY), hub="local")
        assert local.source == "local" and {r.number for r in local.rows} == {*on_a, unsent_a}
        closure = ledger_close.close_day(a, DAY, actor="zhangli", now=at(DAY, 23, 0))
        assert closure.source == "hub" and closure.case_count == 5
        hub_cases.set_status(hub.engine, on_b[1], "办理中", department="县民政局")  # another desk's case moves on
        changes = ledger_close.revisions(a, DAY).changes
        assert [(c.number, c.fields) for c in changes] == [(on_b[1], ("状态：已受理 → 办理中",))]
    finally:
        a.close()
        b.close()


def test_without_the_hub_the_ledger_is_this_desks_and_says_why(tmp_path, hub):
    rng = random.Random(5)
    a = desk(tmp_path / "a", "W03", hub)
    try:
        number = accept(a, rng, 9)
        settings.set_value(a.db, "hub_url", "http://127.0.0.1:9")  # nothing listens there
        result = ledger.query(a, ledger.Filters(DAY, DAY))
        assert result.source == "local" and [r.number for r in result.rows] == [number]
        assert "无法连接县级汇聚服务器" in result.warning and result.warning.endswith("以下仅为本机数据")
        with pytest.raises(ledger_hub.HubUnavailableError):
            ledger.query(a, ledger.Filters(DAY, DAY), hub="hub")
        with pytest.raises(ledger_hub.HubUnavailableError):  # a day close must cover every window of the office
            ledger_close.close_day(a, DAY, actor="zhangli", now=at(DAY, 23, 0))
        assert ledger_close.closures(a) == []
    finally:
        a.close()


def test_the_supervisor_prints_the_office_ledger_from_a_real_hub_process(tmp_path):
    server = HubProcess(tmp_path / "hub").start()
    try:
        added = server.hub_cli("device", "add", "W03-设备", "--office", OFFICE).stdout
        code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", added)[0]
        data = tmp_path / "desk"
        store = Store.open(data, catalog_mod.load())
        for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", OFFICE)):
            settings.set_value(store.db, key, value)
        number = accept(store, random.Random(6), 9)
        store.close()
        cli = [sys.executable, "-m", "desktop"]
        for args in (["hub", "connect", server.url, code], ["sync", "--once"]):
            proc = subprocess.run([*cli, *args, "--data-dir", str(data)], capture_output=True, text=True, encoding="utf-8", timeout=120)
            assert proc.returncode == 0, proc.stderr
        out = tmp_path / "台账.pdf"
        proc = subprocess.run([*cli, "ledger", "--from", DAY.isoformat(), "--out", str(out), "--data-dir", str(data)],
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "数据范围：全办理点" in proc.stdout and "未同步 0 件" in proc.stdout
        assert number in "".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    finally:
        server.stop()


def test_full_id_numbers_from_the_hub_need_the_supervisors_hub_credential(tmp_path, hub, monkeypatch):
    from hub import supervisors

    rng = random.Random(6)
    a, b = desk(tmp_path / "a", "W03", hub), desk(tmp_path / "b", "L12", hub)
    try:
        accept(a, rng, 9)
        theirs = accept(b, rng, 10)
        assert sync.SyncEngine(b).sync_now().ok
        full_b = b.load(b.rows()[0]["uuid"]).applicant.id_number
        monkeypatch.delenv(ledger_hub.ENV_SUPERVISOR, raising=False)
        refused = ledger.query(a, ledger.Filters(DAY, DAY), personal=True)
        assert refused.source == "local" and theirs not in {r.number for r in refused.rows}
        assert "负责人" in refused.warning and ledger_hub.ENV_SUPERVISOR in refused.warning
        secret = supervisors.add(hub.engine, "zhangli", OFFICE)
        monkeypatch.setenv(ledger_hub.ENV_SUPERVISOR, f"zhangli:{secret}")
        granted = ledger.query(a, ledger.Filters(DAY, DAY), personal=True)
        assert granted.source == "hub" and full_b in {r.id_number for r in granted.rows}
    finally:
        a.close()
        b.close()
