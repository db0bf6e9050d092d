"""Checking the audit trail: the tamper set, the checkpoints, and one read transaction against a second writer."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from desktop.storage import audit, auditverify
from desktop.storage.db import DB_NAME


@pytest.fixture
def trail(store):
    """A store whose trail has 6 entries."""
    for i in range(6):
        audit.append(store.db, "lixiaolan", "login", detail={"n": i})
    assert audit.verify(store.db) is None
    return store


def raw(store, *statements: str, keep_triggers: bool = False) -> None:
    """Edit the database as an intruder would: another connection, triggers dropped first."""
    conn = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    if not keep_triggers:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("DROP TRIGGER audit_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.close()


RECREATE = ("CREATE TRIGGER audit_no_{v} BEFORE {V} ON audit "
            "BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改或删除'); END")
GUARDS = [RECREATE.format(v=v.lower(), V=v) for v in ("UPDATE", "DELETE")]


@pytest.mark.parametrize(("statements", "broken"), [
    (["UPDATE audit SET action = 'logout' WHERE id = 3", *GUARDS], audit.Break(3, "edited")),
    (["DELETE FROM audit WHERE id = 3", *GUARDS], audit.Break(3, "deleted")),
    (["DELETE FROM audit WHERE id = 6", *GUARDS], audit.Break(6, "deleted")),
    (["DELETE FROM audit WHERE id >= 4", *GUARDS], audit.Break(4, "deleted")),
    (["DELETE FROM audit", *GUARDS], audit.Break(1, "deleted")),
    ([], audit.Break(0, "unguarded")),  # the triggers dropped, nothing else
    ([GUARDS[0]], audit.Break(0, "unguarded")),  # one put back
    ([GUARDS[0], "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN old.id < 0 "
      "BEGIN SELECT RAISE(ABORT, 'x'); END"], audit.Break(0, "unguarded")),  # one that lets deletions through
    (["UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit'", *GUARDS], audit.Break(6, "sequence")),
    (["DELETE FROM sqlite_sequence WHERE name = 'audit'", *GUARDS], audit.Break(6, "sequence")),
])
def test_every_kind_of_tampering_is_named(trail, statements, broken):
    raw(trail, *statements)
    assert audit.check(trail.db, full=True).broken == broken
    assert audit.verify(trail.db) == broken
    if broken.id >= 6 or broken.reason == "unguarded":  # at or after the login check's checkpoint (entry 6)
        assert audit.check(trail.db).broken == broken


def test_the_guards_are_checked_even_when_every_entry_holds(trail):
    raw(trail, keep_triggers=True)
    assert audit.verify(trail.db) is None
    raw(trail)
    found = audit.verify(trail.db)
    assert found == audit.Break(0, "unguarded") and "触发器" in found.message


def test_login_check_walks_only_after_the_checkpoint(trail):
    trail.db.execute("DELETE FROM sync_state WHERE key = ?", [auditverify.CHECKPOINT])
    first = audit.check(trail.db)
    assert first.broken is None and first.walked_from == 0 and first.entries == 6
    audit.append(trail.db, "lixiaolan", "logout")
    second = audit.check(trail.db)
    assert second.broken is None and second.walked_from == 6 and second.entries == 7 and not second.full
    assert audit.check(trail.db).walked_from == 7


def test_incremental_check_catches_what_is_after_or_at_the_checkpoint(trail):
    audit.check(trail.db)  # checkpoint at 6
    audit.append(trail.db, "lixiaolan", "logout")
    raw(trail, "UPDATE audit SET username = 'x' WHERE id = 7", *GUARDS)
    assert audit.check(trail.db).broken == audit.Break(7, "edited")
    raw(trail, "UPDATE audit SET username = 'y' WHERE id = 6", "DELETE FROM audit WHERE id = 7", *GUARDS)
    assert audit.check(trail.db).broken == audit.Break(6, "edited")


def test_a_hole_below_the_checkpoint_is_found_by_counting_and_named(trail):
    audit.check(trail.db)
    raw(trail, "DELETE FROM audit WHERE id = 2", *GUARDS)
    assert audit.check(trail.db).broken == audit.Break(2, "deleted")


def test_an_edit_below_the_checkpoint_needs_the_full_walk(trail):
    audit.check(trail.db)
    raw(trail, "UPDATE audit SET username = 'x' WHERE id = 2", *GUARDS)
    assert audit.check(trail.db).broken is None, "the login check trusts what it walked before"
    report = audit.check(trail.db, full=True)
    assert report.broken == audit.Break(2, "edited") and report.full


def test_the_hubs_checkpoint_must_still_be_here(trail):
    head = dict(next(trail.db.query("SELECT id, hash FROM audit WHERE id = 5")))
    trail.db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)",
                     [auditverify.HUB_HEAD, json.dumps({**head, "at": "2026-11-20T09:00:00+08:00"})])
    report = audit.check(trail.db, full=True)
    assert report.broken is None and report.hub["id"] == 5
    # everything deleted and the counter reset: a fresh-looking trail, but the hub confirmed entry 5
    raw(trail, "DELETE FROM audit", "DELETE FROM sqlite_sequence WHERE name = 'audit'", *GUARDS)
    found = audit.check(trail.db, full=True).broken
    assert found == audit.Break(5, "hub") and "县级服务器" in found.message


def test_age_in_words():
    import datetime as dt

    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    assert auditverify.age("2026-11-28T12:00:00+00:00", now) == "3天前"
    assert auditverify.age("2026-12-01T10:30:00+00:00", now) == "1小时前"
    assert auditverify.age("", now) == "" and auditverify.age("garbage", now) == ""


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from desktop.storage import audit
    from desktop.storage.db import open_db
    db = open_db(Path(sys.argv[1]))
    print("ready", flush=True)
    while sys.stdin.readline().strip() == "more":
        for _ in range(20):
            audit.append(db, "zhouwenbin", "case.event", detail={"kind": "printed"})
        print("done", flush=True)
""")


