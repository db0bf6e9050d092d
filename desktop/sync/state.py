"""The desk's sync bookkeeping in its own tables (migration 0003_sync) and the outbox rows' states.

Outbox row states: pending → sending → acked | conflict | rejected. A row in 'sending' only exists while a
request is on the wire; one found at start means the desk died mid-request and goes back to pending.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from desktop.domain.case import STATES

CASE_STATE_LABELS = {
    "local": "仅本机（草稿不上报）", "pending": "待上传", "sending": "上传中", "synced": "已同步",
    "conflict": "冲突待处理", "rejected": "已隔离（服务器拒收）", "reviewed": "已隔离（已查看）",
    "status_conflict": "部门状态与本机矛盾",
}
HUB_ACTOR = "县级汇聚服务器"
RESOLVE = ("UPDATE sync_items SET resolved_at = ?, resolution = ? WHERE resolved_at IS NULL AND outbox_id IN "
           "(SELECT id FROM outbox WHERE case_uuid = ? AND state IN ('conflict', 'rejected')")  # + ")" or a bound


def get(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def put(db: sqlite_utils.Database, **values: Any) -> None:
    """Set several keys in one transaction (None deletes a key)."""
    with db.atomic():
        for key, value in values.items():
            if value is None:
                db.execute("DELETE FROM sync_state WHERE key = ?", [key])
            else:
                db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           [key, json.dumps(value, ensure_ascii=False)])


def requeue_sending(db: sqlite_utils.Database) -> int:
    """Rows left 'sending' by a desk that stopped mid-request go back to pending; returns how many."""
    with db.atomic():
        return db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'").rowcount


def pending_cases(db: sqlite_utils.Database) -> list[str]:
    """Cases with rows still to send, the longest-waiting first."""
    rows = db.execute("SELECT case_uuid FROM outbox WHERE state IN ('pending', 'sending') "
                      "GROUP BY case_uuid ORDER BY min(id)").fetchall()
    return [r[0] for r in rows]


def case_row(db: sqlite_utils.Database, uuid: str) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM sync_cases WHERE case_uuid = ?", [uuid]), None)
    return row or {"case_uuid": uuid, "acked_revision": 0, "acked_at": None, "hub_revision": None,
                   "doubt_revision": None, "doubt_body": None}


def _upsert_case(db: sqlite_utils.Database, uuid: str, **values: Any) -> None:
    row = case_row(db, uuid) | values
    cols = ", ".join(row)
    db.execute(f"INSERT INTO sync_cases ({cols}) VALUES ({', '.join('?' * len(row))}) ON CONFLICT(case_uuid) DO "
               f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in row if c != 'case_uuid')}", list(row.values()))


def start_send(db: sqlite_utils.Database, uuid: str, body: dict[str, Any]) -> None:
    """Before a request leaves: remember it as 'in doubt' and mark its rows sending, in one transaction."""
    start_many(db, [(uuid, body)])


def case_rows(db: sqlite_utils.Database, uuids: list[str]) -> dict[str, dict[str, Any]]:
    """case_row of each of these cases, in one query."""
    found = {row["case_uuid"]: row for row in db.query(
        f"SELECT * FROM sync_cases WHERE case_uuid IN ({', '.join('?' * len(uuids))})", uuids)}
    return {uuid: found.get(uuid) or case_row(db, uuid) for uuid in uuids}


def start_many(db: sqlite_utils.Database, items: list[tuple[str, dict[str, Any]]]) -> None:
    """start_send for a batch of cases (each once), in one transaction and two statements."""
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO sync_cases (case_uuid, doubt_revision, doubt_body) VALUES (?, ?, ?) ON CONFLICT(case_uuid) "
            "DO UPDATE SET doubt_revision = excluded.doubt_revision, doubt_body = excluded.doubt_body",
            [(uuid, body["revision"], json.dumps(body, ensure_ascii=False)) for uuid, body in items])
        db.conn.executemany("UPDATE outbox SET state = 'sending', attempts = attempts + 1 "
                            "WHERE case_uuid = ? AND revision <= ? AND state = 'pending'",
                            [(uuid, body["revision"]) for uuid, body in items])


def finish_acked(db: sqlite_utils.Database, acks: list[tuple[str, int, int | None, list[str]]], now: str) -> None:
    """A 200 for each of a batch of cases (each once: uuid, revision, the hub's revision, the scans its answer
    listed), in one transaction and a statement per step: its rows acked, the scans known to be held, the case's
    acked revision (never lowered), nothing in doubt, older conflicts superseded. finish_send's 200 comes here."""
    with db.atomic():
        db.conn.executemany("INSERT OR IGNORE INTO sync_blobs (sha256, confirmed_at) VALUES (?, ?)",
                            [(sha, now) for _, _, _, blobs in acks for sha in blobs])
        db.conn.executemany(
            "INSERT INTO sync_items (outbox_id, status, code, reason, at) SELECT id, 200, '', '', ? FROM outbox "
            "WHERE case_uuid = ? AND revision <= ? AND state IN ('pending', 'sending') ON CONFLICT(outbox_id) DO "
            "UPDATE SET status = excluded.status, code = excluded.code, reason = excluded.reason, at = excluded.at",
            [(now, uuid, revision) for uuid, revision, _, _ in acks])
        db.conn.executemany("UPDATE outbox SET state = 'acked', last_error = '' WHERE case_uuid = ? AND revision <= ? "
                            "AND state IN ('pending', 'sending')", [(uuid, revision) for uuid, revision, _, _ in acks])
        db.conn.executemany(
            "INSERT INTO sync_cases (case_uuid, acked_revision, acked_at, hub_revision) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(case_uuid) DO UPDATE SET acked_revision = max(acked_revision, excluded.acked_revision), "
            "acked_at = excluded.acked_at, hub_revision = coalesce(excluded.hub_revision, hub_revision), "
            "doubt_revision = NULL, doubt_body = NULL",
            [(uuid, revision, now, hub_revision) for uuid, revision, hub_revision, _ in acks])
        db.conn.executemany(RESOLVE + " AND revision < ?)",
                            [(now, "superseded", uuid, revision) for uuid, revision, _, _ in acks])


