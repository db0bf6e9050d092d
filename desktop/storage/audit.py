"""The tamper-evident audit trail: append-only rows, each hash-chained to the one before (docs/audit.md).

hash = sha256(prev_hash + canonical JSON of the row without id and hashes), in desktop/protocol/auditchain.py, which the
hub shares. Triggers refuse UPDATE and DELETE, so tampering needs a direct edit with the triggers dropped;
`verify` then names the first broken entry. Rows never hold personal values: who (username), what (action),
which case (UUID), a small detail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.protocol.auditchain import GENESIS, HASHED, canonical, row_hash
from desktop.storage import settings
from desktop.storage.db import Database

__all__ = ["GENESIS", "HASHED", "Break", "append", "canonical", "device_name", "export", "recorder", "row_hash",
           "verify"]
REASONS = {
    "edited": "第{id}条审计记录的内容被改动（哈希不符）",
    "deleted": "第{id}条审计记录缺失或其前一条被删除、改写（链条断开）",
    "reordered": "第{id}条审计记录的顺序被调换",
}

# (actor, action, case_uuid, detail, at) — the shape of Store.audit.
Hook = Callable[[str, str, str | None, dict[str, Any], dt.datetime | None], None]


@dataclass(frozen=True)
class Break:
    """The first broken link of the chain: the entry's id and why ('edited', 'deleted', 'reordered')."""

    id: int
    reason: str

    @property
    def message(self) -> str:
        return REASONS[self.reason].format(id=self.id)


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
        from desktop.storage.logs import (
            redact,  # imported here: logging.handlers is not needed to start the desk
        )

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


def verify(db: Database) -> Break | None:
    """The first broken entry of this device's chain, or None when every link holds."""
    expected_id, prev = 1, GENESIS
    for row in db.query("SELECT * FROM audit ORDER BY id"):
        if row["id"] != expected_id:
            return Break(expected_id, "deleted")
        if row_hash(row["prev_hash"], row) != row["hash"]:
            return Break(row["id"], "edited")
        if row["prev_hash"] != prev:
            return Break(row["id"], _link_reason(db, row["prev_hash"]))
        expected_id, prev = expected_id + 1, row["hash"]
    issued = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    if issued and issued[0] >= expected_id:  # the newest entries were deleted
        return Break(expected_id, "deleted")
    return None


def _link_reason(db: Database, prev_hash: str) -> str:
    """A row whose predecessor is elsewhere in the table was moved; one whose predecessor is gone was cut loose."""
    found = db.execute("SELECT 1 FROM audit WHERE hash = ? LIMIT 1", [prev_hash]).fetchone()
    return "reordered" if found else "deleted"