def test_a_second_process_writing_never_causes_a_false_break(trail, monkeypatch):
    """The walk and the counter are read in one snapshot: entries another process commits between the two
    reads (forced here, after the walk, every time) are not half seen as a deleted tail."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(trail.data_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        walk = auditverify._walk

        def walk_then_other_writes(db, start, start_hash):
            found = walk(db, start, start_hash)
            writer.stdin.write("more\n")
            writer.stdin.flush()
            assert writer.stdout.readline().strip() == "done"
            return found

        monkeypatch.setattr(auditverify, "_walk", walk_then_other_writes)
        for full in (True, False, True):
            assert audit.check(trail.db, full=full).broken is None
    finally:
        writer.stdin.close()
        writer.wait(10)
        writer.stdout.close()
    monkeypatch.undo()
    assert audit.check(trail.db, full=True).entries == 6 + 3 * 20


def test_verify_says_what_it_walked_and_how_old_the_hubs_checkpoint_is(trail):
    import datetime as dt

    from desktop.cli.accounts import _how

    at = (dt.datetime.now().astimezone() - dt.timedelta(days=3, hours=1)).isoformat(timespec="seconds")
    head = dict(next(trail.db.query("SELECT id, hash FROM audit WHERE id = 6")))
    trail.db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)",
                     [auditverify.HUB_HEAD, json.dumps({**head, "at": at})])
    report = audit.check(trail.db)
    assert report.broken is None
    assert _how(report) == "（快速校验：自核对点第6条起；全链校验去掉 --quick，上次全链校验于刚才）；与县级服务器核对点第6条一致（3天前确认）"


def test_the_desks_full_walk_is_due_once_a_working_day(store):
    """Every login checks from the checkpoint; the background walk of the whole chain runs once a day, not at
    every start (at 100,000 entries it is seconds of CPU beside the clerk's work)."""
    import datetime as dt

    from desktop.storage import auditverify

    assert auditverify.full_walk_due(store.db)  # never walked
    auditverify.check(store.db, full=True)
    now = dt.datetime.now().astimezone()
    assert not auditverify.full_walk_due(store.db, now)
    assert not auditverify.full_walk_due(store.db, now + auditverify.FULL_WALK_EVERY - dt.timedelta(minutes=1))
    assert auditverify.full_walk_due(store.db, now + auditverify.FULL_WALK_EVERY + dt.timedelta(minutes=1))
    auditverify.check(store.db)  # a login's quick check keeps the full walk's time
    assert not auditverify.full_walk_due(store.db, now)
