"""Who is asking: the device behind a bearer token, and the envelope every answer (errors too) is wrapped in.

The routers (hub/app.py, hub/audit.py, hub/ledger.py) depend on `Dev` from here, never on hub.app, so
that no router imports the app that includes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy import Connection, Engine, select

from desktop.protocol import schema as syncschema
from hub.db import devices, utcnow
from hub.errors import HubError
from hub.limits import Window, address
from hub.tokens import TokenCache


@dataclass(frozen=True)
class Device:
    """An enrolled, unrevoked device as a request sees it."""

    id: int
    name: str
    office: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


KEPT = ("last_seen_at", "pending_reported", "conflicts_reported", "rejected_reported", "enroll_instance",
        "clone_suspected_at")  # the columns a request's last-seen update is decided on


def authenticate(engine: Engine, token: str, pending: int | None, report: dict | None = None,
                 cache: TokenCache | None = None) -> tuple[Device | str, dict | None]:
    """The device holding `token` (else 'unknown' or 'revoked'), and the last-seen update it is due, if any:
    written at most once a minute or when the reported queue length changes, as a write per request would
    cost an fsync per request. `report`: the desk's quarantined/conflicted counts and identity (X-Desk-…).
    A valid token is looked up in `cache` first (hub/tokens.py says when that is safe)."""
    key = digest(token)
    entry = cache.get(key) if cache is not None else None
    if entry is None:
        mark = cache.current() if cache is not None else (0, 0)
        with engine.connect() as conn:
            row = conn.execute(select(devices).where(devices.c.token_hash == key)).first()
        if row is None or row.revoked_at:
            return ("revoked" if row is not None else "unknown"), None
        device, kept = Device(row.id, row.name, row.office), {k: getattr(row, k) for k in KEPT}
        if cache is not None:
            cache.put(key, device, kept, mark)
    else:
        device, kept = entry.device, entry.row
    update = None
    changed = _reported(kept, report or {})
    if (kept["last_seen_at"] or "") < _minute_ago() or (pending is not None and pending != kept["pending_reported"]) \
            or changed:
        update = {"last_seen_at": utcnow()} | ({"pending_reported": pending} if pending is not None else {}) | changed
    return device, update


def _reported(row: dict[str, Any], report: dict) -> dict:
    """What the desk reports that the hub does not hold yet; a token used by another desk than the one it was
    enrolled from (a cloned data dir) is marked once, for the supervisor."""
    changed = {k: v for k, v in report.items() if k != "instance" and v is not None and row[k] != v}
    instance = report.get("instance")
    if instance and row["enroll_instance"] and instance != row["enroll_instance"] and not row["clone_suspected_at"]:
        changed["clone_suspected_at"] = utcnow()
    return changed


def touch(conn: Connection, device: Device, update: dict) -> None:
    conn.execute(devices.update().where(devices.c.id == device.id).values(**update))


def _minute_ago() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="milliseconds")


def ok(status: int = 200, **data: Any) -> JSONResponse:
    return JSONResponse(syncschema.envelope(True, **data), status_code=status)


def log_fields(request: Request, **fields: Any) -> None:
    """Fields (UUIDs, counts; never a payload value) for this request's one access-log line."""
    request.scope.setdefault("state", {}).setdefault("log", {}).update(fields)


def fail(status: int, code: str, message: str, *, retry_after: int | None = None, **extra: Any) -> JSONResponse:
    """The error envelope; 503 and 429 say when to come back (Retry-After)."""
    wait = retry_after if retry_after is not None else (30 if status == 503 else None)
    return JSONResponse(syncschema.envelope(False, error={"code": code, "message": message}, **extra),
                        status_code=status, headers={"Retry-After": str(wait)} if wait else None)


def throttle(window: Window, *keys: str) -> None:
    """429 with Retry-After while any of `keys` has used up its failures."""
    if wait := window.retry_after(*keys):
        raise HubError(429, "too_many", f"失败次数过多，请{wait}秒后再试", retry_after=wait)


