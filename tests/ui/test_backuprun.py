"""The scheduled backup in the desk: run in the background with progress, the result on the maintenance screen,
a missing USB disk said in words, and a desk killed mid-backup leaving no half file named as a backup."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.accounts.roles import Session
from desktop.accounts.staff import Accounts
from desktop.storage import backup, crypto, encrypt, settings
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store
from desktop.ui.backuprun import ScheduledBackup
from desktop.ui.maintenancedialog import MaintenanceDialog
from tests.storage.test_encryption import ADMIN_PW, accept_canary

ADMIN = Session("admin", "黄建华", "admin")
SHOTS = os.environ.get("DESK_TEST_PNG_DIR")


@pytest.fixture(autouse=True)
def _locked_after():
    yield
    crypto._unlocked.clear()


def encrypted(store: Store, data_dir: Path, usb: Path | None, **values: str) -> Store:
    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    accept_canary(store, 3)
    for key, value in {"backup_folder": str(usb or ""), "backup_schedule": "hours", **values}.items():
        settings.set_value(store.db, key, value)
    catalog = store.catalog
    store.close()
    encrypt.convert(data_dir, "admin", ADMIN_PW)
    return Store.open(data_dir, catalog)


def test_a_due_backup_runs_in_the_background_with_progress_and_a_missing_disk_is_said_once(
        qtbot, store, data_dir, tmp_path):
    usb = tmp_path / "U盘"
    usb.mkdir()
    store = encrypted(store, data_dir, usb)
    runner = ScheduledBackup(store, "admin")
    percents: list[int] = []
    runner.progressed.connect(percents.append)
    with qtbot.waitSignal(runner.finished, timeout=60_000) as done:
        runner.start()
    result, message = done.args
    assert message is None and result["verified"] and percents[0] == 0 and percents[-1] == 100
    assert backup.verify(Path(result["path"]))["cases"] == 1
    runner.check()
    assert not runner.running, "not due again for backup_hours"
    settings.set_value(store.db, "backup_folder", str(tmp_path / "拔掉的U盘"))
    with qtbot.waitSignal(runner.finished, timeout=60_000) as failed:
        assert runner.run_now()
    assert failed.args == [None, f"备份文件夹不存在（U盘是否已插入？）：{tmp_path / '拔掉的U盘'}"]
    settings.set_value(store.db, "backup_schedule", "daily")
    settings.set_value(store.db, "backup_time", "00:00")
    runner.check()
    assert not runner.running, "after a failure the next try waits (the same sentence not every minute)"
    runner.stop()
    store.close()


def test_the_maintenance_screen_saves_the_schedule_backs_up_now_and_shows_the_last_backup(
        qtbot, store, data_dir, tmp_path):
    usb = tmp_path / "U盘"
    usb.mkdir()
    store = encrypted(store, data_dir, None)
    runner = ScheduledBackup(store, "admin")
    dialog = MaintenanceDialog(store, ADMIN, Accounts(store.db), runner, db_check="数据库检查：正常（17:05）")
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    assert "尚无备份" in dialog.last.text()
    dialog.folder.setText(str(usb))
    dialog.time.setText("25:00")
    dialog.back_up_now()
    assert "每日备份时间" in dialog.error.text() and not runner.running
    assert settings.get(store.db, "backup_folder") == "", "a bad value saves none of the others"
    dialog.time.setText("18:00")
    dialog.keep.setValue(3)
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        dialog.back_up_now()
        assert dialog.progress.isVisible() or not runner.running
    assert "已校验" in dialog.last.text() and "工作台备份-W03-" in dialog.last.text()
    assert settings.get(store.db, "backup_keep") == "3" and settings.get(store.db, "backup_folder") == str(usb)
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "maintenance.png"))
    runner.stop()
    dialog.close()
    store.close()


def test_a_desk_killed_mid_backup_leaves_no_half_backup_and_the_next_run_succeeds(store, data_dir, tmp_path):
    usb = tmp_path / "U盘"
    usb.mkdir()
    blobs = BlobStore.of(data_dir)
    rng = random.Random(5)
    for _ in range(200):  # ≈40 MB of scans: the backup takes long enough to be caught writing
        blobs.put_bytes(rng.randbytes(200_000))
    encrypted(store, data_dir, usb).close()
    env = dict(os.environ, DESK_PASSWORD=ADMIN_PW, QT_QPA_PLATFORM="offscreen")
    desk = subprocess.Popen([sys.executable, "-m", "desktop", "--data-dir", str(data_dir), "--user", "admin"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180  # a desk that never starts its backup fails the test instead of hanging it
    try:
        while not any(p.name.endswith(".zip") for p in usb.glob(f"{backup.TEMP_PREFIX}*")) and desk.poll() is None:
            assert time.monotonic() < deadline, "the desk did not start the due backup"
            # no sleep: the backup's own temp file is the signal
        assert desk.poll() is None, desk.stderr.read().decode()
    finally:
        desk.kill()
        desk.wait()
        desk.stderr.close()
    assert not list(usb.glob("工作台备份-*.zip")), "killed while writing: nothing is named as a backup"
    crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    store = Store.open(data_dir)
    from desktop.storage import backupplan

    result = backupplan.run(store.db, data_dir, "admin")
    assert backup.verify(Path(result["path"]))["cases"] == 1
    assert [p.name for p in usb.glob("工作台备份-*.zip")] == [Path(result["path"]).name]
    store.close()


def test_the_maintenance_screen_prints_the_handover_paper(qtbot, store, data_dir):
    import io

    from pypdf import PdfReader

    store = encrypted(store, data_dir, None)
    runner = ScheduledBackup(store, "admin")
    dialog = MaintenanceDialog(store, ADMIN, Accounts(store.db), runner)
    qtbot.addWidget(dialog)
    dialog.handover_button.click()
    assert not dialog.handover_button.isEnabled()  # rendering on a worker
    qtbot.waitUntil(lambda: getattr(dialog, "paper", None) is not None, timeout=60_000)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(dialog.paper.pdf)).pages)
    assert "设备移交单" in text and "未通过" in text and "暂不能移交" in text  # not enrolled, no backup
    dialog.paper.close()
    runner.stop()
    dialog.close()
    store.close()
