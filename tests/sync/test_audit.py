"""The audit trail in the sync pass, against a real hub on loopback: once, replayed, refusals shown, cases go on."""

from __future__ import annotations

import random
import sqlite3

import pytest
from sqlalchemy import delete, select

from desktop.protocol import auditchain
from desktop.storage import audit
from desktop.storage.db import DB_NAME
from desktop.sync import audit as syncaudit, engine as sync, state as syncstate
from desktop.sync.client import Answer, HubClient
from hub import devices
from hub.config import HubConfig
from hub.db import audit_entries
from tests.hub.deskside import hub_cases, new_case
from tests.hub.servers import ThreadedHub
from tests.sync.conftest import OFFICE


@pytest.fixture
def calls(monkeypatch):
    """The batches the desk PUT to /v1/audit, as lists of entry ids."""
    sent: list[list[int]] = []
    real = HubClient.put_audit

    def counting(self, entries, head=None):
        sent.append([e["id"] for e in entries])
        return real(self, entries, head)

    monkeypatch.setattr(HubClient, "put_audit", counting)
    return sent


def on_hub(hub) -> list[dict]:
    with hub.engine.connect() as conn:
        rows = conn.execute(select(audit_entries).order_by(audit_entries.c.entry_id)).all()
    return [{"id": r.entry_id, **{k: getattr(r, k) for k in auditchain.FIELDS[1:]}} for r in rows]


def local(store, since: int = 0) -> list[dict]:
    return list(store.db.query("SELECT * FROM audit WHERE id > ? ORDER BY id", [since]))


def tamper(store, *statements: str, params=()) -> None:
    """Edit the desk's database as an intruder would: another connection, the append-only triggers dropped."""
    conn = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for sql in statements:
        conn.execute(sql, params)
    conn.close()


GUARDS = [f"CREATE TRIGGER audit_no_{v.lower()} BEFORE {v} ON audit "
          "BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改或删除'); END" for v in ("UPDATE", "DELETE")]


def logins(store, n: int) -> None:
    for i in range(n):
        audit.append(store.db, "lixiaolan", "login", detail={"via": "desk", "n": i})


def test_the_trail_reaches_the_hub_once_in_batches(store, hub, engine, calls, monkeypatch):
    monkeypatch.setattr(syncaudit, "BATCH", 4)
    rng = random.Random(1)
    uuids = [new_case(store, rng) for _ in range(3)]
    logins(store, 6)
    count = len(local(store))
    report = engine.sync_now()
    assert report.ok and report.sent == 3 and (report.audit_sent, report.audit_replayed) == (count, 0)
    assert on_hub(hub) == local(store) and syncstate.get(store.db, syncaudit.CURSOR) == count
    assert calls[0] == [1, 2, 3, 4] and all(len(batch) <= 5 for batch in calls)  # each after the first: 1 + 4
    assert [batch[0] for batch in calls[1:]] == [batch[-1] for batch in calls[:-1]]  # the cursor entry again
    calls.clear()
    again = engine.sync_now()
    assert (again.audit_sent, again.audit_replayed, calls) == (0, 0, [[count]])  # nothing new: the head still
    calls.clear()
    store.transition(uuids[0], "submit", actor="lixiaolan")
    third = engine.sync_now()
    assert (third.sent, third.audit_sent, third.audit_replayed) == (1, 1, 0) and calls == [[count, count + 1]]
    assert on_hub(hub) == local(store) and engine.status().last_error is None


def test_a_resend_after_a_lost_answer_is_replayed(store, hub, engine):
    new_case(store, random.Random(2))
    logins(store, 3)
    engine.sync_now()
    count = len(local(store))
    syncstate.put(store.db, **{syncaudit.CURSOR: 1})  # as if the desk died before writing the hub's answer down
    report = engine.sync_now()
    assert report.ok and (report.audit_sent, report.audit_replayed) == (0, count - 1)
    assert syncstate.get(store.db, syncaudit.CURSOR) == count and engine.status().last_error is None
    assert on_hub(hub) == local(store)


