"""好差评, 整改 and 回访 of a case, written by the store's rules: the case (its payload, which syncs), its
timeline, its outbox row, the audit entry and the index tables `ratings` / `return_visits` in one transaction.

This module is the store's partner inside desktop/storage: it uses the store's write helpers, so a rating
commits exactly like a state change. Nothing here logs a name, a phone or what the citizen wrote.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.domain import feedback, workdays
from desktop.domain.case import Case
from desktop.domain.errors import ValidationError
from desktop.domain.feedback import Rating, Visit
from desktop.storage import settings
from desktop.storage.store import Store, now_local

RATEABLE = ("accepted", "pending_materials", "submitted", "in_progress", "completed", "terminated", "suspended")


def rate(store: Store, ref: str, level: str, *, reasons: list[str] | None = None, note: str = "",
         channel: str = "screen", actor: str = "", now: dt.datetime | None = None) -> Case:
    """Store one rating; a 差评 opens a 整改 (due in RECTIFY_WORKING_DAYS) and a 回访 (due in visit_days)."""
    case = store.load(ref)
    reasons, note = list(reasons or []), note.strip()
    if case.state not in RATEABLE:
        raise ValidationError(f"案件现为{case.state_label}，受理后才能评价", field="state")
    if errors := feedback.check_rating(level, reasons, note):
        raise ValidationError(errors[0], field="rating")
    now = now or now_local()
    rating = Rating(level=level, rated_at=now.isoformat(), channel=channel, clerk=case.clerk, reasons=reasons,
                    note=note)
    if rating.is_bad:
        rating.rectify_due = workdays.add_working_days(now.date(), feedback.RECTIFY_WORKING_DAYS).isoformat()
    case.ratings.append(rating)
    with store.db.atomic():
        store.db.execute("INSERT INTO ratings (case_uuid, seq, level, rated_at, clerk, rectify_due) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [case.uuid, len(case.ratings), level, rating.rated_at, case.clerk, rating.rectify_due])
        if rating.is_bad:
            _due_visit(store, case.uuid, "bad_rating", now.date())
        _commit(store, case, "rated", actor, {"level": level, "channel": channel, "bad": rating.is_bad}, now)
    store._changed("rated", case.uuid)
    return case


def rectify(store: Store, ref: str, seq: int, result: str, *, actor: str = "",
            now: dt.datetime | None = None) -> Case:
    """The supervisor's 整改 of the `seq`-th rating (1-based): what was verified and done, fed back."""
    case = store.load(ref)
    if not 1 <= seq <= len(case.ratings) or not case.ratings[seq - 1].is_bad:
        raise ValidationError("整改：该案件没有这条差评", field="rating")
    rating = case.ratings[seq - 1]
    if rating.rectified_at:
        raise ValidationError("整改：这条差评已整改完毕", field="rating")
    if not result.strip():
        raise ValidationError("整改情况：请写明核实和整改的情况", field="rectify_result")
    now = now or now_local()
    rating.rectified_at, rating.rectified_by, rating.rectify_result = now.isoformat(), actor, result.strip()
    with store.db.atomic():
        store.db.execute("UPDATE ratings SET rectified_at = ? WHERE case_uuid = ? AND seq = ?",
                         [rating.rectified_at, case.uuid, seq])
        _commit(store, case, "rectified", actor, {"seq": seq}, now)
    store._changed("rectified", case.uuid)
    return case


def record_visit(store: Store, ref: str, reason: str, *, reached: bool, satisfied: bool | None = None,
                 notes: str = "", actor: str = "", now: dt.datetime | None = None) -> Case:
    """The outcome of a 回访. Not reached keeps it due (the office tries again); reached closes it."""
    case = store.load(ref)
    with store.db.atomic():
        _visits_for_completed(store)  # a case 办结 since the list was last read is due already
    row = store.db.execute("SELECT due_date, done_at FROM return_visits WHERE case_uuid = ? AND reason = ?",
                           [case.uuid, reason]).fetchone()
    if row is None or row[1]:
        raise ValidationError(f"回访：该案件没有待办的{feedback.VISIT_REASONS.get(reason, reason)}", field="visit")
    if reached and satisfied is None:
        raise ValidationError("回访：联系上了，请选择群众是否满意", field="satisfied")
    if len(notes) > feedback.NOTE_LIMIT:
        raise ValidationError(f"回访记录：最多{feedback.NOTE_LIMIT}字", field="notes")
    now = now or now_local()
    case.visits.append(Visit(reason=reason, due_date=row[0], done_at=now.isoformat(), by=actor, reached=reached,
                             satisfied=satisfied if reached else None, notes=notes.strip()))
    with store.db.atomic():
        store.db.execute("UPDATE return_visits SET tries = tries + 1, done_at = ? WHERE case_uuid = ? AND reason = ?",
                         [now.isoformat() if reached else None, case.uuid, reason])
        _commit(store, case, "visited", actor, {"visit": reason, "reached": reached, "satisfied": satisfied}, now)
    store._changed("visited", case.uuid)
    return case


