"""Cases on the hub: idempotent, optimistic-concurrency writes keyed by the device's UUID and revision.

- the same (uuid, revision) with the same canonical payload hash → replayed, whatever the current head is;
- the same (uuid, revision) with another hash → 409 revision_taken;
- base_revision other than the hub's current revision → 409 stale_base (the hub's revision is in the answer);
- a case UUID that belongs to another office → 409 not_yours (nothing about it is revealed);
- a printed number another case already holds → 409 number_taken (a cloned or restored desk numbering again;
  also a unique index, cases_number_unique).
Nothing is ever overwritten by a conflicting write, and no duplicate can exist: the UUID is the key. Each
refusal is kept for the supervisor (case_refusals: code and reasons, never a payload value) until the case
is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select
from sqlalchemy.exc import IntegrityError

from desktop.protocol import schema as syncschema
from hub import ledgerrows
from hub.auth import Device
from hub.db import (
    case_blobs,
    case_codes,
    case_refusals,
    case_revisions,
    cases,
    changes,
    devices,
    lock_changes,
    number_day,
    rating_rows,
    utcnow,
    writing,
)


class CaseError(Exception):
    """A refused case write or lookup: HTTP status, error code, Chinese message, extra envelope fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass
class PutResult:
    """What a successful PUT answers: replayed or stored, the hub's revision, every blob hash of the case."""

    replayed: bool
    revision: int
    blobs: list[str] = field(default_factory=list)


def check(uuid: str, body: dict[str, Any]) -> None:
    """Refuse an invalid body with 422 and the reasons (before any transaction)."""
    if reasons := syncschema.validate_case_put(uuid, body):
        raise CaseError(422, "invalid", "案件数据不符合格式要求", reasons=reasons)


def put_case(engine: Engine, device: Device, uuid: str, body: dict[str, Any]) -> PutResult:
    """Check and store one revision in its own transaction (the API groups these; see hub/writer.py)."""
    check(uuid, body)
    with writing(engine) as conn:
        return put_in(conn, device, uuid, body)


def put_in(conn: Connection, device: Device, uuid: str, body: dict[str, Any]) -> PutResult:
    """Store one checked revision of a case in `conn`'s transaction, or recognise it as already stored."""
    payload, revision, base = body["payload"], body["revision"], body["base_revision"]
    canonical = syncschema.canonical_json(payload)
    digest = hashlib.sha256(canonical).hexdigest()
    blobs = sorted(set(body.get("blobs", [])))
    now = utcnow()
    head = conn.execute(select(cases).where(cases.c.uuid == uuid).with_for_update()).first()
    if head is not None and head.office != device.office:
        raise CaseError(409, "not_yours", "该案件编号已被其他办理点使用")
    seen = None if head is None else conn.execute(select(case_revisions.c.payload_hash).where(and_(
        case_revisions.c.case_uuid == uuid, case_revisions.c.revision == revision))).scalar()
    current = head.revision if head is not None else 0
    if seen is not None:
        if seen != digest:
            raise CaseError(409, "revision_taken", "服务器上同一修订号的案件内容不同，未覆盖",
                            current_revision=current)
        return PutResult(True, current, _link_blobs(conn, uuid, blobs))
    if base != current:
        raise CaseError(409, "stale_base", "案件在服务器上的版本与本机所依据的版本不同，未覆盖",
                        current_revision=current)
    _number_free(conn, payload["number"], uuid)
    row = {"office": device.office, "device_id": device.id, "number": payload["number"], "revision": revision,
           "accepted_on": number_day(payload["number"]) or "-",
           "payload_hash": digest, "payload": canonical.decode("utf-8"),
           "updated_at": now}
    try:
        if head is None:
            conn.execute(cases.insert().values(uuid=uuid, received_at=now, **row))
        else:
            conn.execute(cases.update().where(cases.c.uuid == uuid).values(**row))
        conn.execute(case_revisions.insert().values(case_uuid=uuid, revision=revision, base_revision=base,
                                                    payload_hash=digest, device_id=device.id, received_at=now))
        if head is None and payload.get("public_code"):  # set at acceptance, the first revision a desk sends
            conn.execute(case_codes.insert().values(code=payload["public_code"], case_uuid=uuid))
        if payload.get("ratings"):
            _rating_rows(conn, uuid, device.office, payload)
    except IntegrityError:  # another hub process wrote the same case a moment ago: the device retries
        raise CaseError(503, "busy", "服务器繁忙，请稍后重试") from None
    ledgerrows.store(conn, uuid, device.office, payload, new=head is None)  # the ledger reads rows, not payloads
    conn.execute(case_refusals.delete().where(case_refusals.c.case_uuid == uuid))
    _count(conn, device.id, None if head is None else head.device_id, now)
    return PutResult(False, revision, _link_blobs(conn, uuid, blobs, new=head is None))


