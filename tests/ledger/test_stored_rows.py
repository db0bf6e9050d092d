"""The stored ledger rows (desktop/storage/ledgerrows.py) against the cases themselves: the ledger read from them
equals the ledger computed from every case's payload, over the demo data, a generated month and after every kind
of change; written with the case or not at all; filled for old data dirs by migration 0016."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

import pytest

from desktop.accounts.staff import Accounts
from desktop.domain import catalog as catalog_mod
from desktop.intake import demo, supplement
from desktop.ledger import query as ledger
from desktop.storage import ledgerrows, settings
from desktop.storage.migrations import MIGRATIONS
from desktop.storage.store import Store
from desktop.sync import apply, state as syncstate
from hub import ledgerrows as hub_rows
from tests import ledgerdata
from tests.ledgerdata import END, START, at

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures
LATE = dt.date(2027, 1, 15)  # late enough for open cases to be overdue

_NEWEST_OUTBOX = """SELECT o.state, s.resolved_at FROM outbox o LEFT JOIN sync_items s ON s.outbox_id = o.id
  WHERE o.case_uuid = ? ORDER BY o.revision DESC LIMIT 1"""


def from_payloads(store: Store, start: dt.date, end: dt.date, today: dt.date, personal: bool = False):
    """The ledger's rows made from each case's payload, by the hub's definition of a summary (hub/ledgerrows.py),
    not from ledger_rows."""
    summaries = []
    for payload, revision, updated, full in store.db.execute(
            "SELECT payload, revision, updated_at, id_number FROM cases WHERE state != 'draft'"
            " AND accepted_date BETWEEN ? AND ?", [start.isoformat(), end.isoformat()]).fetchall():
        p = json.loads(payload)
        newest = store.db.execute(_NEWEST_OUTBOX, [p["uuid"]]).fetchone() or (None, None)
        summaries.append(hub_rows.fields(p) | {"uuid": p["uuid"], "revision": revision, "updated_at": updated,
                                               "device": "", "sync": ledger.sync_state(*newest)}
                         | ({"id_number": full} if personal else {}))
    rows = ledger.make_rows(summaries, store.catalog, Accounts(store.db).names(), today)
    return [dataclasses.asdict(r) for r in ledger.mark_changed(store, rows)]


def from_table(store: Store, start: dt.date, end: dt.date, today: dt.date, personal: bool = False):
    result = ledger.query(store, ledger.Filters(start, end), hub="local", today=today, personal=personal)
    return [dataclasses.asdict(r) for r in result.rows]


def stored(store: Store, uuid: str) -> tuple | None:
    return store.db.execute(f"SELECT {', '.join(ledgerrows.COLUMNS)} FROM ledger_rows WHERE case_uuid = ?",
                            [uuid]).fetchone()


def agrees(store: Store, uuid: str) -> None:
    """The case's stored row is exactly what its payload makes now."""
    payload, updated = store.db.execute("SELECT payload, updated_at FROM cases WHERE uuid = ?", [uuid]).fetchone()
    assert stored(store, uuid) == ledgerrows.fields(json.loads(payload), updated)


def test_the_ledger_from_stored_rows_equals_the_ledger_from_the_payloads_of_a_generated_month(month):
    late = []
    for today in (ledgerdata.TODAY, LATE):
        rows = from_table(month, START, END, today)
        assert len(rows) > 40 and rows == from_payloads(month, START, END, today)
        late.append(sum(r["overdue"] for r in rows))
    assert late[1] > late[0]  # the stored due date, judged on the day asked
    assert {r["state"] for r in rows} >= {"accepted", "completed", "terminated", "pending_materials"}
    assert any(r["received"] for r in rows) and any(r["applied_by"] == "proxy" for r in rows)
    personal = from_table(month, START, END, LATE, personal=True)
    assert personal == from_payloads(month, START, END, LATE, personal=True)
    assert all("*" not in r["id_number"] and len(r["id_number"]) == 18 for r in personal)


def test_the_demo_data_reads_alike_from_stored_rows_and_payloads(store):
    demo.fill(store, days=30)
    today = dt.date.today()
    start, end = today - dt.timedelta(days=45), today
    rows = from_table(store, start, end, today)
    assert len(rows) > 50 and rows == from_payloads(store, start, end, today)