def send_failed(db: sqlite_utils.Database, uuid: str, message: str) -> None:
    """No answer (or no answer from the hub): rows back to pending; the request stays in doubt."""
    with db.atomic():
        db.execute("UPDATE outbox SET state = 'pending', last_error = ? WHERE case_uuid = ? AND state = 'sending'",
                   [message, uuid])


def finish_send(db: sqlite_utils.Database, uuid: str, revision: int, outcome: str, *, status: int, now: str,
                code: str = "", reason: str = "", hub_revision: int | None = None, blobs: list[str] = ()) -> None:
    """A definitive answer: the request's rows become acked, conflict or rejected; nothing stays in doubt.
    `blobs`: hashes the hub's answer listed as held, remembered so they are not uploaded again."""
    if outcome == "acked":  # a 200: recorded as one case of a batch (finish_acked), the one way to record it
        finish_acked(db, [(uuid, revision, hub_revision, list(blobs))], now)
        return
    with db.atomic():
        db.conn.executemany("INSERT OR IGNORE INTO sync_blobs (sha256, confirmed_at) VALUES (?, ?)",
                            [(sha, now) for sha in blobs])
        ids = [r[0] for r in db.execute("SELECT id FROM outbox WHERE case_uuid = ? AND revision <= ? AND state IN "
                                        "('pending', 'sending')", [uuid, revision]).fetchall()]
        for outbox_id in ids:
            db.execute("UPDATE outbox SET state = ?, last_error = ? WHERE id = ?", [outcome, reason, outbox_id])
            db.execute("INSERT INTO sync_items (outbox_id, status, code, reason, at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT(outbox_id) DO UPDATE SET status = excluded.status, code = excluded.code, "
                       "reason = excluded.reason, at = excluded.at", [outbox_id, status, code, reason, now])
        values: dict[str, Any] = {"doubt_revision": None, "doubt_body": None}
        if hub_revision is not None:
            values["hub_revision"] = hub_revision
        _upsert_case(db, uuid, **values)


def resolve_problems(db: sqlite_utils.Database, uuid: str, resolution: str, now: str, *,
                     below: int | None = None) -> int:
    """Mark the case's open conflicts/rejections (optionally only those older than `below`) as dealt with."""
    sql = RESOLVE + (" AND revision < ?)" if below is not None else ")")
    params = [now, resolution, uuid] + ([below] if below is not None else [])
    return db.execute(sql, params).rowcount


