"""GET /v1/ledger: the office's cases accepted in a date range, as ledger summaries (desktop/ledger/hub.py).

Each summary has the ledger's fields of the case's latest revision on the hub (stored with the revision:
hub/ledgerrows.py; for a case still missing materials also `missing_ids` and `received`, [material id, how,
count]: the desk names them from its catalog), the device that sent it, and `statuses`: the department statuses published for it after
that revision arrived (the desk folds them in the way its sync core applies them). ID numbers are masked with
desktop.domain.idnumber.mask_id (the one masking function, applied when the row is stored) unless `personal=1`
with a supervisor's own hub credential (hub/supervisors.py): a device token alone never gets full numbers;
each such export is recorded on the hub (`personal_exports`). `devices` lists each device of the office with
the queue length it last reported, so the ledger can say what has not arrived yet.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import and_, select

from desktop.protocol import schema as syncschema
from hub import devices as devices_mod, ledgerrows, supervisors
from hub.auth import Dev
from hub.cases import CaseError
from hub.db import changes, devices

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

    Read from the rows stored with each revision (hub/ledgerrows.py): the day in the case number picks the
    range by index; the acceptance time then decides. No payload is parsed here."""
    low, high, lo, hi = f"{start:%Y%m%d}", f"{end:%Y%m%d}", start.isoformat(), end.isoformat()
    with engine.connect() as conn:
        names = dict(conn.execute(select(devices.c.id, devices.c.name).where(devices.c.office == office)).all())
        found = []
        for uuid, data, revision, updated_at, device_id, id_number in ledgerrows.read(conn, office, low, high):
            s = json.loads(data)  # the ID number masked when the row was stored
            if lo <= (s["accepted_at"] or "")[:10] <= hi:
                s |= {"uuid": uuid, "revision": revision, "updated_at": updated_at, "device": names.get(device_id, "")}
                if personal:
                    s["id_number"] = id_number
                found.append(s)
        _statuses(conn, office, found)
    return sorted(found, key=lambda s: (s["accepted_at"] or "", s["number"]))


def _statuses(conn, office: str, found: list[dict[str, Any]]) -> None:
    """Each summary's `statuses`: the department statuses published after its revision arrived."""
    by_uuid = {s["uuid"]: s for s in found}
    for s in found:
        s["statuses"] = []
    uuids = list(by_uuid)
    for i in range(0, len(uuids), CHUNK):
        later = conn.execute(select(changes.c.case_uuid, changes.c.data, changes.c.created_at).where(and_(
            changes.c.case_uuid.in_(uuids[i:i + CHUNK]), changes.c.office == office, changes.c.kind == "status"))
            .order_by(changes.c.id)).all()
        for uuid, data, at in later:
            if at > by_uuid[uuid]["updated_at"]:
                by_uuid[uuid]["statuses"].append(_status(data))


def _status(data: str) -> dict[str, Any]:
    entry = json.loads(data)
    return {"state": entry["state"], "item": entry.get("item", ""), "at": entry.get("at", "")}
