"""Department statuses from the hub's change feed, applied to local cases as timeline events and item statuses.

Decisions (docs/sync.md):
- A status is applied as a new revision of the case, queued like any change: desk and hub never hold two
  different payloads under one revision number. It waits while the case has a revision on its way to the hub
  (pending or sending): the payload in flight must stay byte-identical for a re-send to be recognised.
- A status never silently overwrites what the clerk did, nor the reverse: one that contradicts the case (any
  status but 已终止 for a case the clerk terminated; an earlier one for a completed case or item) changes
  nothing; it becomes a visible conflict with both sides (sync_inbox state 'conflict', and the timeline),
  until the clerk dismisses it (engine.resolve … dismiss).
- 公示中 starts the case's 公示 (its note is the place) for a service that has one; the items stay as they are.
  A department's 办结 ends a running 公示 without objection in the same revision (审批 follows the 公示); with
  objections on record and no result it is a visible conflict: the clerk records the 公示's result first.
- A citizen's rating from the hub's page (kind 'rating') becomes the case's rating, channel 扫码评价, unless the
  case was rated meanwhile at the window (一次一评: the later one is kept on the timeline only).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from desktop.domain.case import STATES, Case
from desktop.domain.errors import ValidationError
from desktop.storage import feedback, publicity
from desktop.storage.store import Store
from desktop.sync import state as syncstate

ORDER = ["accepted", "submitted", "in_progress", "completed"]
FROZEN = ("pending_materials", "suspended", "terminated")  # the clerk's own states; the department only informs
HUB_ACTOR = syncstate.HUB_ACTOR


def contradiction(case: Case, state: str, item: str = "") -> str:
    """Why this status contradicts the case as the clerk left it (Chinese, both sides), or ''."""
    here = STATES.get(case.state, case.state)
    said = STATES.get(state, state)
    if case.state == "terminated" and state != "terminated":
        return f"部门报“{said}”，本机已“{here}”"
    if case.state == "completed" and state in ORDER[:-1]:
        return f"部门报“{said}”，本机已“{here}”，不退回"
    for it in case.items:
        if (not item or item in (it.key, it.code)) and it.status in ("completed", "terminated") \
                and state != it.status and state in ORDER:
            return f"部门报事项“{it.name}”为“{said}”，本机该事项已“{STATES.get(it.status, it.status)}”"
    return ""


def apply_status(case: Case, state: str, item: str = "") -> None:
    """Set the status of the named item (or of all items), then move the case forward if its items say so."""
    for it in case.items:
        if not item or item in (it.key, it.code):
            it.status = state
    if case.state in FROZEN:
        return
    statuses = [it.status for it in case.items] or [state]
    if all(s in ("completed", "terminated") for s in statuses):
        target = "completed" if "completed" in statuses else "terminated"
    else:
        target = min((s for s in statuses if s in ORDER), key=ORDER.index, default=case.state)
    if target == "terminated" or (target in ORDER and case.state in ORDER
                                  and ORDER.index(target) > ORDER.index(case.state)):
        case.state = target


def apply_inbox(store: Store, now: str) -> dict[str, int]:
    """Apply every waiting feed entry that can be applied; returns counts (applied, waiting, not_here)."""
    counts = {"applied": 0, "waiting": 0, "not_here": 0}
    rows = list(store.db.query("SELECT * FROM sync_inbox WHERE state = 'waiting' ORDER BY change_id"))
    busy = set(syncstate.pending_cases(store.db))
    for row in rows:
        data = json.loads(row["data"])
        if row["kind"] == "catalog":
            _mark(store, row["change_id"], "noted", now)
            syncstate.put(store.db, catalog_notice=data)
        elif row["kind"] not in ("status", "rating"):
            _mark(store, row["change_id"], "noted", now)  # a kind this desk does not know yet: keep, skip
        elif not _exists(store, row["case_uuid"]):
            _mark(store, row["change_id"], "not_here", now)
            counts["not_here"] += 1
        elif row["case_uuid"] in busy:
            counts["waiting"] += 1
        else:
            apply = _apply_rating if row["kind"] == "rating" else _apply_one
            outcome = apply(store, row["change_id"], row["case_uuid"], data, now)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _apply_one(store: Store, change_id: int, uuid: str, data: dict[str, Any], now: str) -> str:
    """'applied' (a new queued revision), or 'conflicts' (nothing changed but the timeline and the inbox row)."""
    case = store.load(uuid)
    detail = {"state": data["state"], "item": data.get("item", ""), "note": data.get("note", ""),
              "department": data.get("department", ""), "change": change_id}
    actor = data.get("department") or HUB_ACTOR
    if data["state"] == "publicity":
        return _apply_publicity(store, change_id, case, detail | {"at": data.get("at") or now}, actor, now)
    running = case.publicity if case.publicity is not None and not case.publicity.ended_at else None
    if data["state"] == "completed" and running is not None and running.objections:
        why = "部门报办结，但公示期间收到的异议尚未登记处理结果（请先登记公示结果）"
    else:
        why = contradiction(case, data["state"], data.get("item", ""))
    if why:
        with store.db.atomic():
            store.record_event(uuid, "hub_status_conflict", actor=actor,
                               detail=detail | {"case_state": case.state, "reason": why})
            _mark(store, change_id, "conflict", now)
        return "conflicts"
    ended = data["state"] == "completed" and running is not None  # 办结 comes after 审批, so the 公示 is over
    if ended and running is not None:
        running.ended_at, running.result = _local(data.get("at") or now).isoformat(), "no_objection"
    apply_status(case, data["state"], data.get("item", ""))
    with store.db.atomic():
        store.apply_remote(case, "hub_status", detail | {"case_state": case.state}, actor=actor, queue=True)
        if ended:
            store.record_event(uuid, "publicity_ended", actor=actor,
                               detail={"result": "no_objection", "objections": 0, "by": "department"})
        _mark(store, change_id, "applied", now)
    return "applied"


def _apply_publicity(store: Store, change_id: int, case: Case, detail: dict[str, Any], actor: str, now: str) -> str:
    """公示中 from a department: the 公示 starts on the status's day, at the place its note names."""
    on = _local(detail.pop("at")).date()
    with store.db.atomic():
        try:
            publicity.start(store, case.uuid, detail["note"] or detail["department"] or "部门未告知地点",
                            on=on, actor=actor)
        except ValidationError as exc:  # no 公示 for this service, or one running: visible, nothing changed
            store.record_event(case.uuid, "hub_status_conflict", actor=actor,
                               detail=detail | {"case_state": case.state, "reason": f"部门报“公示中”：{exc}"})
            _mark(store, change_id, "conflict", now)
            return "conflicts"
        _mark(store, change_id, "applied", now)
    return "applied"


