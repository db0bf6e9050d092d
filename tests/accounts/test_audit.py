"""The audit trail: chained, append-only, written with the change it records, and tampering named by entry."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pytest

from desktop.intake import demo
from desktop.storage import audit
from desktop.storage.db import DB_NAME


def accept(store, seed: int = 1, actor: str = "lixiaolan"):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), dt.date(2026, 11, 27))
    demo.receive_all(service, case)
    return store.accept(case, actor=actor)


@pytest.fixture
def filled(store):
    """A store whose trail has 6 entries: two cases created, transitions and a print."""
    first = accept(store, 1)
    store.transition(first.uuid, "submit", actor="lixiaolan")
    second = accept(store, 2, actor="zhouwenbin")
    store.record_event(second.uuid, "printed", actor="zhouwenbin", detail={"form": "receipt"})
    store.transition(second.uuid, "submit", actor="zhouwenbin")
    audit.append(store.db, "pengzhiyuan", "login", detail={"via": "desk"})
    assert audit.verify(store.db) is None
    return store


def tamper(store, *statements: str) -> None:
    """Edit the database as an intruder would: another connection, triggers dropped first."""
    conn = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.close()


def test_store_changes_are_recorded_in_order(filled):
    entries = audit.export(filled.db)
    assert [(e["username"], e["action"]) for e in entries] == [
        ("lixiaolan", "case.create"), ("lixiaolan", "case.transition"), ("zhouwenbin", "case.create"),
        ("zhouwenbin", "case.event"), ("zhouwenbin", "case.transition"), ("pengzhiyuan", "login")]
    assert entries[1]["detail"] == {"action": "submit", "state": "submitted"}
    assert entries[3]["detail"] == {"kind": "printed"}
    assert entries[0]["device"] == "439901-W03" and entries[0]["prev_hash"] == audit.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    assert [e["id"] for e in audit.export(filled.db, since_id=4)] == [5, 6]
    assert len(audit.export(filled.db, case_uuid=entries[0]["case_uuid"])) == 2


def test_an_entry_commits_with_its_change_or_not_at_all(store):
    def broken_hook(*args):
        raise RuntimeError("audit failed")

    store.audit = broken_hook
    with pytest.raises(RuntimeError):
        accept(store)
    assert store.rows() == [] and store.outbox_pending() == 0, "no case without its audit entry"
    store.audit = audit.recorder(store.db)
    case = accept(store)
    store.audit = broken_hook
    with pytest.raises(RuntimeError):
        store.transition(case.uuid, "submit", actor="lixiaolan")
    assert store.load(case.uuid).state == "accepted"
    assert [e["action"] for e in audit.export(store.db)] == ["case.create"]


def test_rows_cannot_be_changed_or_removed(filled):
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        filled.db.execute("UPDATE audit SET username = 'x' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        filled.db.execute("DELETE FROM audit WHERE id = 6")
    assert audit.verify(filled.db) is None


@pytest.mark.parametrize(
    ("statements", "broken"),
    [
        (["UPDATE audit SET username = 'someone' WHERE id = 3"], audit.Break(3, "edited")),
        (["UPDATE audit SET detail = '{\"kind\":\"note\"}' WHERE id = 4"], audit.Break(4, "edited")),
        (["UPDATE audit SET at = '2020-01-01T00:00:00+08:00' WHERE id = 1"], audit.Break(1, "edited")),
        (["DELETE FROM audit WHERE id = 3"], audit.Break(3, "deleted")),
        (["DELETE FROM audit WHERE id = 1"], audit.Break(1, "deleted")),
        (["DELETE FROM audit WHERE id = 6"], audit.Break(6, "deleted")),
        (["DELETE FROM audit WHERE id >= 5"], audit.Break(5, "deleted")),
        # removed and the rest renumbered to hide the gap
        (["DELETE FROM audit WHERE id = 2", "UPDATE audit SET id = id - 1 WHERE id > 2",
          "UPDATE sqlite_sequence SET seq = 5 WHERE name = 'audit'"], audit.Break(2, "deleted")),
        # two entries swapped, each with its own hashes
        (["UPDATE audit SET id = 100 WHERE id = 3", "UPDATE audit SET id = 3 WHERE id = 4",
          "UPDATE audit SET id = 4 WHERE id = 100"], audit.Break(3, "reordered")),
    ],
)
def test_tampering_is_named_by_its_first_broken_entry(filled, statements, broken):
    tamper(filled, *statements)
    found = audit.verify(filled.db)
    assert found == broken
    assert f"第{broken.id}条" in found.message


def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(filled):
    row = dict(next(filled.db.query("SELECT * FROM audit WHERE id = 2")))
    row["username"] = "someone"
    fresh = audit.row_hash(row["prev_hash"], row)
    tamper(filled, f"UPDATE audit SET username = 'someone', hash = '{fresh}' WHERE id = 2")
    assert audit.verify(filled.db) == audit.Break(3, "deleted")


def test_personal_values_in_detail_are_masked(store):
    audit.append(store.db, "lixiaolan", "note", detail={"text": "43052119800101001X 13912345678", "n": [1]})
    detail = audit.export(store.db)[0]["detail"]
    assert detail == {"text": "430521********001X 139****5678", "n": [1]}
    assert audit.verify(store.db) is None


def test_the_chains_hash_is_hashlibs_sha256():
    """auditchain hashes with the standard library's own SHA-256 module (not hashlib's OpenSSL, issue 16): the
    same digest, so desks and hubs on either agree."""
    import hashlib

    from desktop.protocol import auditchain

    for detail in ("{}", '{"via":"cli"}', '{"note":"群众补交户口簿，经办人核验"}', "x" * 5000):
        row = {"at": "2026-12-01T09:00:00+08:00", "device": "439901-W03", "username": "lixiaolan",
               "action": "login", "case_uuid": None, "detail": detail}
        text = auditchain.GENESIS + auditchain.canonical({k: row[k] for k in auditchain.HASHED})
        assert auditchain.row_hash(auditchain.GENESIS, row) == hashlib.sha256(text.encode("utf-8")).hexdigest()
