"""GET /v1/ratings: 好差评 and 整改 totals of the device's office (every window and laptop) for a range of rated
days, per clerk and service; `python -m hub ratings` gives the same for every office of the county.

Read from rating_rows (kept with each case write, hub/cases.py), never from payloads. No personal data: a
clerk's name, a service number and counts. The desk's ledger shows them (desktop/ledger/ratings.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import and_, case, func, select

from desktop.domain import feedback
from desktop.protocol import schema as syncschema
from hub.auth import Dev
from hub.db import rating_rows
from hub.ledger import _range

router = APIRouter()


@router.get("/v1/ratings")
def ratings(request: Request, dev: Dev, date_from: str, date_to: str) -> JSONResponse:
    """For the supervisor's ledger: this office's ratings given from date_from to date_to, totalled."""
    start, end = _range(date_from, date_to)
    rows = totals(request.app.state.engine, start, end, office=dev.office)
    return JSONResponse(syncschema.envelope(True, office=dev.office, date_from=start.isoformat(),
                                            date_to=end.isoformat(), totals=rows))


def totals(engine, start: dt.date, end: dt.date, *, office: str | None = None,
           today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per (office, clerk, service): each level's count, 整改 done, open and overdue; `office` None: all.
    Counted by the database (GROUP BY), so a month of a county's ratings is one small answer."""
    r = rating_rows.c
    where = [r.rated_day >= start.isoformat(), r.rated_day <= end.isoformat()]
    if office is not None:
        where.append(r.office == office)
    due, done = r.rectify_due.is_not(None), r.rectified_at.is_not(None)
    late = and_(due, r.rectified_at.is_(None), r.rectify_due < (today or dt.date.today()).isoformat())
    query = (select(r.office, r.clerk, r.service, r.level, func.count(),
                    func.sum(case((and_(due, done), 1), else_=0)), func.sum(case((and_(due, ~done), 1), else_=0)),
                    func.sum(case((late, 1), else_=0)))
             .where(and_(*where)).group_by(r.office, r.clerk, r.service, r.level)
             .order_by(r.office, r.clerk, r.service))
    out: dict[tuple[str, str, int], dict[str, Any]] = {}
    with engine.connect() as conn:
        for office_, clerk, service, level, count, rectified, open_, overdue in conn.execute(query):
            entry = out.setdefault((office_, clerk, service), {
                "office": office_, "clerk": clerk, "service": service,
                "levels": dict.fromkeys(feedback.LEVELS, 0), "rectified": 0, "open": 0, "overdue": 0})
            entry["levels"][level] = entry["levels"].get(level, 0) + count
            entry["rectified"] += rectified or 0
            entry["open"] += open_ or 0
            entry["overdue"] += overdue or 0
    return list(out.values())
