"""Devices: one-time enrollment codes, bearer tokens (only their hashes are stored), revocation."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Engine, func, select

from hub.audit import heads
from hub.auth import Device, digest
from hub.db import cases, devices, utcnow, writing

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


class DeviceError(Exception):
    """A known refusal with a Chinese message (unknown device, wrong code)."""


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}"


def add(engine: Engine, name: str, office: str | None, ttl_hours: int) -> str:
    """Create a device (or re-issue a code for an existing one) and return its one-time enrollment code.

    An existing device keeps its office unless one is given; its old token works until the code is used.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise DeviceError("设备名称不能为空，且不超过100个字符")
    code = new_code()
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl_hours)).isoformat(timespec="seconds")
    with writing(engine) as conn:
        row = conn.execute(select(devices).where(devices.c.name == name)).first()
        values = {"code_hash": digest(code), "code_expires_at": expires, "revoked_at": None}
        if row is None:
            if not office:
                raise DeviceError("新设备须指定所属办理点：--office 办理点名称")
            conn.execute(devices.insert().values(name=name, office=office.strip(), created_at=utcnow(), **values))
        else:
            if office:
                values["office"] = office.strip()
            if row.revoked_at:  # a revoked token never comes back to life
                values["token_hash"] = None
            conn.execute(devices.update().where(devices.c.id == row.id).values(**values))
    return code


def revoke(engine: Engine, name: str) -> None:
    """Revoke a device: its token stops working at once and any unused code with it."""
    with writing(engine) as conn:
        done = conn.execute(devices.update().where(devices.c.name == name.strip())
                            .values(revoked_at=utcnow(), code_hash=None)).rowcount
    if not done:
        raise DeviceError(f"没有名为“{name}”的设备")


def enroll(engine: Engine, code: str) -> tuple[Device, str]:
    """Exchange an unexpired one-time code for a fresh token; the code is spent either way it succeeds."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with writing(engine) as conn:
        row = conn.execute(select(devices).where(devices.c.code_hash == digest(normalize_code(code)))).first()
        if row is None or row.revoked_at or (row.code_expires_at or "") < now[:19]:
            raise DeviceError("登记码无效、已过期或已使用，请向管理员重新索取")
        conn.execute(devices.update().where(devices.c.id == row.id).values(
            token_hash=digest(token), code_hash=None, code_expires_at=None, enrolled_at=now))
    return Device(row.id, row.name, row.office), token


def summary(engine: Engine, office: str | None) -> list[dict]:
    """Per device: when enrolled and last seen, cases received, last case, queue length it last reported, and
    its audit trail on the hub (last entry id and time, the open refusal if any: hub/audit.py)."""
    received = (select(cases.c.device_id, func.count().label("n"), func.max(cases.c.updated_at).label("last"))
                .group_by(cases.c.device_id).subquery())
    query = (select(devices, received.c.n, received.c.last)
             .outerjoin(received, received.c.device_id == devices.c.id).order_by(devices.c.office, devices.c.name))
    if office is not None:
        query = query.where(devices.c.office == office)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    audit = heads(engine, [r.id for r in rows])
    return [{"device": r.name, "office": r.office, "enrolled_at": r.enrolled_at, "revoked": bool(r.revoked_at),
             "last_seen_at": r.last_seen_at, "cases_received": r.n or 0, "last_case_at": r.last,
             "pending_reported": r.pending_reported, "code_outstanding": bool(r.code_hash), **audit[r.id]}
            for r in rows]