def test_every_kind_of_change_rewrites_the_row_in_its_own_transaction(month):
    day = dt.date(2026, 11, 30)
    service = month.catalog.service(3)
    case = demo.eligible_case(service, month.catalog, random.Random(5), day)
    demo.receive_all(service, case, leave_missing=1)
    month.save_draft(case)
    assert stored(month, case.uuid) is None  # a draft is on no ledger
    accepted = month.accept(case, actor="lixiaolan", now=at(day, 9, 0))
    agrees(month, accepted.uuid)
    assert stored(month, accepted.uuid)[20] == 1 and stored(month, accepted.uuid)[21]  # one missing, what came
    supplement.receive(month, accepted.uuid, {m: ("original", 1) for m in accepted.missing}, actor="lixiaolan",
                       now=at(day, 10, 0))
    agrees(month, accepted.uuid)
    assert stored(month, accepted.uuid)[20:] == (0, None)  # 补正 received: complete
    month.transition(accepted.uuid, "submit", actor="lixiaolan", now=at(day, 11, 0))
    month.db.execute("UPDATE outbox SET state = 'acked' WHERE case_uuid = ?", [accepted.uuid])  # sent
    apply.store_changes(month, [{"id": 7, "kind": "status", "case_uuid": accepted.uuid, "state": "completed",
                                 "department": "县残联"}], 7, "2026-12-01T09:00:00+08:00")
    assert apply.apply_inbox(month, "2026-12-01T09:00:00+08:00")["applied"] == 1  # a department's 办结
    agrees(month, accepted.uuid)
    assert stored(month, accepted.uuid)[5] == "completed"
    other = ledger.query(month, ledger.Filters(START, END), hub="local").rows[0].uuid
    month.transition(other, "terminate", actor="lixiaolan", reason="申请人撤回", now=at(day, 12, 0))
    agrees(month, other)
    assert stored(month, other)[5] == "terminated"
    assert from_table(month, START, day, LATE) == from_payloads(month, START, day, LATE)



def sync_agrees(store: Store) -> list[str]:
    """Every stored row's sync state is what the case's newest outbox row says now; returns them."""
    found = store.db.execute("SELECT case_uuid, sync FROM ledger_rows ORDER BY case_uuid").fetchall()
    for uuid, sync in found:
        assert sync == ledger.sync_state(*(store.db.execute(_NEWEST_OUTBOX, [uuid]).fetchone() or (None, None)))
    return [sync for _, sync in found]


def test_the_stored_sync_state_follows_every_outbox_change(month):
    uuids = [u for (u,) in month.db.execute("SELECT case_uuid FROM ledger_rows WHERE state = 'accepted' ORDER BY accepted_at LIMIT 4")]
    a, b, c, d = uuids
    assert set(sync_agrees(month)) == {"pending"}
    revision = {u: r for u, r in month.db.execute("SELECT uuid, revision FROM cases")}
    for u in (a, b, c):
        syncstate.start_send(month.db, u, {"revision": revision[u]})
    assert "sending" not in sync_agrees(month)  # shown as 待上传, as the outbox's sending is
    syncstate.send_failed(month.db, c, "timeout")
    now = "2026-12-01T09:00:00+08:00"
    syncstate.finish_send(month.db, a, revision[a], "acked", status=200, now=now)
    syncstate.finish_send(month.db, b, revision[b], "conflict", status=409, now=now, code="stale")
    sync_agrees(month)
    states = dict(month.db.execute("SELECT case_uuid, sync FROM ledger_rows WHERE case_uuid IN (?, ?, ?, ?)",
                                   uuids).fetchall())
    assert states == {a: "synced", b: "conflict", c: "pending", d: "pending"}
    syncstate.resolve_problems(month.db, b, "kept_local", now)  # the clerk looked at the conflict
    assert dict(month.db.execute("SELECT case_uuid, sync FROM ledger_rows WHERE case_uuid = ?", [b]))[b] == "reviewed"
    month.transition(a, "submit", actor="lixiaolan", now=at(END, 11, 0))  # a new revision to send
    syncstate.start_send(month.db, d, {"revision": revision[d]})
    assert syncstate.requeue_sending(month.db) == 1
    sync_agrees(month)
    month.db.execute("DELETE FROM sync_items")  # as no writer does yet: the triggers cover it all the same
    assert dict(month.db.execute("SELECT case_uuid, sync FROM ledger_rows WHERE case_uuid = ?", [b]))[b] == "conflict"
    month.db.execute("UPDATE outbox SET state = 'acked'")
    assert set(sync_agrees(month)) == {"synced"}
    rows = ledger.query(month, ledger.Filters(START, END), hub="local").rows
    assert {r.sync_label for r in rows} == {"已同步"}


