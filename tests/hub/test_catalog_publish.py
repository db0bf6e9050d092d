"""Issue 22, done when: a real hub publishes a county catalog (a 21st service, service 3's limit changed); a desk
syncs, switches at the effective date, opens a case of the new service through the wizard, and an old case's
reprinted receipt still shows the old limit; a tampered catalog is refused and the desk keeps what it has."""

from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.domain.case import Case
from desktop.forms import printing
from desktop.intake import demo
from desktop.protocol import catalogsign
from desktop.storage import catalogs, settings
from desktop.storage.store import Store
from desktop.sync import catalogs as synccatalogs
from desktop.sync.engine import SyncEngine, connect
from desktop.ui.wizard.wizard import CaseWizard
from tests.countycatalog import NEW_NOTE, OLD_NOTE, county_catalog
from tests.forms.conftest import pypdf_text, squeeze
from tests.hub.servers import HubProcess
from tests.ui.test_wizard import drive_to_review

TODAY = dt.date.today()
EFFECTIVE = TODAY + dt.timedelta(days=3)


@pytest.fixture
def hub(tmp_path, hub_db_url):
    proc = HubProcess(tmp_path / "hub", db_url=hub_db_url).start()  # SQLite and PostgreSQL (conftest.py)
    yield proc
    proc.stop()


def open_store(data_dir: Path, today: dt.date) -> Store:
    store = Store.open(data_dir, today=today)
    for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", "演示县政务服务中心")):
        settings.set_value(store.db, key, value)
    return store


def enrolled_desk(hub: HubProcess, data_dir: Path) -> Store:
    added = hub.hub_cli("device", "add", "W03", "--office", "演示县政务服务中心")
    assert added.returncode == 0, added.stderr
    store = open_store(data_dir, TODAY)
    connect(store, hub.url, added.stdout.split("登记码：")[1].split("（")[0])
    return store


def accepted(store: Store, number: int, seed: int) -> Case:
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), TODAY)
    demo.receive_all(service, case)
    store.save_draft(case)
    return store.accept(case, actor="lixiaolan")


def receipt_text(store: Store, number: str) -> str:
    job = printing.prepare(store, number, "receipt")
    printing.record(store, job, actor="lixiaolan")
    return squeeze(pypdf_text(job.pdf))


def publish(hub: HubProcess, path: Path, *extra: str):
    return hub.hub_cli("catalog", "publish", str(path), "--note", "县级自增老年人优待证；残疾人证时限缩短",
                       "--effective", EFFECTIVE.isoformat(), *extra)


def test_a_published_catalog_is_used_from_its_date_and_old_cases_keep_theirs(tmp_path, hub, qtbot):
    keygen = hub.hub_cli("catalog", "keygen")
    assert keygen.returncode == 0 and "公钥" in keygen.stdout, keygen.stderr
    data = tmp_path / "desk"
    store = enrolled_desk(hub, data)
    bundled = store.catalog
    old = accepted(store, 3, seed=3)
    assert old.catalog_version == "2026.1" and old.catalog_hash == bundled.hash
    first = receipt_text(store, old.number)
    assert "30个工作日" in first and squeeze(OLD_NOTE) in first
    draft = Case(service=1)
    store.save_draft(draft)  # a wizard left open across the switch

    published = publish(hub, county_catalog(tmp_path))
    assert published.returncode == 0 and "2026.2-县1" in published.stdout, published.stderr
    report = SyncEngine(store).sync_now()
    assert report.ok and report.catalogs_received == 1 and not report.errors
    assert SyncEngine(store).sync_now().catalogs_received == 0  # only the list again, the file once
    store.close()

    before = open_store(data, EFFECTIVE - dt.timedelta(days=1))  # a start before the effective date
    assert before.catalog.hash == bundled.hash and 101 not in before.catalog.services
    before.close()
    store = open_store(data, EFFECTIVE)  # the first start on the effective date
    assert store.catalog.version == "2026.2-县1" and 101 in store.catalog.services
    assert (data / "catalogs" / f"{store.catalog.hash}.sqlite").exists()

    new_case = demo.eligible_case(store.catalog.service(101), store.catalog, random.Random(101), TODAY)
    demo.receive_all(store.catalog.service(101), new_case)
    wizard = CaseWizard(store, Case(service=101))
    wizard.resize(1366, 768)
    wizard.show()
    assert not wizard.catalog_note.isVisible()
    drive_to_review(qtbot, wizard, new_case)
    with qtbot.waitSignal(wizard.accepted) as blocker:
        qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    made = store.load(blocker.args[0])
    assert made.state == "accepted" and made.catalog_version == "2026.2-县1"
    assert made.items[0].working_days == 5
    wizard.close()

    reprint = printing.prepare(store, old.number, "receipt")
    text = squeeze(pypdf_text(reprint.pdf))
    assert reprint.reprint and "补打" in text and "30个工作日" in text and squeeze(OLD_NOTE) in text and squeeze(NEW_NOTE) not in text
    assert "20个工作日" in receipt_text(store, accepted(store, 3, seed=4).number)  # a new case: the new limit

    resumed = CaseWizard(store, store.load(draft.uuid))  # the draft keeps its version and says so
    resumed.show()
    assert resumed.ctx.catalog.hash == bundled.hash
    assert resumed.catalog_note.isVisible() and "现行目录已更新为 2026.2-县1" in resumed.catalog_note.text()
    resumed.close()
    store.close()


