"""PUT /v1/audit: each device's audit trail, kept on the hub as an append-only copy of its hash chain.

A device sends its entries in chain order (desktop/storage/audit.py's export). The hub keys them by the device its
token names and the entry id, and appends an entry only when it is the next one (id = last + 1), its
prev_hash is the hash of the last entry held and its own hash matches its content (desktop/protocol/auditchain.py, the
desk's own function). An entry the hub already holds is compared with it: identical → replayed.
The first entry that fails stops the batch: 409 naming it and why (gap, broken, edited, changed); the entries
before it are kept, nothing from it on. Every answer says the last id the hub holds for the device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine, and_, delete, func, select
from sqlalchemy.exc import IntegrityError

from desktop.protocol import auditchain, schema as syncschema
from hub.auth import Dev
from hub.cases import CaseError
from hub.db import audit_entries, audit_heads, audit_refusals, utcnow

MAX_BATCH = 1000
MAX_DETAIL = 4000  # characters of canonical JSON: an entry's detail holds codes and counts, never documents
HASH = r"^[0-9a-f]{64}$"
router = APIRouter()


class AuditEntry(BaseModel):
    """One entry as audit.export gives it (detail decoded)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    id: int = Field(ge=1, le=syncschema.MAX_ID)
    at: str = Field(max_length=40)
    device: str = Field(max_length=100)
    username: str = Field(max_length=100)
    action: str = Field(max_length=50)
    case_uuid: str | None = Field(max_length=36)
    detail: dict[str, Any]
    prev_hash: str = Field(pattern=HASH)
    hash: str = Field(pattern=HASH)


class AuditHead(BaseModel):
    """The desk's newest entry (id 0 and GENESIS when it has none), reported on every sync pass."""

    model_config = ConfigDict(strict=True, extra="forbid")
    id: int = Field(ge=0, le=syncschema.MAX_ID)
    hash: str = Field(pattern=HASH)


class AuditPut(BaseModel):
    """PUT /v1/audit: up to MAX_BATCH entries in chain order (an empty list asks for the hub's last id), and the
    desk's head: behind what the hub holds, or another hash at its id, means the desk's trail lost or changed
    entries the hub has (`audit_changed` at the first one)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    entries: list[AuditEntry] = Field(max_length=MAX_BATCH)
    head: AuditHead | None = None


@dataclass
class Received:
    """What one push did: the last id held afterwards, counts, and the first refused entry if any."""

    last_id: int
    last_hash: str = auditchain.GENESIS
    stored: int = 0
    replayed: int = 0
    bad_id: int | None = None
    reason: str | None = None


@router.put("/v1/audit")
async def audit_put(body: AuditPut, request: Request, dev: Dev) -> JSONResponse:
    """Append the device's entries after the last one held, or say which entry does not follow on."""
    rows = [auditchain.stored_form(e.model_dump()) for e in body.entries]
    if too_big := [r["id"] for r in rows if len(r["detail"]) > MAX_DETAIL]:
        return _answer(422, error={"code": "invalid", "message": "请求格式不对"},
                       reasons=[f"entries：第{i}条的detail超过{MAX_DETAIL}个字符" for i in too_big[:20]])
    head = body.head.model_dump() if body.head else None
    result = await request.app.state.writer.run(lambda conn: receive(conn, dev.id, rows, head))
    request.scope.setdefault("state", {}).setdefault("log", {}).update(
        audit_last=result.last_id, audit_stored=result.stored, audit_replayed=result.replayed,
        refused=result.reason, audit_bad=result.bad_id)
    counts = {"last_id": result.last_id, "last_hash": result.last_hash, "stored": result.stored,
              "replayed": result.replayed}
    if result.reason is None:
        return _answer(200, **counts)
    message = auditchain.refusal_message(result.reason, result.bad_id, result.last_id)
    return _answer(409, error={"code": f"audit_{result.reason}", "message": message}, bad_id=result.bad_id,
                   reason=result.reason, **counts)


def _answer(status: int, **data: Any) -> JSONResponse:
    return JSONResponse(syncschema.envelope(status == 200, **data), status_code=status)


def receive(conn: Connection, device_id: int, rows: list[dict[str, Any]], reported: dict | None = None) -> Received:
    """Append `rows` (stored form, chain order) to the device's chain in `conn`'s transaction, then hold the
    desk's reported `head` against what the hub has."""
    last_id, last_hash = head(conn, device_id)
    result = Received(last_id)
    held = _held(conn, device_id, [r["id"] for r in rows if r["id"] <= last_id])
    new: list[dict[str, Any]] = []
    for row in rows:
        replay = row["id"] <= last_id
        reason = (None if held.get(row["id"]) == row else "changed") if replay else \
            auditchain.next_refusal(last_id, last_hash, row)
        if reason is not None:
            result.bad_id, result.reason = row["id"], reason
            break
        if replay:
            result.replayed += 1
            continue
        new.append(row)
        held[row["id"]], last_id, last_hash = row, row["id"], row["hash"]
    result.last_id, result.last_hash, result.stored = last_id, last_hash, len(new)
    _store(conn, device_id, new)
    if reported is not None and result.reason is None:
        _check_head(conn, device_id, reported, result, held)
    _note_refusal(conn, device_id, result)
    return result


