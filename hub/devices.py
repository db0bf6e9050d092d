"""Devices: one-time enrollment codes, bearer tokens (only their hashes are stored), revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets

from sqlalchemy import Engine, select

from hub.audit import heads
from hub.auth import Device, digest
from hub.db import case_refusals, devices, meta_value, utcnow, writing
from hub.tokens import devices_changed

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
RESEND_MINUTES = 10  # how long a desk whose enrolment answer was lost may ask again with the same code


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
    devices_changed(engine)  # a revoked device's token is cleared: no cache may hold it
    return code


def revoke(engine: Engine, name: str) -> None:
    """Revoke a device: its token stops working at once and any unused code with it."""
    with writing(engine) as conn:
        done = conn.execute(devices.update().where(devices.c.name == name.strip())
                            .values(revoked_at=utcnow(), code_hash=None)).rowcount
    devices_changed(engine)  # every hub process drops its cached tokens before its next request (hub/tokens.py)
    if not done:
        raise DeviceError(f"没有名为“{name}”的设备")


def enroll(engine: Engine, code: str, instance: str | None = None) -> tuple[Device, str]:
    """Exchange an unexpired one-time code for a token. The token is derived from the hub's secret, the code and
    the desk's `instance`, and only its hash is kept: the same code from the same desk within RESEND_MINUTES
    (its first answer was lost) gets the same token again; from anyone else, "already used"."""
    code = normalize_code(code)
    token = _token(engine, code, instance) if instance else secrets.token_urlsafe(32)
    now = utcnow()
    with writing(engine) as conn:
        row = conn.execute(select(devices).where(devices.c.code_hash == digest(code))).first()
        if row is None and instance:
            row = _resent(conn, code, instance, token)
            if row is not None:
                return Device(row.id, row.name, row.office), token
        if row is None or row.revoked_at or (row.code_expires_at or "") < now[:19]:
            raise DeviceError("登记码无效、已过期或已使用，请向管理员重新索取")
        conn.execute(devices.update().where(devices.c.id == row.id).values(
            token_hash=digest(token), code_hash=None, code_expires_at=None, enrolled_at=now,
            enroll_code_hash=digest(code), enroll_instance=instance, clone_suspected_at=None))
    devices_changed(engine)  # the device's earlier token, if any, ends here
    return Device(row.id, row.name, row.office), token


def _token(engine: Engine, code: str, instance: str) -> str:
    secret = meta_value(engine, "enroll_secret").encode()
    return hmac.new(secret, f"{code}|{instance}".encode(), hashlib.sha256).hexdigest()


def _resent(conn, code: str, instance: str, token: str):
    """The device this code enrolled moments ago from this very desk, holding this very token; else None."""
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=RESEND_MINUTES)).isoformat(timespec="milliseconds")
    row = conn.execute(select(devices).where(devices.c.enroll_code_hash == digest(code))).first()
    fits = row is not None and not row.revoked_at and row.enroll_instance == instance and \
        (row.enrolled_at or "") >= since and row.token_hash == digest(token)
    return row if fits else None


def summary(engine: Engine, office: str | None) -> list[dict]:
    """Per device: when enrolled and last seen, cases received, last case, the queue and the quarantined and
    conflicted cases it last reported, the cases the hub refused (code and reasons, never a payload value),
    whether its token was seen from another desk, and its audit trail on the hub (hub/audit.py).

    The counts are kept with each case write (devices.cases_received, last_case_at: hub/cases.py), so the
    answer does not grow with the number of cases."""
    query = select(devices).order_by(devices.c.office, devices.c.name)
    if office is not None:
        query = query.where(devices.c.office == office)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        refused = _refusals(conn, [r.id for r in rows])
    audit = heads(engine, [r.id for r in rows])
    return [{"device": r.name, "office": r.office, "enrolled_at": r.enrolled_at, "revoked": bool(r.revoked_at),
             "last_seen_at": r.last_seen_at, "cases_received": r.cases_received or 0, "last_case_at": r.last_case_at,
             "pending_reported": r.pending_reported, "conflicts_reported": r.conflicts_reported,
             "rejected_reported": r.rejected_reported, "clone_suspected_at": r.clone_suspected_at,
             "refused": refused.get(r.id, []), "code_outstanding": bool(r.code_hash), **audit[r.id]}
            for r in rows]


def _refusals(conn, device_ids: list[int], limit: int = 20) -> dict[int, list[dict]]:
    rows = conn.execute(select(case_refusals).where(case_refusals.c.device_id.in_(device_ids))
                        .order_by(case_refusals.c.at.desc())).all() if device_ids else []
    out: dict[int, list[dict]] = {}
    for r in rows:
        got = out.setdefault(r.device_id, [])
        if len(got) < limit:
            got.append({"case_uuid": r.case_uuid, "code": r.code, "reasons": json.loads(r.reasons), "at": r.at})
    return out