async def current_device(request: Request, authorization: Annotated[str | None, Header()] = None,
                         x_desk_pending: Annotated[int | None, Header(ge=0, le=COUNT_MAX)] = None,
                         x_desk_conflicts: Annotated[int | None, Header(ge=0, le=COUNT_MAX)] = None,
                         x_desk_rejected: Annotated[int | None, Header(ge=0, le=COUNT_MAX)] = None,
                         x_desk_instance: Annotated[str | None, Header(max_length=INSTANCE_MAX)] = None) -> Device:
    """The device whose bearer token came with the request; 401 unknown, 403 revoked.

    Async on purpose: a one-row indexed read is cheaper in the event loop than a hop to a worker thread
    (the last-seen write, once a minute, joins the group writer's next transaction)."""
    report = {"conflicts_reported": x_desk_conflicts, "rejected_reported": x_desk_rejected,
              "instance": x_desk_instance}
    return await _resolve(request, authorization, x_desk_pending, report)


async def device_of(request: Request) -> Device:
    """`current_device` without FastAPI's dependency machinery, for the busiest route (the bundle upload): the
    same headers with the same limits, a bad one refused with the same 422 `invalid`, the same token checks."""
    headers = request.headers
    instance = headers.get("x-desk-instance")
    count = {n: _count(headers.get(n)) for n in COUNT_HEADERS}
    reasons = [f"{name}：格式不对（{_count_problem(headers.get(name))}）" for name, n in count.items() if n is _BAD]
    if instance is not None and len(instance) > INSTANCE_MAX:
        reasons.append("x-desk-instance：格式不对（string_too_long）")
    if reasons:
        raise HubError(422, "invalid", "请求格式不对", reasons=reasons)
    report = {"conflicts_reported": count["x-desk-conflicts"], "rejected_reported": count["x-desk-rejected"],
              "instance": instance}
    return await _resolve(request, headers.get("authorization"), count["x-desk-pending"], report)


COUNT_MAX, INSTANCE_MAX = 10**9, 64
COUNT_HEADERS = ("x-desk-pending", "x-desk-conflicts", "x-desk-rejected")
_COUNT = TypeAdapter(Annotated[int, Field(ge=0, le=COUNT_MAX)])


_BAD = object()


def _count(text: str | None) -> Any:
    """A count header's value (None when absent), or _BAD. Plain ASCII digits, what the desk sends, are read
    without pydantic; anything else is decided by pydantic's own parse, as FastAPI's check does."""
    if text is None:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 10:
        value = int(text)
        return value if value <= COUNT_MAX else _BAD
    try:
        return _COUNT.validate_python(text)
    except ValidationError:
        return _BAD


def _count_problem(text: str | None) -> str:
    """Why a count header is refused, in pydantic's words (as FastAPI's check of `current_device` says it)."""
    if text is None:
        return ""
    try:
        _COUNT.validate_python(text)  # pydantic's own parse, as FastAPI's (it takes "1_000", refuses "1.5")
    except ValidationError as exc:
        return exc.errors()[0]["type"]
    return ""


async def _resolve(request: Request, authorization: str | None, pending: int | None, report: dict) -> Device:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HubError(401, "unauthorized", "需要设备令牌（请先登记设备）")
    # per address, and per token: one revoked device hammering from many addresses
    key = digest(token.strip())
    window, keys = request.app.state.limits.tokens, (address(request.scope), f"token:{key}")
    throttle(window, *keys)
    cache = request.app.state.tokens
    found, update = authenticate(request.app.state.engine, token.strip(), pending, report, cache)
    if update is not None and isinstance(found, Device):
        device = found
        await request.app.state.writer.run(lambda conn: touch(conn, device, update))
        cache.seen(key, update)  # once written: a refused write is decided again by the next request
    if not isinstance(found, Device):
        window.failed(*keys)
        if found == "revoked":
            raise HubError(403, "revoked", "本设备的登记已被撤销，请向管理员重新登记")
        raise HubError(401, "unauthorized", "设备令牌无效，请重新登记设备")
    request.scope.setdefault("state", {})["device"] = found.name
    return found


Dev = Annotated[Device, Depends(current_device)]