def test_a_row_written_after_its_cases_outbox_rows_starts_with_their_state(month):
    uuid, payload, updated = month.db.execute("SELECT uuid, payload, updated_at FROM cases WHERE state = 'accepted'"
                                              " LIMIT 1").fetchone()
    assert month.db.execute("UPDATE outbox SET state = 'acked' WHERE case_uuid = ?", [uuid]).rowcount
    month.db.execute("DELETE FROM ledger_rows WHERE case_uuid = ?", [uuid])
    ledgerrows.write(month.db, json.loads(payload), updated)  # a new row: its insert trigger reads the outbox
    assert stored(month, uuid) is not None
    assert month.db.execute("SELECT sync FROM ledger_rows WHERE case_uuid = ?", [uuid]).fetchone()[0] == "synced"
    sync_agrees(month)

def test_a_failed_write_leaves_no_row(month):
    service = month.catalog.service(7)
    case = demo.eligible_case(service, month.catalog, random.Random(2), END)
    demo.receive_all(service, case)

    def refuse(*_args):
        raise RuntimeError("audit refused")

    month.audit = refuse
    with pytest.raises(RuntimeError):
        month.accept(case, actor="lixiaolan", now=at(END, 16, 0))
    assert stored(month, case.uuid) is None


def test_the_migration_fills_the_rows_of_an_older_data_dir(month):
    expected = from_payloads(month, START, END, LATE)
    service = month.catalog.service(3)
    month.save_draft(demo.eligible_case(service, month.catalog, random.Random(4), END))
    before_0017(month)
    month.db.execute("DROP TABLE ledger_rows")  # what a desk before migration 0016 had
    month.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0016_ledger_rows'")
    MIGRATIONS.apply(month.db.conn)
    accepted = month.db.execute("SELECT count(*) FROM cases WHERE state != 'draft'").fetchone()[0]
    assert month.db.execute("SELECT count(*) FROM ledger_rows").fetchone()[0] == accepted > 40
    assert from_table(month, START, END, LATE) == expected



def before_0017(store: Store) -> None:
    """What a desk at migration 0016 had: no stored sync state, no triggers keeping it."""
    for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE"
                                    " '%ledger_rows SET sync%'").fetchall():
        store.db.execute(f"DROP TRIGGER {name}")
    store.db.execute("ALTER TABLE ledger_rows DROP COLUMN sync")
    store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0017_ledger_rows_sync'")


def test_migration_0017_stores_each_rows_sync_state_and_keeps_it(month):
    uuids = [u for (u,) in month.db.execute("SELECT case_uuid FROM ledger_rows ORDER BY case_uuid LIMIT 3")]
    month.db.execute("UPDATE outbox SET state = 'acked' WHERE case_uuid = ?", [uuids[0]])
    month.db.execute("UPDATE outbox SET state = 'rejected' WHERE case_uuid = ?", [uuids[1]])
    expected = from_payloads(month, START, END, LATE)
    before_0017(month)
    MIGRATIONS.apply(month.db.conn)
    assert sync_agrees(month)[:3] == ["synced", "rejected", "pending"]
    assert from_table(month, START, END, LATE) == expected
    month.db.execute("UPDATE outbox SET state = 'acked' WHERE case_uuid = ?", [uuids[1]])  # the triggers are back
    assert sync_agrees(month)[:3] == ["synced", "synced", "pending"]

def test_the_back_fill_works_in_batches(month):
    before = month.db.execute(f"SELECT {', '.join(ledgerrows.COLUMNS)} FROM ledger_rows ORDER BY 1").fetchall()
    month.db.execute("DELETE FROM ledger_rows")
    assert ledgerrows.backfill(month.db.conn, batch=7) == len(before) > 40
    assert month.db.execute(f"SELECT {', '.join(ledgerrows.COLUMNS)} FROM ledger_rows ORDER BY 1").fetchall() == before


def test_the_full_id_number_is_not_copied(month):
    full = {n for (n,) in month.db.execute("SELECT id_number FROM cases")}
    masked = [n for (n,) in month.db.execute("SELECT id_masked FROM ledger_rows")]
    assert masked and not full & set(masked) and all(n[6:14] == "********" for n in masked)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "demo", catalog_mod.load())
    for key, value in ledgerdata.SETTINGS.items():
        settings.set_value(store.db, key, value)
    yield store
    store.close()
