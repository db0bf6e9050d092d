"""PUT /v1/audit on SQLite and PostgreSQL: appended once, replayed, refusals naming the first bad entry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.protocol import auditchain, schema as syncschema
from desktop.storage import audit
from hub.db import audit_entries
from tests.hub.conftest import enroll


def trail(store, n: int) -> list[dict]:
    """n real entries made on a desk (the store fixture), exported as sync sends them."""
    for i in range(n):
        audit.append(store.db, f"user{i % 3}", "login", detail={"via": "desk", "n": i})
    return audit.export(store.db)


def push(client, headers, entries):
    return client.put("/v1/audit", json={"entries": entries}, headers=headers)


def held(engine, device_name: str = "W03") -> list[dict]:
    from hub.db import devices

    with engine.connect() as conn:
        rows = conn.execute(select(audit_entries).join(devices, devices.c.id == audit_entries.c.device_id)
                            .where(devices.c.name == device_name).order_by(audit_entries.c.entry_id)).all()
    return [{"id": r.entry_id, **{k: getattr(r, k) for k in auditchain.FIELDS[1:]}} for r in rows]


def audit_status(client, headers, name: str = "W03") -> dict:
    devices = client.get("/v1/devices/summary", headers=headers).json()["devices"]
    return next(d for d in devices if d["device"] == name)


def test_entries_are_kept_once_exactly_as_the_desk_hashed_them(hub, store):
    headers = enroll(hub)
    entries = trail(store, 5)
    first = push(hub, headers, entries[:3])
    assert first.status_code == 200 and first.json() == syncschema.envelope(
        True, last_id=3, last_hash=entries[2]["hash"], stored=3, replayed=0)
    more = push(hub, headers, entries)
    assert more.json()["stored"] == 2 and more.json()["replayed"] == 3 and more.json()["last_id"] == 5
    again = push(hub, headers, entries)
    assert (again.status_code, again.json()["stored"], again.json()["replayed"]) == (200, 0, 5)
    local = list(store.db.query("SELECT * FROM audit ORDER BY id"))
    assert held(hub.engine) == local  # detail as the desk stored it, byte for byte
    assert push(hub, headers, []).json()["last_id"] == 5  # an empty batch asks where the hub is
    status = audit_status(hub, headers)
    assert status["audit_last_id"] == 5 and status["audit_last_at"] == entries[-1]["at"]
    assert status["audit_refused"] is None


def _renumbered(entries):
    """Entry 3 removed and the rest renumbered to hide the gap."""
    return entries[:2] + [e | {"id": e["id"] - 1} for e in entries[3:]]


def _edited(entries):
    return entries[:2] + [entries[2] | {"username": "someone"}] + entries[3:]


@pytest.mark.parametrize(("make", "bad", "reason"), [
    (lambda e: e[:2] + e[3:], 4, "gap"),
    (_renumbered, 3, "broken"),
    (_edited, 3, "edited"),
])
def test_a_refusal_names_the_first_bad_entry_and_keeps_what_came_before(hub, store, make, bad, reason):
    headers = enroll(hub)
    entries = trail(store, 5)
    refused = push(hub, headers, make(entries))
    body = refused.json()
    assert refused.status_code == 409 and syncschema.is_envelope(body) and body["ok"] is False
    assert (body["error"]["code"], body["bad_id"], body["reason"], body["last_id"]) == \
        (f"audit_{reason}", bad, reason, 2)
    assert f"第{bad}条" in body["error"]["message"]
    assert [e["id"] for e in held(hub.engine)] == [1, 2]  # nothing from the bad entry on
    assert audit_status(hub, headers)["audit_refused"]["id"] == bad
    fine = push(hub, headers, entries[1:])  # the true trail goes on from where the hub is
    assert fine.status_code == 200 and fine.json()["stored"] == 3 and fine.json()["last_id"] == 5
    assert audit_status(hub, headers)["audit_refused"] is None


def test_an_entry_changed_after_the_hub_had_it_is_refused(hub, store):
    headers = enroll(hub)
    entries = trail(store, 5)
    assert push(hub, headers, entries).status_code == 200
    rewritten = [dict(e) for e in entries]
    rewritten[2]["username"] = "someone"  # and every hash from there on recomputed: a valid chain of its own
    for prev, entry in zip(rewritten[1:], rewritten[2:], strict=False):
        entry["prev_hash"] = prev["hash"]
        entry["hash"] = auditchain.row_hash(entry["prev_hash"], auditchain.stored_form(entry))
    refused = push(hub, headers, rewritten[2:] + trail(store, 1)[-1:])
    assert refused.status_code == 409 and refused.json()["reason"] == "changed"
    assert refused.json()["bad_id"] == 3 and refused.json()["last_id"] == 5
    assert held(hub.engine) == list(store.db.query("SELECT * FROM audit WHERE id <= 5 ORDER BY id"))


def test_each_device_has_its_own_chain(hub, store):
    first, second = enroll(hub, "W03"), enroll(hub, "L12", "白水乡便民服务中心")
    entries = trail(store, 3)
    assert push(hub, first, entries).json()["last_id"] == 3
    assert push(hub, second, entries[:1]).json() == syncschema.envelope(True, last_id=1, last_hash=entries[0]["hash"],
                                                                        stored=1, replayed=0)
    assert len(held(hub.engine, "W03")) == 3 and len(held(hub.engine, "L12")) == 1
    assert audit_status(hub, second, "L12")["audit_last_id"] == 1  # each office sees its own devices


def test_bad_requests_are_refused_with_the_envelope(hub, store):
    headers = enroll(hub)
    [entry] = trail(store, 1)
    for body, status in [({"entries": [entry | {"hash": "xyz"}]}, 422),
                         ({"entries": [entry | {"extra": 1}]}, 422),
                         ({"entries": [entry | {"id": 0}]}, 422),
                         ({"entries": [entry | {"detail": {"text": "字" * 5000}}]}, 422),
                         ({"entries": [entry] * 1001}, 422),
                         ({}, 422)]:
        answer = hub.put("/v1/audit", json=body, headers=headers)
        assert answer.status_code == status and syncschema.is_envelope(answer.json()), answer.text
    assert hub.put("/v1/audit", json={"entries": [entry]}).status_code == 401
    assert held(hub.engine) == []
    assert "/v1/audit" in hub.get("/openapi.json").json()["paths"]


def report(client, headers, entries, head_id: int, head_hash: str):
    return client.put("/v1/audit", json={"entries": entries, "head": {"id": head_id, "hash": head_hash}},
                      headers=headers)


def test_the_desks_head_behind_or_unlike_the_hubs_copy_is_audit_changed_at_once(hub, store):
    """The newest entries deleted on the desk, nothing new to send: the head report alone shows it."""
    headers = enroll(hub)
    entries = trail(store, 5)
    assert report(hub, headers, entries, 5, entries[4]["hash"]).status_code == 200
    assert report(hub, headers, entries[4:], 5, entries[4]["hash"]).status_code == 200  # nothing new: fine
    tail = report(hub, headers, entries[2:3], 3, entries[2]["hash"]).json()  # entries 4 and 5 deleted
    assert (tail["error"]["code"], tail["bad_id"], tail["last_id"]) == ("audit_changed", 4, 5)
    everything = report(hub, headers, [], 0, auditchain.GENESIS).json()  # the whole trail deleted
    assert (everything["error"]["code"], everything["bad_id"]) == ("audit_changed", 1)
    other = report(hub, headers, [], 5, "f" * 64).json()  # the newest entry rewritten
    assert (other["error"]["code"], other["bad_id"]) == ("audit_changed", 5)
    assert audit_status(hub, headers)["audit_refused"]["id"] == 5
    assert report(hub, headers, [], 7, "e" * 64).status_code == 200, "entries the hub has not seen yet: no judgement"
    from hub.db import audit_heads

    with hub.engine.connect() as conn:
        assert conn.execute(select(audit_heads.c.entry_id, audit_heads.c.hash)).all() == [(7, "e" * 64)]


def test_a_head_with_a_trailing_newline_or_a_huge_id_is_refused(hub):
    headers = enroll(hub)
    assert report(hub, headers, [], 1, "a" * 64 + "\n").status_code == 422
    assert report(hub, headers, [], 2**64, "a" * 64).status_code == 422
