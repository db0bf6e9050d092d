"""The integrity check moved off every open (issue 16): opening a damaged page still works, the check names it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop.storage.db import DB_NAME, check_integrity, open_db


def _damaged(data_dir: Path) -> Path:
    """A real desk database whose `big` table's pages are overwritten in the middle (header and schema intact)."""
    db = open_db(data_dir)
    db.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT")
    with db.atomic():
        db.conn.executemany("INSERT INTO big (text) VALUES (?)", [("帮代办" * 40,) for _ in range(3000)])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    path = data_dir / DB_NAME
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2 // 4096 * 4096
    raw[middle:middle + 8192] = b"\xff\x00\x13" * (8192 // 3) + b"\xff\x00"
    path.write_bytes(bytes(raw))
    return path


def test_a_whole_database_passes(data_dir):
    db = open_db(data_dir)
    try:
        assert check_integrity(db) is None
        assert check_integrity(db, full=True) is None
    finally:
        db.close()


def test_open_does_not_read_every_page_but_the_check_names_the_damage(data_dir):
    _damaged(data_dir)
    db = open_db(data_dir)  # what every command and background pass pays: no full read
    try:
        problem = check_integrity(db)
    finally:
        db.close()
    assert problem is not None and "完整性检查失败" in problem and "备份" in problem


def test_db_check_command_exits_1_with_one_chinese_line(data_dir):
    _damaged(data_dir)
    proc = subprocess.run([sys.executable, "-m", "desktop", "db", "check", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "完整性检查失败" in proc.stdout