def rebase(db: sqlite_utils.Database, uuid: str, hub_revision: int) -> None:
    """The clerk chose this device's version: the next send builds on the hub's revision."""
    _upsert_case(db, uuid, acked_revision=hub_revision, hub_revision=hub_revision, doubt_revision=None,
                 doubt_body=None)


def confirmed_blobs(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT sha256 FROM sync_blobs").fetchall()}


def forget_blobs(db: sqlite_utils.Database, hashes: list[str]) -> None:
    with db.atomic():
        db.conn.executemany("DELETE FROM sync_blobs WHERE sha256 = ?", [(h,) for h in hashes])


# reading, for the status bar, the case list and the problems list


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Cases waiting to go, and open conflicts (contradicting department statuses too) and rejections."""
    pending = db.execute("SELECT count(DISTINCT case_uuid) FROM outbox WHERE state IN ('pending', 'sending')")
    result = {"pending": pending.fetchone()[0]}
    for state in ("conflict", "rejected"):
        result[state] = db.execute(
            "SELECT count(DISTINCT o.case_uuid) FROM outbox o JOIN sync_items s ON s.outbox_id = o.id "
            "WHERE o.state = ? AND s.resolved_at IS NULL", [state]).fetchone()[0]
    result["conflict"] += db.execute("SELECT count(DISTINCT case_uuid) FROM sync_inbox WHERE state = 'conflict'"
                                     ).fetchone()[0]
    return result


def case_states(db: sqlite_utils.Database, uuids: list[str]) -> dict[str, str]:
    """Per case, from its newest outbox row: local, pending, sending, synced, conflict, rejected or reviewed."""
    if not uuids:
        return {}
    marks = ",".join("?" * len(uuids))
    rows = db.execute(
        f"SELECT o.case_uuid, o.state, s.resolved_at FROM outbox o LEFT JOIN sync_items s ON s.outbox_id = o.id "
        f"WHERE o.id IN (SELECT max(id) FROM outbox WHERE case_uuid IN ({marks}) GROUP BY case_uuid)", uuids)
    states = dict.fromkeys(uuids, "local")
    for uuid, state, resolved in rows.fetchall():
        states[uuid] = "reviewed" if state in ("conflict", "rejected") and resolved else \
            {"acked": "synced"}.get(state, state)
    return states


def problems(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Open contradicting department statuses, then conflicts and rejections, newest first, one per case."""
    return status_conflicts(db) + _push_problems(db)


def status_conflicts(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Department statuses that contradict the clerk's action (desktop/sync/apply.py), one per case, with both
    sides (hub_state, local_state)."""
    rows = db.query(
        "SELECT i.case_uuid, i.data, i.applied_at, c.number, c.revision, c.state FROM sync_inbox i "
        "JOIN cases c ON c.uuid = i.case_uuid WHERE i.state = 'conflict' ORDER BY i.change_id DESC")
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        data = json.loads(row["data"])
        said, here = STATES.get(data["state"], data["state"]), STATES.get(row["state"], row["state"])
        item = f"（事项 {data['item']}）" if data.get("item") else ""
        seen.setdefault(row["case_uuid"], {
            "case_uuid": row["case_uuid"], "number": row["number"], "kind": "status_conflict",
            "kind_label": CASE_STATE_LABELS["status_conflict"], "revision": row["revision"],
            "code": "status_conflict", "at": row["applied_at"], "hub_revision": None,
            "local_revision": row["revision"], "hub_state": data["state"], "local_state": row["state"],
            "reason": f"{data.get('department') or HUB_ACTOR}报“{said}”{item}，本机为“{here}”：未改动本机，请核对后处理"})
    return list(seen.values())


def _push_problems(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT o.case_uuid, c.number, o.state AS kind, o.revision, s.code, s.reason, s.at, sc.hub_revision, "
        "c.revision AS local_revision FROM outbox o JOIN sync_items s ON s.outbox_id = o.id "
        "JOIN cases c ON c.uuid = o.case_uuid LEFT JOIN sync_cases sc ON sc.case_uuid = o.case_uuid "
        "WHERE o.state IN ('conflict', 'rejected') AND s.resolved_at IS NULL ORDER BY o.id DESC")
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(row["case_uuid"], row | {"kind_label": CASE_STATE_LABELS[row["kind"]]})
    return list(seen.values())
