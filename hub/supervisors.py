"""Supervisors' hub credentials: who may take full ID numbers from the hub in bulk (docs/sync.md, "Personal data").

A device token proves a desk, not a person: anyone at a window PC holds one. So the hub gives full ID numbers
(GET /v1/ledger?personal=1) only with a supervisor's own credential, issued here by the hub's admin
(`python -m hub supervisor add NAME --office OFFICE`, the secret shown once) and sent by the desk in the
`X-Hub-Supervisor` header as base64("name:secret"). The supervisor must belong to the device's office; every
such export is recorded in `personal_exports`. Secrets are stored as scrypt hashes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from fastapi import Request
from sqlalchemy import Engine, select

from hub.auth import Device, HubError, throttle
from hub.db import personal_exports, supervisors, utcnow, writing
from hub.limits import address

HEADER = "x-hub-supervisor"
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
NEEDED = "导出完整身份证号需要负责人在县级服务器上的凭据（X-Hub-Supervisor），设备令牌不够"
WRONG = "负责人凭据不对，或该负责人已停用、不属于本办理点"


class SupervisorError(Exception):
    """A known refusal of the admin command, in Chinese."""


def _hash(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, **SCRYPT).hex()


def add(engine: Engine, name: str, office: str | None) -> str:
    """A new supervisor of `office`; returns the secret (shown once, stored only as a hash)."""
    name = (name or "").strip()
    if not name or len(name) > 100 or ":" in name:
        raise SupervisorError("负责人用户名不能为空、不能含冒号，且不超过100个字符")
    if not (office or "").strip():
        raise SupervisorError("请用 --office 指定负责人所属的办理点（与其设备登记的办理点相同）")
    secret, salt = secrets.token_urlsafe(18), secrets.token_bytes(16)
    with writing(engine) as conn:
        if conn.execute(select(supervisors.c.id).where(supervisors.c.name == name)).first():
            raise SupervisorError(f"负责人“{name}”已存在")
        conn.execute(supervisors.insert().values(name=name, office=office.strip(), created_at=utcnow(),
                                                 secret_hash=f"scrypt${salt.hex()}${_hash(secret, salt)}"))
    return secret


def disable(engine: Engine, name: str) -> None:
    with writing(engine) as conn:
        done = conn.execute(supervisors.update().where(supervisors.c.name == name).values(disabled_at=utcnow()))
    if not done.rowcount:
        raise SupervisorError(f"没有负责人“{name}”")


def listed(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(supervisors.c.name, supervisors.c.office, supervisors.c.created_at,
                                   supervisors.c.disabled_at).order_by(supervisors.c.name)).all()
    return [dict(r._mapping) for r in rows]


def check(request: Request, device: Device) -> str:
    """The supervisor named by the request's header, if the secret is right and they belong to the device's
    office; else 403, and 429 after too many wrong ones from this address or device."""
    header = request.headers.get(HEADER)
    if not header:
        raise HubError(403, "supervisor_required", NEEDED)
    window = request.app.state.limits.supervisors
    keys = (address(request.scope), f"device:{device.id}")
    throttle(window, *keys)
    try:
        return _check(request.app.state.engine, header, device.office)
    except HubError:
        window.failed(*keys)
        raise


def _check(engine: Engine, header: str, office: str) -> str:
    try:
        name, _, secret = base64.b64decode(header.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HubError(403, "supervisor_refused", WRONG) from None
    with engine.connect() as conn:
        row = conn.execute(select(supervisors).where(supervisors.c.name == name)).first()
    stored = row.secret_hash.split("$") if row is not None else ["scrypt", "00", ""]
    good = hmac.compare_digest(_hash(secret, bytes.fromhex(stored[1])), stored[2])  # the same cost either way
    if row is None or not good or row.disabled_at or row.office != office:
        raise HubError(403, "supervisor_refused", WRONG)
    return name


def record(engine: Engine, device_id: int, supervisor: str, date_from: str, date_to: str, rows: int) -> None:
    """The hub's own audit of a bulk export of full ID numbers."""
    with writing(engine) as conn:
        conn.execute(personal_exports.insert().values(at=utcnow(), device_id=device_id, supervisor=supervisor,
                                                      date_from=date_from, date_to=date_to, rows=rows))