def test_a_desk_dying_between_the_hubs_answer_and_its_own_write_re_sends_as_replayed(store, hub, engine,
                                                                                      monkeypatch):
    new_case(store, random.Random(8))
    logins(store, 2)
    real_put = syncstate.put

    def dies(db, **values):
        if syncaudit.CURSOR in values:
            raise KeyboardInterrupt("killed")  # not an error the pass handles: the process ends here
        real_put(db, **values)

    monkeypatch.setattr(syncaudit.syncstate, "put", dies)
    with pytest.raises(KeyboardInterrupt):
        engine.sync_now()
    assert on_hub(hub) == local(store) and syncstate.get(store.db, syncaudit.CURSOR) is None
    monkeypatch.setattr(syncaudit.syncstate, "put", real_put)
    report = sync.SyncEngine(store).sync_now()
    assert report.ok and (report.audit_sent, report.audit_replayed) == (0, len(local(store)))
    assert syncstate.get(store.db, syncaudit.CURSOR) == len(local(store)) and on_hub(hub) == local(store)


def test_an_entry_edited_after_it_was_sent_is_refused_shown_and_cases_go_on(store, hub, engine):
    rng = random.Random(3)
    new_case(store, rng)
    logins(store, 2)
    engine.sync_now()
    sent = len(local(store))
    tamper(store, f"UPDATE audit SET username = 'someone' WHERE id = {sent}")
    assert audit.verify(store.db) == audit.Break(sent, "edited")
    uuid = new_case(store, rng)  # a new case: its creation is a new audit entry after the edited one
    report = engine.sync_now()
    assert report.ok and report.sent == 1 and engine.case_states([uuid]) == {uuid: "synced"}
    assert report.audit_sent == 0 and f"第{sent}条" in report.errors[0]
    status = engine.status()
    assert status.last_error.startswith(f"审计记录与服务器不连续：第{sent}条") and status.last_success_at
    assert status.last_error in status.summary()
    assert [e["id"] for e in on_hub(hub)] == list(range(1, sent + 1))  # nothing after the refused entry
    assert on_hub(hub)[-1]["username"] == "lixiaolan"  # the hub kept what it was sent
    summary = devices.summary(hub.engine, OFFICE)[0]
    assert summary["audit_refused"]["id"] == sent and summary["audit_refused"]["reason"] == "changed"
    later = new_case(store, rng)
    assert engine.sync_now().sent == 1 and engine.case_states([later]) == {later: "synced"}
    assert f"第{sent}条" in engine.status().last_error  # still shown, pass after pass


def test_a_trail_rewritten_with_fresh_hashes_passes_locally_but_not_at_the_hub(store, hub, engine):
    """Someone edits entry 2 and recomputes every hash after it: the desk's own check cannot see it."""
    rng = random.Random(4)
    new_case(store, rng)
    logins(store, 3)
    engine.sync_now()
    sent = len(local(store))
    rows = local(store)
    rows[1]["username"] = "someone"
    for prev, row in zip(rows, rows[1:], strict=False):
        row["prev_hash"] = prev["hash"]
        row["hash"] = audit.row_hash(row["prev_hash"], row)
    tamper(store, *[f"UPDATE audit SET username = '{r['username']}', prev_hash = '{r['prev_hash']}', "
                    f"hash = '{r['hash']}' WHERE id = {r['id']}" for r in rows[1:]], *GUARDS)
    # the chain alone holds; only the hub's checkpoint (its copy of the last entry it confirmed) shows it
    assert audit.verify(store.db) == audit.Break(sent, "hub")
    logins(store, 1)
    report = engine.sync_now()
    assert report.ok and f"审计记录与服务器不连续：第{sent}条" in engine.status().last_error
    assert len(on_hub(hub)) == sent and on_hub(hub)[1]["username"] == "lixiaolan"


def test_a_hub_restored_from_backup_gets_the_rest_again(store, hub, engine):
    new_case(store, random.Random(5))
    logins(store, 4)
    engine.sync_now()
    with hub.engine.begin() as conn:
        conn.execute(delete(audit_entries).where(audit_entries.c.entry_id > 2))
    logins(store, 1)
    report = engine.sync_now()
    assert report.ok and engine.status().last_error is None
    assert report.audit_sent == len(local(store)) - 2 and on_hub(hub) == local(store)