def _apply_rating(store: Store, change_id: int, uuid: str, data: dict[str, Any], now: str) -> str:
    """The citizen's rating from the hub's page, as if given at the window (整改 and 回访 follow a 差评)."""
    with store.db.atomic():
        if store.load(uuid).ratings:
            store.record_event(uuid, "hub_rating_ignored", actor=HUB_ACTOR, detail={"change": change_id})
            _mark(store, change_id, "noted", now)
            return "noted"
        feedback.rate(store, uuid, data["level"], reasons=data.get("reasons", []), note=data.get("note", ""),
                      channel="qr", actor=HUB_ACTOR, now=_local(data["at"]))
        _mark(store, change_id, "applied", now)
    return "applied"


def _local(at: str) -> dt.datetime:
    """The hub's UTC time as the desk's local time, as now_local() gives it."""
    return dt.datetime.fromisoformat(at).astimezone().replace(microsecond=0)


def dismiss_conflicts(store: Store, uuid: str, now: str) -> int:
    with store.db.atomic():
        return store.db.execute("UPDATE sync_inbox SET state = 'dismissed', applied_at = ? WHERE case_uuid = ? "
                                "AND state = 'conflict'", [now, uuid]).rowcount


def _exists(store: Store, uuid: str | None) -> bool:
    return bool(uuid) and store.db.execute("SELECT 1 FROM cases WHERE uuid = ?", [uuid]).fetchone() is not None


def _mark(store: Store, change_id: int, state: str, now: str) -> None:
    with store.db.atomic():
        store.db.execute("UPDATE sync_inbox SET state = ?, applied_at = ? WHERE change_id = ?", [state, now, change_id])


def store_changes(store: Store, entries: list[dict[str, Any]], cursor: int, now: str) -> None:
    """Keep a page of the feed and advance the cursor in one transaction (a crash re-reads, never skips)."""
    with store.db.atomic():
        for e in entries:
            data = {k: v for k, v in e.items() if k not in ("id", "kind", "case_uuid")}
            store.db.execute("INSERT OR IGNORE INTO sync_inbox (change_id, kind, case_uuid, data, received_at) "
                             "VALUES (?, ?, ?, ?, ?)", [e["id"], e["kind"], e.get("case_uuid"),
                                                        json.dumps(data, ensure_ascii=False), now])
        syncstate.put(store.db, cursor=cursor)