def _rating_rows(conn: Connection, uuid: str, office: str, payload: dict[str, Any]) -> None:
    """The case's ratings as index rows for the hub-wide totals (ratings only grow, so a rewrite is exact)."""
    conn.execute(rating_rows.delete().where(rating_rows.c.case_uuid == uuid))
    conn.execute(rating_rows.insert(), rating_rows_of(uuid, office, payload))


def rating_rows_of(uuid: str, office: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of rating_rows for a payload's ratings (none without any)."""
    return [{"case_uuid": uuid, "seq": n, "office": office, "clerk": r.get("clerk") or "", "service": payload["service"],
             "level": r["level"], "rated_day": r["rated_at"][:10], "rectify_due": r.get("rectify_due"),
             "rectified_at": r.get("rectified_at")} for n, r in enumerate(payload.get("ratings") or [], start=1)]


def _count(conn: Connection, device_id: int, previous: int | None, now: str) -> None:
    """The devices' counters (cases whose latest revision each sent, and when): a case moves to its sender."""
    if previous != device_id:
        conn.execute(devices.update().where(devices.c.id == device_id).values(
            cases_received=func.coalesce(devices.c.cases_received, 0) + 1, last_case_at=now))
        if previous is not None:
            conn.execute(devices.update().where(devices.c.id == previous).values(
                cases_received=func.coalesce(devices.c.cases_received, 1) - 1))
    else:
        conn.execute(devices.update().where(devices.c.id == device_id).values(last_case_at=now))


def _number_free(conn: Connection, number: str, uuid: str) -> None:
    taken = conn.execute(select(cases.c.uuid).where(and_(cases.c.number == number, cases.c.uuid != uuid))).first()
    if taken is not None:
        raise CaseError(409, "number_taken", f"案件编号 {number} 已被另一件案件占用，未保存：本机可能是复制或从备份"
                        "恢复的电脑，请停止受理并联系负责人（服务器已记录）")


def refusal_job(device: Device, uuid: str, error: CaseError):
    """A group-writer job keeping this refusal (its code and reasons) for the supervisor."""
    reasons = json.dumps([str(r) for r in error.extra.get("reasons", [])][:20] or [error.message], ensure_ascii=False)

    def job(conn: Connection) -> None:
        conn.execute(case_refusals.delete().where(and_(case_refusals.c.device_id == device.id,
                                                       case_refusals.c.case_uuid == uuid[:36])))
        conn.execute(case_refusals.insert().values(device_id=device.id, case_uuid=uuid[:36], code=error.code,
                                                   reasons=reasons, at=utcnow()))
    return job


def _link_blobs(conn, uuid: str, blobs: list[str], *, new: bool = False) -> list[str]:
    """Add the request's blob hashes to the case's (a union: a later request never unlinks); all of them."""
    have = set() if new else set(conn.execute(select(case_blobs.c.sha256).where(case_blobs.c.case_uuid == uuid))
                                 .scalars())
    missing = [b for b in blobs if b not in have]
    if missing:
        conn.execute(case_blobs.insert(), [{"case_uuid": uuid, "sha256": b} for b in missing])
    return sorted(have | set(blobs))


def get_case(engine: Engine, device: Device, uuid: str) -> dict[str, Any]:
    """The hub's current revision of a case of the device's office (to resolve a conflict)."""
    with engine.connect() as conn:
        row = conn.execute(select(cases).where(and_(cases.c.uuid == uuid, cases.c.office == device.office))).first()
        if row is None:
            raise CaseError(404, "not_found", "服务器上没有这件案件")
        blobs = list(conn.execute(select(case_blobs.c.sha256).where(case_blobs.c.case_uuid == uuid)).scalars())
    return {"uuid": uuid, "revision": row.revision, "payload": json.loads(row.payload), "blobs": sorted(blobs),
            "updated_at": row.updated_at}


def set_status(engine: Engine, number: str, status: str, *, item: str = "", note: str = "",
               department: str = "") -> dict[str, Any]:
    """A department's status for a case (or one of its items), published on its office's change feed."""
    state = syncschema.normalize_status(status)
    if state is None:
        raise CaseError(422, "bad_status", f"未知状态“{status}”，可用：{'、'.join(syncschema.HUB_STATUSES.values())}")
    with writing(engine) as conn:
        found = conn.execute(select(cases.c.uuid, cases.c.office, cases.c.payload)
                             .where(cases.c.number == number.strip().upper()).limit(2)).all()
        if not found:
            raise CaseError(404, "not_found", f"服务器上没有编号为 {number} 的案件")
        if len(found) > 1:  # only an older hub's database can hold this: never guess which case is meant
            raise CaseError(409, "ambiguous", f"服务器上有两件编号为 {number} 的案件，未设置；请联系管理员核对")
        row = found[0]
        if item and item not in {k for i in json.loads(row.payload)["items"] for k in (i["key"], i["code"]) if k}:
            raise CaseError(422, "bad_item", f"案件 {number} 没有事项“{item}”（可用事项编码或key）")
        data = {"number": number.strip().upper(), "state": state, "item": item, "note": note,
                "department": department, "at": utcnow()}
        return _publish(conn, row.office, "status", row.uuid, data)


def announce_catalog(engine: Engine, version: str, note: str = "") -> dict[str, Any]:
    """A catalog update notice for every office (the desks show it; the catalog ships with the desk)."""
    with writing(engine) as conn:
        return _publish(conn, None, "catalog", None, {"version": version, "note": note, "at": utcnow()})


def publish(conn, office: str | None, kind: str, case_uuid: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """A feed entry in the caller's transaction (the citizen's rating: hub/public.py); data needs "at"."""
    return _publish(conn, office, kind, case_uuid, data)


def _publish(conn, office: str | None, kind: str, case_uuid: str | None, data: dict[str, Any]) -> dict[str, Any]:
    lock_changes(conn)
    new_id = conn.execute(changes.insert().values(office=office, kind=kind, case_uuid=case_uuid,
                                                  data=json.dumps(data, ensure_ascii=False),
                                                  created_at=data["at"])).inserted_primary_key[0]
    return {"id": new_id, "kind": kind, "case_uuid": case_uuid, **data}


def prune_changes(engine: Engine, keep_days: int = 400) -> int:
    """Drop feed entries older than `keep_days` (a desk offline longer gets what remains; its cursor still
    works, ids only grow). Returns how many were dropped."""
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=keep_days)).isoformat(timespec="milliseconds")
    with writing(engine) as conn:
        return conn.execute(changes.delete().where(changes.c.created_at < cutoff)).rowcount


def changes_since(engine: Engine, device: Device, since: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Feed entries after cursor `since` for the device's office (and for everyone); more=True if cut."""
    query = (select(changes).where(and_(changes.c.id > since, (changes.c.office == device.office)
                                        | changes.c.office.is_(None)))
             .order_by(changes.c.id).limit(limit + 1))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    entries = [{"id": r.id, "kind": r.kind, "case_uuid": r.case_uuid, **json.loads(r.data)} for r in rows[:limit]]
    return entries, len(rows) > limit