def open_rectifications(store: Store, today: dt.date | None = None) -> list[dict[str, Any]]:
    """差评 still to rectify, the most urgent first, each with `overdue`."""
    today = today or now_local().date()
    rows = store.db.query(
        "SELECT r.case_uuid, r.seq, r.level, r.rated_at, r.clerk, r.rectify_due, c.number, c.service, "
        "c.applicant_name, c.township, c.village FROM ratings r JOIN cases c ON c.uuid = r.case_uuid "
        "WHERE r.rectify_due IS NOT NULL AND r.rectified_at IS NULL ORDER BY r.rectify_due, c.number")
    return [{**r, "overdue": r["rectify_due"] < today.isoformat()} for r in rows]


def due_visits(store: Store, today: dt.date | None = None, *, limit: int | None = None,
               area: tuple[str, tuple[str, ...]] | None = None) -> list[dict[str, Any]]:
    """回访 not yet done, the most urgent first (at most `limit`), each with `overdue` and the calls that did not
    reach; `area` (township, villages) limits them to a village agent's, inside the query as Store.search does."""
    today = today or now_local().date()
    with store.db.atomic():
        _visits_for_completed(store)
    place, params = _place(area)
    rows = store.db.query(
        "SELECT v.case_uuid, v.reason, v.due_date, v.tries, c.number, c.service, c.applicant_name, c.township, "
        "c.village, c.clerk FROM return_visits v JOIN cases c ON c.uuid = v.case_uuid WHERE v.done_at IS NULL"
        f"{place} ORDER BY v.due_date, c.number" + (f" LIMIT {int(limit)}" if limit else ""), params)
    return [{**r, "overdue": r["due_date"] < today.isoformat()} for r in rows]


def visit_counts(store: Store, today: dt.date | None = None, *,
                 area: tuple[str, tuple[str, ...]] | None = None) -> tuple[int, int]:
    """How many 回访 are due, and how many of them overdue (after due_visits has brought the list up to date)."""
    today = today or now_local().date()
    place, params = _place(area)
    join = " JOIN cases c ON c.uuid = v.case_uuid" if area else ""
    row = store.db.execute(f"SELECT count(*), coalesce(sum(v.due_date < ?), 0) FROM return_visits v{join} "
                           f"WHERE v.done_at IS NULL{place}", [today.isoformat(), *params]).fetchone()
    return row[0], row[1]


def _place(area: tuple[str, tuple[str, ...]] | None) -> tuple[str, list[str]]:
    if area is None:
        return "", []
    township, villages = area
    villages_sql = f" AND c.village IN ({','.join('?' * len(villages))})" if villages else ""
    return " AND c.township = ?" + villages_sql, [township, *villages]


def _visits_for_completed(store: Store) -> None:
    """A 办结 case of a service the office visits becomes due `visit_days` working days after its 办结 date,
    whether 办结 was the clerk's action or a department's status from the hub (so no hook can miss one).
    Only timeline entries newer than the last read are looked at (table visit_scan), so a list read costs the
    same at 100,000 cases as at 100; in the caller's transaction."""
    last = store.db.execute("SELECT last_event FROM visit_scan WHERE id = 1").fetchone()[0]
    newest = store.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    if newest <= last:
        return
    values = settings.get_all(store.db)
    services = [int(s) for s in values["visit_services"] or []]
    where = f" AND c.service IN ({','.join('?' * len(services))})" if services else ""
    done = store.db.execute(
        "SELECT c.uuid, min(e.at) FROM events e JOIN cases c ON c.uuid = e.case_uuid"
        " WHERE e.id > ? AND e.id <= ? AND c.state = 'completed'"
        " AND (e.kind = 'complete' OR (e.kind = 'hub_status' AND json_extract(e.detail, '$.case_state') = 'completed'))"
        f"{where} GROUP BY c.uuid", [last, newest, *services]).fetchall()
    days = int(values["visit_days"])
    dues: dict[str, str] = {}  # by 办结 date: counting working days costs ~5 ms (chinese_calendar), dates repeat
    for uuid, at in done:
        if at[:10] not in dues:
            dues[at[:10]] = workdays.add_working_days(dt.date.fromisoformat(at[:10]), days).isoformat()
        due = dues[at[:10]]
        store.db.execute("INSERT OR IGNORE INTO return_visits (case_uuid, reason, due_date) VALUES (?, 'completed', ?)",
                         [uuid, due])
    store.db.execute("UPDATE visit_scan SET last_event = ? WHERE id = 1", [newest])


def _due_visit(store: Store, uuid: str, reason: str, start: dt.date) -> None:
    days = int(settings.get(store.db, "visit_days"))
    due = workdays.add_working_days(start, days).isoformat()
    store.db.execute("INSERT INTO return_visits (case_uuid, reason, due_date) VALUES (?, ?, ?) "
                     "ON CONFLICT (case_uuid, reason) DO UPDATE SET due_date = excluded.due_date, done_at = NULL, tries = 0",
                     [uuid, reason, due])


def _commit(store: Store, case: Case, kind: str, actor: str, detail: dict[str, Any], now: dt.datetime) -> None:
    # The store's own steps, in the caller's transaction: timeline, case row with a new revision and its outbox
    # row, audit entry. `detail` holds no personal values (the note and reasons stay in the payload).
    store._event(case.uuid, now, kind, actor, detail)
    store._write(case, now, outbox=True)
    store._audited(actor, f"case.{kind}", case.uuid, detail, now)
