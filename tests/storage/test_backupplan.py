"""The scheduled backup: when it is due, into the chosen folder, verified, old ones pruned, a missing folder in
one Chinese sentence, a killed run leaving nothing named as a backup."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from desktop.accounts.staff import Accounts
from desktop.domain.errors import StoreError
from desktop.storage import backup, backupplan, crypto, encrypt, settings
from desktop.storage.db import open_db
from tests.storage.test_encryption import ADMIN_PW, accept_canary

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _locked_after():
    yield
    crypto._unlocked.clear()


@pytest.fixture
def encrypted_db(store, data_dir: Path):
    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    accept_canary(store, 3)
    store.close()
    encrypt.convert(data_dir, "admin", ADMIN_PW)
    db = open_db(data_dir)
    yield db
    db.close()


def test_due_daily_from_the_set_time_once_a_day_or_every_n_hours():
    daily = {"backup_folder": "E:/备份", "backup_schedule": "daily", "backup_time": "17:30", "backup_hours": "4"}
    made = {"at": at(1, 17, 45).isoformat()}
    assert not backupplan.due(daily, None, at(1, 17, 29))
    assert backupplan.due(daily, None, at(1, 17, 30))
    assert not backupplan.due(daily, made, at(1, 23, 0))
    assert not backupplan.due(daily, made, at(2, 9, 0))
    assert backupplan.due(daily, made, at(2, 18, 0))  # the desk opened the next evening: one is due
    hours = {**daily, "backup_schedule": "hours"}
    assert backupplan.due(hours, None, at(1, 9)) and not backupplan.due(hours, made, at(1, 21, 44))
    assert backupplan.due(hours, made, at(1, 21, 45))
    assert not backupplan.due({**daily, "backup_folder": ""}, None, at(1, 18))


def test_a_scheduled_backup_is_written_verified_recorded_and_old_ones_pruned(encrypted_db, data_dir, tmp_path):
    usb = tmp_path / "U盘" / "工作台备份"
    usb.mkdir(parents=True)
    other = usb / "工作台备份-L12-20261201-090000.zip"  # another device's backup is never pruned
    other.write_bytes(b"x")
    for key, value in (("backup_folder", str(usb)), ("backup_keep", "2"), ("window_code", "W03")):
        settings.set_value(encrypted_db, key, value)
    for hour in (9, 13, 17):
        seen: list[int] = []
        result = backupplan.run(encrypted_db, data_dir, "admin", seen.append, now=at(1, hour))
        assert seen == sorted(seen) and seen[0] < 50 and seen[-1] == 100
    assert sorted(p.name for p in usb.iterdir()) == [other.name, "工作台备份-W03-20261201-130000.zip",
                                                     "工作台备份-W03-20261201-170000.zip"]
    assert result["removed"] == ["工作台备份-W03-20261201-090000.zip"] and result["verified"]
    assert backup.verify(Path(result["path"]))["cases"] == 1
    made = backupplan.last(encrypted_db)
    assert made["file"] == "工作台备份-W03-20261201-170000.zip" and made["scheduled"]
    assert backupplan.last_failure(encrypted_db) is None


def test_a_missing_or_unusable_folder_is_one_sentence_recorded_and_nothing_is_written(encrypted_db, data_dir,
                                                                                      tmp_path):
    settings.set_value(encrypted_db, "backup_folder", str(tmp_path / "未插入的U盘"))
    with pytest.raises(StoreError, match=r"^备份文件夹不存在（U盘是否已插入？）：.*未插入的U盘$"):
        backupplan.run(encrypted_db, data_dir, "admin", now=at(1, 18))
    failed = backupplan.last_failure(encrypted_db)
    assert failed is not None and "未插入的U盘" in failed["reason"] and backupplan.last(encrypted_db) is None
    a_file = tmp_path / "一个文件"
    a_file.write_bytes(b"")
    settings.set_value(encrypted_db, "backup_folder", str(a_file))
    with pytest.raises(StoreError, match="备份文件夹不存在"):
        backupplan.run(encrypted_db, data_dir, "admin", now=at(1, 18))


def test_a_stale_temp_file_of_a_killed_backup_is_removed_by_the_next_run(encrypted_db, data_dir, tmp_path):
    usb = tmp_path / "U盘"
    usb.mkdir()
    settings.set_value(encrypted_db, "backup_folder", str(usb))
    stale, fresh = usb / f"{backup.TEMP_PREFIX}dead.zip", usb / f"{backup.TEMP_PREFIX}running.zip"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    two_hours_ago = (at(1, 16)).timestamp()
    os.utime(stale, (two_hours_ago, two_hours_ago))
    os.utime(fresh, (at(1, 17, 50).timestamp(),) * 2)
    backupplan.run(encrypted_db, data_dir, "admin", now=at(1, 18))
    assert not stale.exists() and fresh.exists()