def _check_head(conn: Connection, device_id: int, head: dict, result: Received, held: dict[int, dict]) -> None:
    """The desk's newest entry must be one the hub holds unchanged, or one past it; remembered either way."""
    if head["id"] < result.last_id:  # the hub holds entries after the desk's newest: deleted on the desk
        result.bad_id, result.reason = head["id"] + 1, "changed"
    elif head["id"] and head["id"] <= result.last_id:
        mine = held.get(head["id"]) or _held(conn, device_id, [head["id"]]).get(head["id"])
        if mine is None or mine["hash"] != head["hash"]:
            result.bad_id, result.reason = head["id"], "changed"
    values = {"entry_id": head["id"], "hash": head["hash"], "at": utcnow()}
    if conn.execute(audit_heads.update().where(audit_heads.c.device_id == device_id).values(**values)).rowcount == 0:
        conn.execute(audit_heads.insert().values(device_id=device_id, **values))


def head(conn: Connection, device_id: int) -> tuple[int, str]:
    """The id and hash of the last entry the hub holds for the device (0 and GENESIS when none)."""
    row = conn.execute(select(audit_entries.c.entry_id, audit_entries.c.hash)
                       .where(audit_entries.c.device_id == device_id)
                       .order_by(audit_entries.c.entry_id.desc()).limit(1)).first()
    return (row.entry_id, row.hash) if row else (0, auditchain.GENESIS)


def _held(conn: Connection, device_id: int, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    found = conn.execute(select(audit_entries).where(and_(audit_entries.c.device_id == device_id,
                                                          audit_entries.c.entry_id.in_(ids)))).all()
    return {r.entry_id: {"id": r.entry_id, **{k: getattr(r, k) for k in auditchain.FIELDS[1:]}} for r in found}


def _store(conn: Connection, device_id: int, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    now = utcnow()
    values = [{"device_id": device_id, "entry_id": r["id"], "received_at": now,
               **{k: r[k] for k in auditchain.FIELDS[1:]}} for r in rows]
    try:
        conn.execute(audit_entries.insert(), values)
    except IntegrityError:  # the same device's entries through another hub process a moment ago: retried
        raise CaseError(503, "busy", "服务器繁忙，请稍后重试") from None


def _note_refusal(conn: Connection, device_id: int, result: Received) -> None:
    """Remember the latest refusal for the supervisors' summary; forget it once the chain has grown past it."""
    if result.reason is not None:
        conn.execute(delete(audit_refusals).where(audit_refusals.c.device_id == device_id))
        conn.execute(audit_refusals.insert().values(device_id=device_id, entry_id=result.bad_id,
                                                    reason=result.reason, last_id=result.last_id, at=utcnow()))
    elif result.stored:
        conn.execute(delete(audit_refusals).where(and_(audit_refusals.c.device_id == device_id,
                                                       audit_refusals.c.entry_id <= result.last_id)))


def heads(engine: Engine, device_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per device: last entry id and time held, and the open refusal (entry, reason, message, when) or None."""
    if not device_ids:
        return {}
    last = (select(audit_entries.c.device_id, func.max(audit_entries.c.entry_id).label("entry_id"))
            .where(audit_entries.c.device_id.in_(device_ids)).group_by(audit_entries.c.device_id).subquery())
    with engine.connect() as conn:
        tails = conn.execute(select(audit_entries.c.device_id, audit_entries.c.entry_id, audit_entries.c.at)
                             .join(last, and_(last.c.device_id == audit_entries.c.device_id,
                                              last.c.entry_id == audit_entries.c.entry_id))).all()
        refusals = conn.execute(select(audit_refusals).where(audit_refusals.c.device_id.in_(device_ids))).all()
    out = {i: {"audit_last_id": 0, "audit_last_at": None, "audit_refused": None} for i in device_ids}
    for device_id, entry_id, at in tails:
        out[device_id] |= {"audit_last_id": entry_id, "audit_last_at": at}
    for r in refusals:
        out[r.device_id]["audit_refused"] = {
            "id": r.entry_id, "reason": r.reason, "at": r.at,
            "message": auditchain.refusal_message(r.reason, r.entry_id, r.last_id)}
    return out