def test_a_new_hub_gets_the_whole_trail(store, hub, engine, tmp_path):
    new_case(store, random.Random(6))
    logins(store, 2)
    engine.sync_now()
    config = HubConfig(data_dir=tmp_path / "hub2", db_url=f"sqlite:///{tmp_path / 'hub2.sqlite'}")
    with ThreadedHub(config) as second:
        sync.connect(store, second.url, devices.add(second.engine, "W03", OFFICE, 1))
        report = sync.SyncEngine(store).sync_now()
        assert report.audit_sent == len(local(store)) and on_hub(second) == local(store)


def test_a_hub_without_the_audit_endpoint_is_named_and_cases_still_sync(store, hub, engine, monkeypatch):
    monkeypatch.setattr(HubClient, "put_audit", lambda self, entries, head=None: Answer(
        404, {"hub": "yijianshi-hub", "ok": False, "error": {"code": "http", "message": "没有这个接口"}}))
    uuid = new_case(store, random.Random(7))
    report = engine.sync_now()
    assert report.ok and report.sent == 1 and uuid in hub_cases(hub.engine)
    assert engine.status().last_error == syncaudit.OLD_HUB
    assert syncstate.get(store.db, syncaudit.CURSOR) is None


def test_an_unreadable_entry_is_named_and_the_ones_before_it_still_go(store, hub, engine):
    rng = random.Random(9)
    new_case(store, rng)
    logins(store, 3)
    count = len(local(store))
    tamper(store, f"UPDATE audit SET detail = '{{not json' WHERE id = {count - 1}")
    uuid = new_case(store, rng)
    report = engine.sync_now()
    assert report.ok and engine.case_states([uuid]) == {uuid: "synced"}
    assert [e["id"] for e in on_hub(hub)] == list(range(1, count - 1))
    assert engine.status().last_error == syncaudit.UNREADABLE.format(id=count - 1)


@pytest.mark.parametrize(("name", "statements", "locally", "at_hub"), [
    ("edit", ["UPDATE audit SET username = 'someone' WHERE id = 2", *GUARDS], audit.Break(2, "edited"), None),
    ("delete middle", ["DELETE FROM audit WHERE id = 3", *GUARDS], audit.Break(3, "deleted"), None),
    ("delete tail", ["DELETE FROM audit WHERE id = {last}", *GUARDS], audit.Break("{last}", "deleted"), "{last}"),
    ("delete all", ["DELETE FROM audit", *GUARDS], audit.Break(1, "deleted"), 1),
    ("delete all, reset the sequence", ["DELETE FROM audit", "DELETE FROM sqlite_sequence WHERE name = 'audit'",
                                        *GUARDS], audit.Break("{last}", "hub"), 1),
    ("drop triggers", [], audit.Break(0, "unguarded"), None),
    ("reset the sequence", ["UPDATE sqlite_sequence SET seq = 1 WHERE name = 'audit'", *GUARDS],
     audit.Break("{last}", "sequence"), None),
    ("delete tail, reset the sequence, write anew", [
        "DELETE FROM audit WHERE id >= {last} - 1", "UPDATE sqlite_sequence SET seq = {last} - 2 WHERE name = 'audit'",
        *GUARDS], audit.Break("{last}", "hub"), "{last}"),
])
def test_the_tamper_set_is_caught_locally_or_at_the_next_sync(store, hub, engine, name, statements, locally, at_hub):
    rng = random.Random(7)
    new_case(store, rng)
    logins(store, 4)
    assert engine.sync_now().ok and audit.verify(store.db) is None
    last = len(local(store))
    tamper(store, *[s.format(last=last) for s in statements])
    if name.endswith("write anew"):
        logins(store, 2)  # ids last-1 and last issued again, with other content
    expected = audit.Break(int(str(locally.id).format(last=last)), locally.reason)
    assert audit.check(store.db, full=True).broken == expected, name
    engine.sync_now()
    error = syncstate.get(store.db, "last_error") or ""
    if at_hub is None:
        return
    bad = int(str(at_hub).format(last=last))
    assert f"第{bad}条" in error and "审计记录与服务器不连续" in error, (name, error)
