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
from sqlalchemy import and_, select

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
    """Per (office, clerk, service): each level's count, 整改 done, open and overdue; `office` None: all."""
    today_iso = (today or dt.date.today()).isoformat()
    where = [rating_rows.c.rated_day >= start.isoformat(), rating_rows.c.rated_day <= end.isoformat()]
    if office is not None:
        where.append(rating_rows.c.office == office)
    query = (select(rating_rows.c.office, rating_rows.c.clerk, rating_rows.c.service, rating_rows.c.level,
                    rating_rows.c.rectify_due, rating_rows.c.rectified_at).where(and_(*where))
             .order_by(rating_rows.c.office, rating_rows.c.clerk, rating_rows.c.service))
    out: dict[tuple[str, str, int], dict[str, Any]] = {}
    with engine.connect() as conn:
        for r in conn.execute(query):
            entry = out.setdefault((r.office, r.clerk, r.service), {
                "office": r.office, "clerk": r.clerk, "service": r.service,
                "levels": dict.fromkeys(feedback.LEVELS, 0), "rectified": 0, "open": 0, "overdue": 0})
            entry["levels"][r.level] = entry["levels"].get(r.level, 0) + 1
            if r.rectify_due and r.rectified_at:
                entry["rectified"] += 1
            elif r.rectify_due:
                entry["open"] += 1
                entry["overdue"] += r.rectify_due < today_iso
    return list(out.values())
