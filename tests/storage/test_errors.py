"""Store errors are known errors: locked, full, I/O, read-only, damaged; a failed acceptance changes nothing."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from desktop.domain.errors import StoreError
from desktop.intake import demo
from desktop.storage.db import DB_NAME, known_error, open_db

NOW = dt.datetime(2026, 11, 27, 9, 30).astimezone()


def ready(store, number: int = 3, seed: int = 1):
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), NOW.date())
    demo.receive_all(service, case)
    return case


def counts(store) -> tuple[int, ...]:
    return tuple(store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("cases", "events", "outbox", "audit"))


def test_a_failed_acceptance_leaves_the_callers_draft_as_it_was(store):
    draft = ready(store)
    store.save_draft(draft)
    before, snapshot = counts(store), draft.to_dict()

    def refuse(*_args):
        raise StoreError("审计记录写入失败（测试）")

    store.audit = refuse
    with pytest.raises(StoreError, match="审计"):
        store.accept(draft, actor="lixiaolan", now=NOW)
    assert draft.to_dict() == snapshot and draft.state == "draft" and not draft.number
    assert counts(store) == before  # no number taken, no event, no outbox row
    draft.applicant.phone = "13800000000"
    store.save_draft(draft)  # later edits are kept, not lost under a phantom number
    assert store.load(draft.uuid).applicant.phone == "13800000000"
    assert store.load(draft.uuid).state == "draft"
    store.audit = None
    accepted = store.accept(draft, actor="lixiaolan", now=NOW)
    assert accepted is not draft and accepted.number.endswith("-0001") and draft.state == "draft"


def test_a_locked_database_says_retry(store):
    other = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store.db.execute("PRAGMA busy_timeout=50")
    try:
        with pytest.raises(StoreError, match="占用.*重试") as caught:
            store.save_draft(ready(store))
        assert caught.value.action == "重试"
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.db.execute("PRAGMA busy_timeout=5000")
    store.save_draft(ready(store))  # and works again once the other program lets go


def test_a_full_disk_says_clear_the_disk_and_commits_nothing(store):
    draft = ready(store)
    store.save_draft(draft)
    before = counts(store)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")  # the file may not grow: as a full disk
    cases = []
    with pytest.raises(StoreError, match="磁盘已满") as caught:
        for seed in range(200):
            cases.append(store.accept(ready(store, seed=seed + 10), now=NOW))
    assert caught.value.action == "清理磁盘"
    assert counts(store)[0] == before[0] + len(cases) * 1  # whole acceptances only, none half-written
    assert counts(store)[2] == before[2] + len(cases)


def test_a_read_only_database_says_call_the_administrator(store):
    store.db.execute("PRAGMA query_only=ON")  # root ignores file modes: SQLite's own read-only switch
    with pytest.raises(StoreError, match="只读") as caught:
        store.save_draft(ready(store))
    assert caught.value.action == "联系管理员"


def test_a_damaged_database_is_named_with_its_path(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="损坏.*备份恢复") as caught:
        open_db(data_dir)
    assert str(data_dir / DB_NAME) in caught.value.message and caught.value.action == "联系管理员"


def test_a_corrupt_page_is_a_known_error():
    exc = sqlite3.DatabaseError("database disk image is malformed")
    exc.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
    assert "损坏" in known_error(exc, "x.sqlite").message
    exc.sqlite_errorcode = sqlite3.SQLITE_CONSTRAINT  # a bug, not the environment: let through
    assert known_error(exc, "x.sqlite") is None


def test_an_io_error_from_a_file_size_limit_is_a_known_error(data_dir, store):
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG): SQLite reports an I/O error."""
    script = textwrap.dedent(f"""
        import datetime as dt, random, resource, signal, sys
        from pathlib import Path
        from desktop.domain.errors import StoreError
        from desktop.intake import demo
        from desktop.storage.store import Store
        store = Store.open(Path({str(data_dir)!r}))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        size = (Path({str(data_dir)!r}) / "desk.sqlite").stat().st_size
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 8192, size + 8192))
        try:
            for seed in range(500):
                service = store.catalog.service(3)
                case = demo.eligible_case(service, store.catalog, random.Random(seed), dt.date(2026, 11, 27))
                store.save_draft(case)
        except StoreError as exc:
            print(exc.action, exc.message)
            sys.exit(0)
        sys.exit(3)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(("联系管理员 读写数据库时磁盘出错", "清理磁盘 磁盘已满")), proc.stdout


def test_the_command_line_says_a_locked_database_in_one_line(store):
    other = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        proc = subprocess.run([sys.executable, "-m", "desktop", "settings", "set", "office", "某县政务服务中心",
                               "--data-dir", str(store.data_dir)], capture_output=True, text=True, encoding="utf-8")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"错误：数据库正被另一个程序占用（{store.data_dir / DB_NAME}），本次未保存：请稍后重试"]
