"""好差评 totals per clerk and service for a date range (rated dates, inclusive): each level, 差评, 整改 done,
open and overdue, and the satisfaction rate: this device's, or the whole office's from the hub.

    rows = ratings.totals(store, date_from, date_to, today=None)   # list[RatingTotals], this device's
    rows = ratings.from_hub(store.db, date_from, date_to)           # the office's (GET /v1/ratings, hub/ratings.py)
    rows, source, warning = ratings.for_ledger(store, filters, source)   # what the ledger prints (query.py)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.domain import feedback
from desktop.storage import settings


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


def from_hub(db, date_from: dt.date, date_to: dt.date, *, transport=None) -> list[RatingTotals]:
    """The office's totals from the hub; HubUnavailableError with the reason in Chinese otherwise."""
    from desktop.ledger import hub as ledger_hub  # the hub's client (httpx): only when a hub is asked
    from desktop.sync import state as syncstate
    from desktop.sync.client import HubFailureError

    try:
        with ledger_hub.RatingsClient(settings.get(db, "hub_url"), syncstate.get(db, "token"), timeout=30.0,
                           transport=transport) as client:
            rows = client.ratings(date_from, date_to)
    except HubFailureError as failure:
        raise ledger_hub.HubUnavailableError(failure.message) from None
    return [RatingTotals(r["clerk"], r["service"], dict.fromkeys(feedback.LEVELS, 0) | r["levels"], r["rectified"],
                         r["open"], r["overdue"]) for r in rows]


def for_ledger(store, filters, source: str, clerks: set[str], today: dt.date) -> tuple[list[RatingTotals], str, str]:
    """The ledger's 好差评 section: rated in the ledger's date range, the office's when the ledger's rows came
    from the hub (else this device's), narrowed by the ledger's clerk and service; (rows, source, warning)."""
    warning = ""
    rows = None
    if source == "hub":
        from desktop.ledger import hub as ledger_hub

        try:
            rows = from_hub(store.db, filters.date_from, filters.date_to)
        except ledger_hub.HubUnavailableError as exc:
            warning, source = f"评价合计：{exc.message}；以下仅为本机评价", "local"
    if rows is None:
        rows = totals(store, filters.date_from, filters.date_to, today=today)
    rows = [r for r in rows if (not filters.service or r.service == filters.service)
            and (not filters.clerk or r.clerk in clerks)]
    return rows, source, warning
