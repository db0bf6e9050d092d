"""`handover check` from the device's own records: nothing passes until the hub has confirmed it all and a
backup follows the last change."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from desktop.intake import demo
from desktop.storage import audit, settings
from desktop.sync import handover, state as syncstate
from desktop.sync.audit import CURSOR


def verdicts(store) -> dict[str, bool]:
    return {c["key"]: c["ok"] for c in handover.check(store.db)}


def test_a_device_is_ready_only_when_the_hub_confirmed_everything_and_a_backup_is_newer(store):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(3), dt.date(2026, 11, 27))
    demo.receive_all(service, case)
    store.accept(case, actor="lixiaolan")
    assert verdicts(store) == {"hub": False, "cases": False, "scans": True, "audit": False, "backup": False}
    settings.set_value(store.db, "hub_url", "https://hub.example")
    syncstate.put(store.db, token="t")
    store.db.execute("UPDATE outbox SET state = 'acked'")
    audit.append(store.db, "admin", "backup.create", detail={"file": "b.zip", "cases": 1})
    syncstate.put(store.db, **{CURSOR: store.db.execute("SELECT max(id) FROM audit").fetchone()[0]})
    checks = handover.check(store.db)
    assert handover.ready(checks), checks
    audit.append(store.db, "lixiaolan", "case.print", case_uuid=case.uuid)  # a change after the backup
    assert verdicts(store) == {"hub": True, "cases": True, "scans": True, "audit": False, "backup": False}


ADMIN_PW = "adminpass1"


def cli(*args: str, data_dir, ok: bool = True):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DESK_PASSWORD=ADMIN_PW)
    proc = subprocess.run([sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir), "--user", "admin"],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8")
    assert "Traceback" not in proc.stderr
    assert (proc.returncode == 0) == ok, proc.stderr
    return proc


def accept_one(store, seed: int) -> None:
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), dt.date(2026, 11, 27))
    demo.receive_all(service, case)
    store.accept(case, actor="admin")


def ready_device(store, data_dir, hub, tmp_path):
    """An encrypted, enrolled desk with a case and a scan synced, its audit trail at the hub and a backup."""
    from desktop.accounts.staff import Accounts
    from desktop.storage import crypto, encrypt
    from desktop.storage.store import Store
    from desktop.sync import engine as sync
    from hub import devices

    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    catalog = store.catalog
    store.close()
    encrypt.convert(data_dir, "admin", ADMIN_PW)
    store = Store.open(data_dir, catalog)
    sync.connect(store, hub.url, devices.add(hub.engine, "W03", "演示县政务服务中心", 1))
    accept_one(store, 3)
    assert sync.SyncEngine(store).sync_now().ok
    store.close()
    cli("backup", "create", "--out", str(tmp_path / "备份.zip"), data_dir=data_dir)
    crypto.forget(data_dir)


def hub_actions(hub) -> list[str]:
    from sqlalchemy import select

    from hub.db import audit_entries

    with hub.engine.connect() as conn:
        return [r.action for r in conn.execute(select(audit_entries.c.action).order_by(audit_entries.c.entry_id))]


def test_wipe_is_refused_until_ready_then_recorded_at_the_hub_before_the_keys_and_data_dir_go(
        store, data_dir, hub, tmp_path):
    from desktop.storage import crypto
    from desktop.storage.store import Store

    ready_device(store, data_dir, hub, tmp_path)
    crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    store = Store.open(data_dir)
    accept_one(store, 4)  # a case after the backup: not ready
    store.close()
    crypto.forget(data_dir)
    refused = cli("handover", "wipe", "--yes", data_dir=data_dir, ok=False)
    assert "不能清除本机数据" in refused.stderr and "重新备份" in refused.stderr
    assert (data_dir / "keys.json").is_file()
    cli("backup", "create", "--out", str(tmp_path / "备份.zip"), data_dir=data_dir)
    asked = cli("handover", "wipe", data_dir=data_dir, ok=False)  # no terminal to type the window code into
    assert "--yes" in asked.stderr and (data_dir / "desk.sqlite").is_file()
    keys = (data_dir / "keys.json").read_bytes()
    done = cli("handover", "wipe", "--yes", data_dir=data_dir)
    assert "已清除本机数据" in done.stdout and not data_dir.exists()
    assert hub_actions(hub)[-1] == "handover.wipe"
    assert keys  # the key file existed; the backup still opens with the office's password
    restored = tmp_path / "新设备"
    cli("backup", "restore", str(tmp_path / "备份.zip"), data_dir=restored)
    assert "admin" in cli("user", "list", data_dir=restored).stdout


def test_wipe_is_refused_when_the_hub_cannot_be_reached_and_nothing_is_erased(store, data_dir, hub, tmp_path):
    from desktop.storage import crypto, settings
    from desktop.storage.db import open_db

    ready_device(store, data_dir, hub, tmp_path)
    crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    db = open_db(data_dir)
    settings.set_value(db, "hub_url", "http://127.0.0.1:9")  # nothing listens on the discard port
    db.close()
    crypto.forget(data_dir)
    refused = cli("handover", "wipe", "--yes", data_dir=data_dir, ok=False)
    assert refused.stderr.splitlines() == ["错误：不能清除本机数据：还有 3 条审计记录未送达服务器。请先处理后再运行 handover check"]
    assert (data_dir / "keys.json").is_file() and (data_dir / "desk.sqlite").is_file()
    assert "admin" in cli("user", "list", data_dir=data_dir).stdout  # still opens


def test_the_wipe_waits_for_the_hub_to_acknowledge_its_own_record(store, data_dir, hub, tmp_path):
    """The checks pass, then the hub goes away before the wipe's entry reaches it: nothing is erased."""
    from desktop.domain.errors import DeskError
    from desktop.storage import crypto
    from desktop.storage.store import Store
    from desktop.sync.engine import SyncEngine

    ready_device(store, data_dir, hub, tmp_path)
    crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    store = Store.open(data_dir)
    engine = SyncEngine(store)
    real, passes = engine.sync_now, []

    def hub_gone_after_the_first_pass():
        if passes:
            settings.set_value(store.db, "hub_url", "http://127.0.0.1:9")  # nothing listens on the discard port
        passes.append(1)
        return real()

    engine.sync_now = hub_gone_after_the_first_pass
    with pytest.raises(DeskError, match="清除记录未能送达县级服务器.*本机数据未清除"):
        handover.wipe(engine, "admin")
    assert len(passes) == 2 and (data_dir / "keys.json").is_file()
    assert store.db.execute("SELECT action FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0] == "handover.wipe"
    assert hub_actions(hub)[-1] != "handover.wipe"
    store.close()


def test_check_prints_the_handover_paper_with_the_hub_counts_the_audit_head_and_the_last_backup(
        store, data_dir, hub, tmp_path):
    import os
    import subprocess

    ready_device(store, data_dir, hub, tmp_path)
    paper = tmp_path / "设备移交单.pdf"
    done = cli("handover", "check", "--out", str(paper), data_dir=data_dir)
    assert "可以移交" in done.stdout and "设备移交单已写到" in done.stdout
    text = subprocess.run(["pdftotext", "-layout", str(paper), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for expected in ("演示县政务服务中心", "设备移交单", "W03", hub.url, "服务器已收案件 1 件", "备份.zip", "已校验",
                     "审计记录已送达 通过", "已有最新备份 通过", "可以移交", "移交人签字", "接收人签字",
                     "监交人（负责人）签字", "（单位印章）"):
        assert expected in flat, expected
    assert "未通过" not in flat
    if os.environ.get("DESK_TEST_PNG_DIR"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(paper), str(os.path.join(os.environ["DESK_TEST_PNG_DIR"],
                                                                                      "handover"))], check=True)
