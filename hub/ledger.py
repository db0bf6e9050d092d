"""GET /v1/ledger: the office's cases accepted in a date range, as ledger summaries (desktop/ledger/hub.py).

Each summary has the ledger's fields of the case's latest revision on the hub (for a case still missing
materials also `missing_ids` and `received`, [material id, how, count]: the desk names them from its catalog),
the device that sent it, and `statuses`: the department statuses published for it after that revision arrived
(the desk folds them in the way its sync core applies them). ID numbers are masked with desktop.domain.idnumber.mask_id (the one masking function)
unless `personal=1` with a supervisor's own hub credential (hub/supervisors.py): a device token alone never gets
full numbers; each such export is recorded on the hub (`personal_exports`). `devices` lists each device
of the office with the queue length it last reported, so the ledger can say what has not arrived yet.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import and_, select

from desktop.domain.case import received_brief
from desktop.domain.idnumber import mask_id
from desktop.protocol import schema as syncschema
from hub import devices as devices_mod, supervisors
from hub.auth import Dev
from hub.cases import CaseError
from hub.db import cases, changes, devices

MAX_DAYS = 366
CHUNK = 500
router = APIRouter()


@router.get("/v1/ledger")
def ledger(request: Request, dev: Dev, date_from: str, date_to: str,
           personal: Annotated[int, Query(ge=0, le=1)] = 0) -> JSONResponse:
    """For the supervisor's ledger: every case of this device's office accepted from date_from to date_to."""
    start, end = _range(date_from, date_to)
    engine = request.app.state.engine
    supervisor = supervisors.check(request, dev) if personal else ""
    found = office_cases(engine, dev.office, start, end, personal=bool(personal))
    if personal:  # recorded before the numbers leave: an export the hub cannot record does not happen
        supervisors.record(engine, dev.id, supervisor, start.isoformat(), end.isoformat(), len(found))
    queues = [{"device": d["device"], "pending_reported": d["pending_reported"], "last_seen_at": d["last_seen_at"]}
              for d in devices_mod.summary(engine, dev.office) if not d["revoked"]]
    request.scope.setdefault("state", {}).setdefault("log", {}).update(cases=len(found), personal=personal)
    return JSONResponse(syncschema.envelope(True, office=dev.office, date_from=start.isoformat(),
                                            date_to=end.isoformat(), cases=found, devices=queues))


def _range(date_from: str, date_to: str) -> tuple[dt.date, dt.date]:
    try:
        start, end = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    except ValueError:
        raise CaseError(422, "bad_range", "日期格式不对，应为 YYYY-MM-DD") from None
    if end < start or (end - start).days >= MAX_DAYS:
        raise CaseError(422, "bad_range", f"日期范围不对：结束日期不能早于开始日期，且不超过{MAX_DAYS}天")
    return start, end


def office_cases(engine, office: str, start: dt.date, end: dt.date, *, personal: bool) -> list[dict[str, Any]]:
    """Summaries of the office's cases accepted in [start, end], oldest first.

    The day in the case number (`accepted_on`, index cases_office_day) picks the range's cases, so only their
    payloads are read; the acceptance time in the payload then decides."""
    low, high = f"{start:%Y%m%d}", f"{end:%Y%m%d}"
    with engine.connect() as conn:
        wanted = list(conn.execute(select(cases.c.uuid).where(and_(
            cases.c.office == office, cases.c.accepted_on >= low, cases.c.accepted_on <= high))).scalars())
        found = []
        for i in range(0, len(wanted), CHUNK):
            found += _chunk(conn, office, wanted[i:i + CHUNK], personal)
    lo, hi = start.isoformat(), end.isoformat()
    found = [s for s in found if lo <= (s["accepted_at"] or "")[:10] <= hi]
    return sorted(found, key=lambda s: (s["accepted_at"] or "", s["number"]))


def _chunk(conn, office: str, uuids: list[str], personal: bool) -> list[dict[str, Any]]:
    rows = conn.execute(select(cases.c.uuid, cases.c.revision, cases.c.payload, cases.c.updated_at, devices.c.name)
                        .join(devices, devices.c.id == cases.c.device_id).where(cases.c.uuid.in_(uuids))).all()
    later = conn.execute(select(changes.c.case_uuid, changes.c.data, changes.c.created_at).where(and_(
        changes.c.office == office, changes.c.kind == "status", changes.c.case_uuid.in_(uuids)))
        .order_by(changes.c.id)).all()
    published: dict[str, list[tuple[str, str]]] = {}
    for uuid, data, at in later:
        published.setdefault(uuid, []).append((at, data))
    out = []
    for uuid, revision, payload, updated_at, device in rows:
        s = summary(json.loads(payload), uuid=uuid, revision=revision, updated_at=updated_at, device=device,
                    personal=personal)
        s["statuses"] = [_status(data) for at, data in published.get(uuid, []) if at > updated_at]
        out.append(s)
    return out


def _status(data: str) -> dict[str, Any]:
    entry = json.loads(data)
    return {"state": entry["state"], "item": entry.get("item", ""), "at": entry.get("at", "")}


def summary(p: dict[str, Any], *, uuid: str, revision: int, updated_at: str, device: str,
            personal: bool) -> dict[str, Any]:
    """The ledger's fields of one payload (the same shape desktop.ledger.query.local_summaries makes)."""
    applicant, proxy = p.get("applicant") or {}, p.get("proxy") or {}
    id_number, missing = applicant.get("id_number") or "", p.get("missing") or []
    return {"uuid": uuid, "number": p.get("number") or "", "revision": revision, "updated_at": updated_at,
            "service": p["service"], "state": p["state"], "accepted_at": p.get("accepted_at"),
            "applicant_name": (applicant.get("name") or "").strip(),
            "id_number": id_number if personal or not id_number else mask_id(id_number),
            "township": applicant.get("township") or "", "village": applicant.get("village") or "",
            "clerk": p.get("clerk") or "", "window": p.get("window") or "", "method": p.get("method") or "",
            "applied_by": p.get("applied_by") or "self", "proxy_kind": p.get("proxy_kind") or "",
            "proxy_name": proxy.get("name") or "", "missing": len(missing), "missing_ids": missing,
            "received": received_brief(p.get("materials") or {}, missing),  # [id, how, count]; only while missing
            "items": p.get("items") or [], "device": device}
