"""公示 of a case, written by the store's rules: the case (its payload, which syncs), its timeline, its outbox
row and the audit entry in one transaction, as desktop/storage/feedback.py writes a rating.

Started by the clerk (`case publicity start`) or by a department's 公示中 status from the hub
(desktop/sync/apply.py). The days are the catalog's; the open items' due dates move by the period, since the
公示期 is not part of the promised time limit. Objection notes stay in the payload, never in the timeline.
"""

from __future__ import annotations

import datetime as dt

from desktop.domain import publicity, workdays
from desktop.domain.case import Case
from desktop.domain.errors import ValidationError
from desktop.domain.publicity import Publicity
from desktop.storage.feedback import _commit
from desktop.storage.store import Store, now_local

OPEN = ("accepted", "submitted", "in_progress")


def start(store: Store, ref: str, place: str, *, on: dt.date | None = None, actor: str = "",
          now: dt.datetime | None = None, queue: bool = True) -> Case:
    """Start the case's 公示 on `on` (default today) at `place`, for the catalog's number of days."""
    case = store.load(ref)
    limit = store.catalog_for(case).service(case.service).time_limit  # the case's own catalog version
    if errors := publicity.check_start(limit.get("publicity_days"), place):
        raise ValidationError(errors[0], field="publicity")
    if case.state not in OPEN:
        raise ValidationError(f"公示：案件现为{case.state_label}，受理后、办结前才能公示", field="state")
    if case.publicity is not None and not case.publicity.ended_at:
        raise ValidationError(f"公示：该案件已在公示（{case.publicity.start} 起）", field="publicity")
    now = now or now_local()
    first = on or now.date()
    days, working = int(limit["publicity_days"]), bool(limit.get("publicity_working"))
    case.publicity = Publicity(start=first.isoformat(), end=publicity.period_end(first, days, working).isoformat(),
                               days=days, working=working, place=place.strip())
    _move_due_dates(case, days, working)
    with store.db.atomic():
        _commit(store, case, "publicity_started", actor, {"start": case.publicity.start, "end": case.publicity.end,
                                                           "days": days}, now)
    store._changed("publicity_started", case.uuid)
    return case


def objection(store: Store, ref: str, note: str, *, actor: str = "", now: dt.datetime | None = None) -> Case:
    """One objection received during the 公示 (a short note of what was raised; the paper file holds who)."""
    case, p = _running(store, ref)
    if not note.strip() or len(note) > publicity.NOTE_LIMIT:
        raise ValidationError(f"异议内容：请写明异议（1–{publicity.NOTE_LIMIT}字）", field="objection")
    p.objections.append(note.strip())
    now = now or now_local()
    with store.db.atomic():
        _commit(store, case, "publicity_objection", actor, {"count": len(p.objections)}, now)
    store._changed("publicity_objection", case.uuid)
    return case


def end(store: Store, ref: str, result: str = "", *, actor: str = "", now: dt.datetime | None = None) -> Case:
    """End the 公示: no objection, or the objections found unfounded or upheld (required when there were some)."""
    case, p = _running(store, ref)
    result = result or ("" if p.objections else "no_objection")
    if result not in publicity.RESULTS or (p.objections and result == "no_objection"):
        choices = "、".join(f"{k}（{v}）" for k, v in publicity.RESULTS.items() if k != "no_objection")
        raise ValidationError(f"公示结果：收到异议时请选择 {choices}", field="result")
    now = now or now_local()
    p.ended_at, p.result = now.isoformat(), result
    with store.db.atomic():
        _commit(store, case, "publicity_ended", actor, {"result": result, "objections": len(p.objections)}, now)
    store._changed("publicity_ended", case.uuid)
    return case


def _running(store: Store, ref: str) -> tuple[Case, Publicity]:
    case = store.load(ref)
    if case.publicity is None or case.publicity.ended_at:
        raise ValidationError("公示：该案件没有正在进行的公示", field="publicity")
    return case, case.publicity


def _move_due_dates(case: Case, days: int, working: bool) -> None:
    """公示期不计入办理时限: each open item's due date moves by the period, in the period's own unit."""
    for item in case.items:
        if item.due_date and item.status in OPEN:
            due = dt.date.fromisoformat(item.due_date)
            item.due_date = (workdays.add_working_days(due, days) if working
                             else due + dt.timedelta(days=days)).isoformat()
