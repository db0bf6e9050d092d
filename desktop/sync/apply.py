"""Department statuses from the hub's change feed, applied to local cases as timeline events and item statuses.

Decision (docs/sync.md): a status from the hub changes the local case without a new revision and without an
outbox row, so it never bounces back to the hub as if the clerk had made it. It waits while the case has a
revision on its way to the hub (pending or sending): the payload in flight must stay byte-identical for a
re-send to be recognised. The next change the clerk makes carries the statuses to the hub in the payload.
"""

from __future__ import annotations

import json
from typing import Any

from desktop.domain.case import Case
from desktop.storage.store import Store
from desktop.sync import state as syncstate

ORDER = ["accepted", "submitted", "in_progress", "completed"]
FROZEN = ("pending_materials", "suspended", "terminated")  # the clerk's own states; the department only informs
HUB_ACTOR = "县级汇聚服务器"


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
        elif row["kind"] != "status":
            _mark(store, row["change_id"], "noted", now)  # a kind this desk does not know yet: keep, skip
        elif not _exists(store, row["case_uuid"]):
            _mark(store, row["change_id"], "not_here", now)
            counts["not_here"] += 1
        elif row["case_uuid"] in busy:
            counts["waiting"] += 1
        else:
            _apply_one(store, row["change_id"], row["case_uuid"], data, now)
            counts["applied"] += 1
    return counts


def _apply_one(store: Store, change_id: int, uuid: str, data: dict[str, Any], now: str) -> None:
    case = store.load(uuid)
    apply_status(case, data["state"], data.get("item", ""))
    detail = {"state": data["state"], "item": data.get("item", ""), "note": data.get("note", ""),
              "department": data.get("department", ""), "change": change_id, "case_state": case.state}
    with store.db.atomic():
        store.apply_remote(case, "hub_status", detail, actor=data.get("department") or HUB_ACTOR)
        _mark(store, change_id, "applied", now)


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
