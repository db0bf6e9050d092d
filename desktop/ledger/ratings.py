"""好差评 totals per clerk and service for a date range (rated dates, inclusive): each level, 差评, 整改 done,
open and overdue, and the satisfaction rate. This device's ratings only (the hub-wide view is still to do).

    rows = ratings.totals(store, date_from, date_to, today=None)   # list[RatingTotals], clerk then service
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.domain import feedback


@dataclass
class RatingTotals:
    """One clerk's ratings for one service; `levels` counts each of feedback.LEVELS."""

    clerk: str
    service: int
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(feedback.LEVELS, 0))
    rectified: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def count(self) -> int:
        return sum(self.levels.values())

    @property
    def bad(self) -> int:
        return sum(self.levels[k] for k in feedback.BAD)

    @property
    def satisfaction(self) -> float:
        """满意率: the share of ratings that are not 差评 (基本满意 counts as satisfied)."""
        return (self.count - self.bad) / self.count if self.count else 0.0


def totals(store, date_from: dt.date, date_to: dt.date, *, today: dt.date | None = None) -> list[RatingTotals]:
    today_iso = (today or dt.date.today()).isoformat()
    rows = store.db.execute(
        "SELECT r.clerk, c.service, r.level, r.rectify_due, r.rectified_at FROM ratings r "
        "JOIN cases c ON c.uuid = r.case_uuid WHERE substr(r.rated_at, 1, 10) BETWEEN ? AND ? "
        "ORDER BY r.clerk, c.service", [date_from.isoformat(), date_to.isoformat()]).fetchall()
    out: dict[tuple[str, int], RatingTotals] = {}
    for clerk, service, level, due, done in rows:
        entry = out.setdefault((clerk, service), RatingTotals(clerk, service))
        entry.levels[level] += 1
        if due and done:
            entry.rectified += 1
        elif due:
            entry.open += 1
            entry.overdue += due < today_iso
    return list(out.values())