def _hub_rows(hub: HubProcess, sql: str, params=()) -> None:
    """Someone with write access to the hub's database changes its rows (SQLite or PostgreSQL)."""
    from sqlalchemy import create_engine, text

    from hub.config import normalize_url

    names = [f"p{i}" for i in range(len(params))]
    for name in names:
        sql = sql.replace("?", f":{name}", 1)
    engine = create_engine(normalize_url(hub.db_url))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), dict(zip(names, params, strict=True)))
    finally:
        engine.dispose()


def test_a_tampered_or_foreign_catalog_is_refused_and_the_desk_keeps_its_own(tmp_path, hub, caplog):
    caplog.set_level(logging.WARNING, logger="desktop.storage.catalogs")
    assert hub.hub_cli("catalog", "keygen").returncode == 0
    data = tmp_path / "desk"
    store = enrolled_desk(hub, data)
    bundled = store.catalog
    county = county_catalog(tmp_path)
    assert publish(hub, county).returncode == 0
    content = bytearray(county.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one byte of the file
    _hub_rows(hub, "UPDATE catalogs SET content = ?", [bytes(content)])
    report = SyncEngine(store).sync_now()
    assert report.catalogs_received == 0 and report.errors == [
        "收到的目录 2026.2-县1 文件与签名所记不符（被改动或传输出错），已拒收"]
    assert SyncEngine(store).sync_now().errors == []  # refused once, not fetched again

    _hub_rows(hub, "UPDATE catalogs SET effective = '2020-01-01'")  # an earlier date, not signed
    _hub_rows(hub, "UPDATE catalogs SET hash = ?", ["f" * 64])  # seen as another catalog, same signature
    report = SyncEngine(store).sync_now()
    assert any("签名与本机登记的县级公钥不符" in e for e in report.errors)

    foreign = _foreign_key(tmp_path)  # a whole catalog signed with a key the desk never pinned
    second = county_catalog(tmp_path / "second", version="2026.3-外")
    meta = catalogsign.describe(second.read_bytes()) | {"effective": TODAY.isoformat(), "note": "伪造"}
    meta["signature"] = catalogsign.sign(foreign, meta)
    _hub_rows(hub, "INSERT INTO catalogs (hash, version, sha256, size, effective, note, signature, content,"
                   " published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01')",
              [meta[k] for k in ("hash", "version", "sha256", "size", "effective", "note", "signature")]
              + [second.read_bytes()])
    report = SyncEngine(store).sync_now()
    assert report.errors == ["目录 2026.3-外 的签名与本机登记的县级公钥不符，已拒收"]
    assert [r["hash"] for r in catalogs.rows(store.db)] == [bundled.hash]
    assert store.db.execute("SELECT count(*) FROM catalog_refusals").fetchone()[0] == 3
    store.close()
    again = open_store(data, EFFECTIVE)
    assert again.catalog.hash == bundled.hash and 101 not in again.catalog.services
    again.close()
    assert [r.getMessage()[:16] for r in caplog.records].count("catalog refused ") == 3


def _foreign_key(tmp_path: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())


def test_publish_refuses_a_key_that_is_not_the_hubs(tmp_path, hub):
    assert hub.hub_cli("catalog", "keygen").returncode == 0
    stranger = tmp_path / "stranger.key"
    made = hub.hub_cli("catalog", "keygen", "--key", str(stranger))
    assert made.returncode == 0, made.stderr
    refused = publish(hub, county_catalog(tmp_path), "--key", str(stranger))
    assert refused.returncode == 1 and "不是本服务器的目录签名私钥" in refused.stderr
    assert hub.hub_cli("catalog", "keygen").returncode == 1  # never over the pinned pair


def test_a_desk_enrolled_before_the_key_existed_takes_no_catalog_until_it_enrolls_again(tmp_path, hub):
    data = tmp_path / "desk"
    store = enrolled_desk(hub, data)  # the hub has no key yet: nothing pinned
    assert hub.hub_cli("catalog", "keygen").returncode == 0
    assert publish(hub, county_catalog(tmp_path)).returncode == 0
    report = SyncEngine(store).sync_now()
    assert report.catalogs_received == 0 and report.errors == [synccatalogs.NO_KEY]
    assert store.db.execute("SELECT count(*) FROM catalog_refusals").fetchone()[0] == 0  # not held against it
    again = hub.hub_cli("device", "add", "W03-2", "--office", "演示县政务服务中心")
    connect(store, hub.url, again.stdout.split("登记码：")[1].split("（")[0])
    assert SyncEngine(store).sync_now().catalogs_received == 1
    store.close()
