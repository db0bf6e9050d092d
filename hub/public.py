"""The citizen's progress and rating pages: GET /p/{code}, GET and POST /p/{code}/rate (no token; HTML).

The code is the case's random `public_code` (128 bits, set at acceptance, printed in the receipt's and the
rating slip's QR; table case_codes), never the case number. The page shows what the citizen may see: the
service, the masked name, states, due dates, materials still missing, the 公示 stage; nothing else of the
payload. An unknown code gets the same plain 404 as any miss. Every page view counts against the address's
allowance, and unknown codes against a much smaller one (hub/limits.py), so codes cannot be walked.

A rating given here is kept once per case (citizen_ratings) and published on the office's change feed as a
'rating' entry; the desk turns it into the case's rating at its next sync (desktop/sync/apply.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from desktop.domain import catalog as catalog_mod, feedback, publicity
from desktop.domain.case import STATES
from desktop.domain.errors import DeskError
from desktop.domain.idnumber import mask_name
from desktop.protocol.schema import CODE_RE
from hub import cases as cases_mod, limits, pages
from hub.db import case_codes, cases, citizen_ratings, utcnow

router = APIRouter()  # the page routes are plain `def`s: FastAPI runs them in its threadpool, off the event loop
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}


def _html(text: str, status: int = 200, **extra: str) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS | extra)


@dataclass(frozen=True, repr=False)  # its payload is the whole case: never in a log through a repr
class Found:
    """A known code's case: what the pages show of it and what a rating needs."""

    uuid: str
    office: str
    payload: dict[str, Any]
    updated_at: str
    rated: bool

    def view(self, code: str) -> dict[str, Any]:
        return view(self.payload, code, self.updated_at, self.rated, dt.date.today())


def _find(request: Request, code: str, *, unrated: bool = False) -> Found | HTMLResponse:
    """The case of a known code, or the page to answer instead: 429, 404, and (`unrated`) the thanks page of a
    case already rated. Blocking (a SELECT): call it from a worker thread, never on the event loop."""
    state, where = request.app.state.limits, limits.address(request.scope)
    # every view counts (60 a minute per address), checked and counted in one step as threads run side by side
    if wait := state.codes.retry_after(where) or state.pages.take(where):
        return _html(pages.too_many(), 429, **{"Retry-After": str(wait)})
    row = None
    if CODE_RE.fullmatch(code):
        with request.app.state.engine.connect() as conn:
            row = conn.execute(select(cases.c.uuid, cases.c.office, cases.c.payload, cases.c.updated_at,
                                      citizen_ratings.c.level)
                               .join(case_codes, case_codes.c.case_uuid == cases.c.uuid)
                               .outerjoin(citizen_ratings, citizen_ratings.c.case_uuid == cases.c.uuid)
                               .where(case_codes.c.code == code)).first()
    if row is None:
        state.codes.failed(where)
        return _html(pages.not_found(), 404)
    payload = json.loads(row.payload)
    found = Found(row.uuid, row.office, payload, row.updated_at, bool(row.level or payload.get("ratings")))
    return _html(pages.thanks(code, already=True)) if unrated and found.rated else found


def view(payload: dict[str, Any], code: str, updated: str, rated: bool, today: dt.date) -> dict[str, Any]:
    """What the page shows of a payload: nothing personal but the masked name."""
    service = _service(payload["service"])
    materials = {m.id: m.name for m in service.materials} if service else {}
    p = payload.get("publicity")
    return {
        "code": code, "rated": rated,
        "service": service.name if service else "、".join(i["name"] for i in payload["items"]) or "一件事",
        "name": mask_name(payload["applicant"]["name"]),
        "accepted": (payload.get("accepted_at") or "")[:10],
        "state": STATES.get(payload["state"], payload["state"]),
        "items": [{"name": i["name"], "status": STATES.get(i["status"], i["status"]), "due": i.get("due_date") or ""}
                  for i in payload["items"]],
        "missing": [materials.get(m, "材料") for m in payload.get("missing", [])],
        "deadline": payload.get("notice_deadline") or "",
        "publicity": publicity.stage(publicity.Publicity(**p), today) if p else "",
        "updated": _local(updated),
    }


def _service(number: int) -> Any:
    """The catalog's service (the hub ships with the desk's catalog); None when this hub has no catalog."""
    try:
        return catalog_mod.load().services.get(number)
    except DeskError:
        return None


def _local(at: str) -> str:
    return dt.datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")


@router.get("/p/{code}", response_class=HTMLResponse, include_in_schema=False)
def progress_page(code: str, request: Request) -> HTMLResponse:
    found = _find(request, code)
    return found if isinstance(found, HTMLResponse) else _html(pages.progress(found.view(code)))


@router.get("/p/{code}/rate", response_class=HTMLResponse, include_in_schema=False)
def rating_page(code: str, request: Request) -> HTMLResponse:
    found = _find(request, code, unrated=True)
    return found if isinstance(found, HTMLResponse) else _html(pages.rating_form(found.view(code)))


@router.post("/p/{code}/rate", response_class=HTMLResponse, include_in_schema=False)
async def rate(code: str, request: Request) -> HTMLResponse:
    found = await anyio.to_thread.run_sync(lambda: _find(request, code, unrated=True))
    if isinstance(found, HTMLResponse):
        return found
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    chosen: dict[str, Any] = {"level": (form.get("level") or [""])[0], "reasons": form.get("reason", []),
              "note": (form.get("note") or [""])[0].strip()}
    if errors := feedback.check_rating(chosen["level"], chosen["reasons"], chosen["note"]):
        return _html(pages.rating_form(found.view(code), errors[0], chosen), 422)
    stored = await request.app.state.writer.run(_rating_job(found.uuid, found.office, chosen))
    return _html(pages.thanks(code, already=not stored))


def _rating_job(uuid: str, office: str, chosen: dict[str, Any]):
    """A group-writer job: the rating kept once (False if the case was rated meanwhile) and published."""

    def job(conn) -> bool:
        if conn.execute(select(citizen_ratings.c.level).where(citizen_ratings.c.case_uuid == uuid)).first():
            return False
        at = utcnow()
        conn.execute(citizen_ratings.insert().values(case_uuid=uuid, level=chosen["level"], at=at))
        cases_mod.publish(conn, office, "rating", uuid, {**chosen, "at": at})
        return True

    return job
