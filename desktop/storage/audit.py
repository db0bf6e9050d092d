"""The tamper-evident audit trail: append-only rows, each hash-chained to the one before (docs/audit.md).

hash = sha256(prev_hash + canonical JSON of the row without id and hashes), in desktop/protocol/auditchain.py, which the
hub shares. Triggers refuse UPDATE and DELETE, so tampering needs a direct edit with the triggers dropped;
`verify` and `check` (desktop/storage/auditverify.py) then name the first broken entry. Rows never hold personal
values: who (username), what (action), which case (UUID), a small detail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

# redact from the domain, not from storage.logs: that loaded logging.handlers for every entry, i.e. every login command
from desktop.domain.redaction import redact
from desktop.protocol.auditchain import GENESIS, HASHED, canonical, row_hash
from desktop.storage import settings
from desktop.storage.db import Database

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

    # (actor, action, case_uuid, detail, at) — the shape of Store.audit.
    Hook = Callable[[str, str, str | None, dict[str, Any], dt.datetime | None], None]

# REASONS, Break, Report, check and verify are re-exported too, by __getattr__ below
__all__ = ["GENESIS", "HASHED", "append", "canonical", "device_name", "export", "recorder", "row_hash"]
# Checking the chain lives in auditverify, re-exported here and loaded when first named: every login appends an
# entry and none checks the chain (issue 16: a login command's own overhead).
_VERIFY = frozenset({"REASONS", "Break", "Report", "check", "verify"})


def __getattr__(name: str) -> Any:
    if name in _VERIFY:
        from desktop.storage import auditverify

        return getattr(auditverify, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def device_name(db: Database) -> str:
    """This device as the audit trail names it: county code and window/device code, as in case numbers."""
    values = settings.get_all(db)
    return "-".join(v for v in (values["county_code"], values["window_code"]) if v) or "本机"


def append(db: Database, username: str, action: str, case_uuid: str | None = None,
           detail: dict[str, Any] | None = None, *, device: str | None = None,
           at: dt.datetime | None = None) -> int:
    """Add one entry in the caller's transaction (or its own); returns its id."""
    when = (at or dt.datetime.now().astimezone()).replace(microsecond=0)
    row = {"at": when.isoformat(), "device": device if device is not None else device_name(db),
           "username": username, "action": action, "case_uuid": case_uuid, "detail": canonical(_scrub(detail or {}))}
    with db.atomic():  # BEGIN IMMEDIATE: the write lock before reading the last hash
        last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        row["prev_hash"] = last[0] if last else GENESIS
        row["hash"] = row_hash(row["prev_hash"], row)
        cursor = db.execute(f"INSERT INTO audit ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                            list(row.values()))
    return cursor.lastrowid


def _scrub(value: Any) -> Any:
    # Defence in depth: callers put codes and counts in `detail`, never personal values; anything shaped
    # like an ID or phone number is masked anyway.
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def recorder(db: Database) -> Hook:
    """The Store.audit hook: records case changes inside the store's own transaction."""

    def hook(actor: str, action: str, case_uuid: str | None, detail: dict[str, Any],
             at: dt.datetime | None = None) -> None:
        append(db, actor, action, case_uuid, detail, at=at)

    return hook


def export(db: Database, *, since_id: int = 0, case_uuid: str | None = None,
         limit: int | None = None) -> list[dict[str, Any]]:
    """Entries after `since_id` in chain order, `detail` decoded: the export that sync sends to the hub."""
    sql, params = "SELECT * FROM audit WHERE id > ?", [since_id]
    if case_uuid:
        sql, params = sql + " AND case_uuid = ?", [*params, case_uuid]
    sql += " ORDER BY id" + (f" LIMIT {int(limit)}" if limit else "")
    return [{**r, "detail": json.loads(r["detail"])} for r in db.query(sql, params)]
