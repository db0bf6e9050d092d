"""The one rule for 超期 (overdue), used by the home lists, the case view, the ledger and its totals.

A case's due date is the nearest due date of its items still being handled (the latest of all once none is);
it is overdue when that date has passed while the case is open. A suspended case (已中止) is not overdue: its
clock stops, and 续办 moves its dates on by the working days it spent suspended (docs/decisions.md). A closed
item (办结, 终止) is never overdue, whatever its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

# states whose clock runs (the open states of desktop.domain.states, without 已中止 which is not among them)
RUNNING = ("accepted", "pending_materials", "submitted", "in_progress")
CLOSED = ("completed", "terminated")


def _due_and_status(item: Any) -> tuple[str | None, str | None]:
    # a plain dict first: isinstance(…, Mapping) goes through the ABC machinery, and a year's ledger asks
    # this of 100,000 items (issue 16)
    if type(item) is dict or isinstance(item, Mapping):
        return item.get("due_date"), item.get("status")
    return getattr(item, "due_date", None), getattr(item, "status", None)


def case_due_date(items: Iterable[Any], state: str) -> str | None:
    """The date that decides: while the case's clock runs, the nearest of the open items' due dates; once it
    is closed or suspended (or no item is open), the latest of all (or None).

    `items` are ItemStates or their dicts (with `due_date` and `status`)."""
    pairs = [_due_and_status(i) for i in items]
    dates = [due for due, _ in pairs if due]
    open_dates = [due for due, status in pairs if due and status not in CLOSED]
    if open_dates and state not in CLOSED and state != "suspended":
        return min(open_dates)
    return max(dates) if dates else None


def is_overdue(state: str, due_date: str | None, today: dt.date) -> bool:
    """Whether a case in `state` with the decisive `due_date` (ISO) is overdue on `today`."""
    return bool(state in RUNNING and due_date and due_date < today.isoformat())


def item_overdue(case_state: str, item_status: str | None, due_date: str | None, today: dt.date) -> bool:
    """Whether one item of a case is overdue: the case's clock runs and the item is not yet closed."""
    return item_status not in CLOSED and is_overdue(case_state, due_date, today)


def due_and_overdue(state: str, items: Iterable[Any], today: dt.date) -> tuple[str | None, bool]:
    """The case's decisive due date and whether it is overdue on `today`."""
    due = case_due_date(items, state)
    return due, is_overdue(state, due, today)
