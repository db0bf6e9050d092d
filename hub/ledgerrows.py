"""The hub's stored ledger rows: the ledger's fields of each case's latest revision, kept at write time.

`fields` is the one place that says what a ledger row holds. To add a field: one line in `fields`, and VERSION
one up; at its next start the hub rewrites every row of an older version from the stored payloads (`backfill`,
also what fills the table for a hub that had cases before it existed), so old and new rows agree.
`store` runs inside the case's own transaction (hub/cases.py), so a case and its ledger row commit together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select

from desktop.domain.case import received_brief
from desktop.domain.idnumber import mask_id
from hub.db import cases, ledger_rows, meta_get, meta_set, number_day, writing

VERSION = 1
META_KEY = "ledger_rows_version"  # the VERSION every row has been brought to
BATCH = 2_000


def fields(p: dict[str, Any]) -> dict[str, Any]:
    """The ledger's fields of one payload (the shape desktop.ledger.query.local_summaries makes); the ID number
    masked (the whole number is its own column, read only for a supervisor: hub/ledger.py)."""
    applicant, proxy = p.get("applicant") or {}, p.get("proxy") or {}
    missing = p.get("missing") or []
    return {"number": p.get("number") or "", "service": p["service"], "state": p["state"],
            "accepted_at": p.get("accepted_at"), "applicant_name": (applicant.get("name") or "").strip(),
            "id_number": mask_id(applicant["id_number"]) if applicant.get("id_number") else "",
            "township": applicant.get("township") or "", "village": applicant.get("village") or "",
            "clerk": p.get("clerk") or "", "window": p.get("window") or "", "method": p.get("method") or "",
            "applied_by": p.get("applied_by") or "self", "proxy_kind": p.get("proxy_kind") or "",
            "proxy_name": proxy.get("name") or "", "missing": len(missing), "missing_ids": missing,
            "received": received_brief(p.get("materials") or {}, missing),  # [id, how, count]; only while missing
            "items": p.get("items") or []}


def row(uuid: str, office: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The ledger_rows row of a case's payload."""
    data = fields(payload)
    return {"case_uuid": uuid, "office": office, "accepted_on": number_day(data["number"]) or "-",
            "accepted_at": data["accepted_at"] or "", "number": data["number"], "version": VERSION,
            "id_number": (payload.get("applicant") or {}).get("id_number") or "",
            "data": json.dumps(data, ensure_ascii=False, separators=(",", ":"))}


def store(conn: Connection, uuid: str, office: str, payload: dict[str, Any], *, new: bool) -> None:
    """The case's ledger row for this revision, in the caller's transaction."""
    values = row(uuid, office, payload)
    if new:
        conn.execute(ledger_rows.insert().values(**values))
    elif not conn.execute(ledger_rows.update().where(ledger_rows.c.case_uuid == uuid).values(**values)).rowcount:
        conn.execute(ledger_rows.insert().values(**values))  # a case stored while the back-fill had not reached it


def backfill(engine: Engine) -> int:
    """Rows for cases without one, or with one of an older VERSION, from their stored payloads; in batches by
    UUID, each its own transaction, so a stop halfway resumes where it was; then the version is noted, so later
    starts skip the pass. Returns how many rows were written."""
    if meta_get(engine, META_KEY) == str(VERSION):
        return 0
    done, after = 0, ""
    while True:
        with writing(engine) as conn:
            todo = conn.execute(
                select(cases.c.uuid, cases.c.office, cases.c.payload, ledger_rows.c.version)
                .outerjoin(ledger_rows, ledger_rows.c.case_uuid == cases.c.uuid)
                .where(and_(cases.c.uuid > after, or_(ledger_rows.c.version.is_(None),
                                                      ledger_rows.c.version != VERSION)))
                .order_by(cases.c.uuid).limit(BATCH)).all()
            if not todo:
                meta_set(conn, META_KEY, str(VERSION))
                return done
            after = todo[-1].uuid
            stale = [r.uuid for r in todo if r.version is not None]
            if stale:
                conn.execute(ledger_rows.delete().where(ledger_rows.c.case_uuid.in_(stale)))
            conn.execute(ledger_rows.insert(), [row(r.uuid, r.office, json.loads(r.payload)) for r in todo])
            done += len(todo)


def read(conn: Connection, office: str, low: str, high: str) -> Sequence[Any]:
    """(case_uuid, data, revision, updated_at, device_id, id_number) of the office's rows whose number's day is
    in [low, high] (YYYYMMDD), by the index ledger_rows_office_day."""
    return conn.execute(
        select(ledger_rows.c.case_uuid, ledger_rows.c.data, cases.c.revision, cases.c.updated_at, cases.c.device_id,
               ledger_rows.c.id_number)
        .join(cases, cases.c.uuid == ledger_rows.c.case_uuid)
        .where(and_(ledger_rows.c.office == office, ledger_rows.c.accepted_on >= low,
                    ledger_rows.c.accepted_on <= high))).all()
