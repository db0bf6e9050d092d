"""Checking the audit trail (docs/audit.md): the chain, its guard triggers, its id counter, and two checkpoints.

Every check reads inside one read transaction, so a desk appending at the same moment (another process on the
same data dir) is either wholly seen or not at all: never a false "链条断开".
- The local checkpoint (`audit_checkpoint` in sync_state: head id and hash, when, and the last full walk) lets
  the login check walk only the entries after it, so desk start does not grow with the trail; `full=True` walks
  everything (the background check after login, `audit verify --full`).
- The hub's checkpoint (`audit_hub_head`: the last entry the hub confirmed holding, its hash, when) must still be
  in the local chain unchanged: deleting or rewriting what the hub holds shows here before the next sync.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from desktop.protocol.auditchain import GENESIS, row_hash
from desktop.storage.db import Database

CHECKPOINT, HUB_HEAD = "audit_checkpoint", "audit_hub_head"
REASONS = {
    "edited": "第{id}条审计记录的内容被改动（哈希不符）",
    "deleted": "第{id}条审计记录缺失或其前一条被删除、改写（链条断开）",
    "reordered": "第{id}条审计记录的顺序被调换",
    "sequence": "审计记录的编号计数器被重置或删除（第{id}条之后的编号可能被重用）",
    "unguarded": "审计记录的防篡改触发器被删除或改动（记录可被随意修改）",
    "hub": "第{id}条审计记录与县级服务器确认过的不同或已缺失（本机记录被删除或改写）",
}


@dataclass(frozen=True)
class Break:
    """The first broken link of the chain: the entry's id and why (a key of REASONS)."""

    id: int
    reason: str

    @property
    def message(self) -> str:
        return REASONS[self.reason].format(id=self.id)


@dataclass(frozen=True)
class Report:
    """One check: the first break (or None), how many entries there are, where the walk began, the checkpoints."""

    broken: Break | None
    entries: int
    walked_from: int
    full: bool
    full_at: str | None
    hub: dict | None


def verify(db: Database) -> Break | None:
    """The first broken entry of this device's whole chain, or None when every link holds."""
    return check(db, full=True).broken


def check(db: Database, *, full: bool = False) -> Report:
    """Check the chain (from the local checkpoint unless `full`); on success move the checkpoint to the head."""
    with _read(db):
        point = _state(db, CHECKPOINT) or {}
        start = 0 if full else int(point.get("id") or 0)
        broken, head = _walk(db, start, point.get("hash") if start else None)
        broken = broken or _counter(db, head[0]) or _guards(db) or _hub(db)
        count = db.execute("SELECT count(*) FROM audit").fetchone()[0]
        if broken is None and count != head[0]:  # a hole below the checkpoint: walk everything to name it
            broken = _walk(db, 0, None)[0] or Break(1, "deleted")
    full_at = _now() if full else point.get("full_at")
    if broken is None:
        _save(db, {"id": head[0], "hash": head[1], "at": _now(), "full_at": full_at})
    return Report(broken, count, start, full, full_at, _state(db, HUB_HEAD))


@contextmanager
def _read(db: Database) -> Iterator[None]:
    """One read transaction (a WAL snapshot): nothing another process commits meanwhile is seen halfway."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")


def _walk(db: Database, start: int, start_hash: str | None) -> tuple[Break | None, tuple[int, str]]:
    """Walk the entries after `start` (whose hash must be `start_hash`); the first break and the head reached."""
    prev = GENESIS
    if start:
        row = next(db.query("SELECT * FROM audit WHERE id = ?", [start]), None)
        if row is None:
            return Break(start, "deleted"), (start, "")
        if row["hash"] != start_hash or row_hash(row["prev_hash"], row) != row["hash"]:
            return Break(start, "edited"), (start, "")
        prev = row["hash"]
    expected = start + 1
    for row in db.query("SELECT * FROM audit WHERE id > ? ORDER BY id", [start]):
        if row["id"] != expected:
            return Break(expected, "deleted"), (expected - 1, prev)
        if row_hash(row["prev_hash"], row) != row["hash"]:
            return Break(row["id"], "edited"), (expected - 1, prev)
        if row["prev_hash"] != prev:
            return Break(row["id"], _link_reason(db, row["prev_hash"])), (expected - 1, prev)
        expected, prev = expected + 1, row["hash"]
    return None, (expected - 1, prev)


def _link_reason(db: Database, prev_hash: str) -> str:
    """A row whose predecessor is elsewhere in the table was moved; one whose predecessor is gone was cut loose."""
    found = db.execute("SELECT 1 FROM audit WHERE hash = ? LIMIT 1", [prev_hash]).fetchone()
    return "reordered" if found else "deleted"


def _counter(db: Database, last: int) -> Break | None:
    """AUTOINCREMENT's memory: past the head means the newest entries were removed; behind it or gone (with
    entries, or a table rebuilt without AUTOINCREMENT) means ids could be issued again."""
    table = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit'").fetchone()
    issued = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    if table is None or "AUTOINCREMENT" not in table[0].upper():
        return Break(last, "sequence")
    if issued is None:
        return Break(last, "sequence") if last else None
    if issued[0] > last:
        return Break(last + 1, "deleted")
    return Break(last, "sequence") if issued[0] < last else None


def _guards(db: Database) -> Break | None:
    """Both triggers there, each refusing every UPDATE or DELETE (no WHEN clause that lets some through)."""
    found = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"))
    for verb in ("UPDATE", "DELETE"):
        sql = " ".join((found.get(f"audit_no_{verb.lower()}") or "").upper().split())
        if f"BEFORE {verb} ON AUDIT BEGIN SELECT RAISE(ABORT," not in sql or " WHEN " in sql:
            return Break(0, "unguarded")
    return None


def _hub(db: Database) -> Break | None:
    """The last entry the hub confirmed must still be here, unchanged."""
    head = _state(db, HUB_HEAD)
    if not head or not head.get("id"):
        return None
    row = db.execute("SELECT hash FROM audit WHERE id = ?", [head["id"]]).fetchone()
    return None if row is not None and row[0] == head.get("hash") else Break(int(head["id"]), "hub")


FULL_WALK_EVERY = dt.timedelta(hours=20)  # the desk walks the whole chain once a working day, not every start


def full_walk_due(db: Database, now: dt.datetime | None = None) -> bool:
    """Whether the desk's background walk of the whole chain is due: never walked, or not within FULL_WALK_EVERY
    (at 100,000 entries a walk is seconds of CPU; every login still checks from the checkpoint)."""
    try:
        then = dt.datetime.fromisoformat((_state(db, CHECKPOINT) or {}).get("full_at") or "")
    except ValueError:
        return True
    return (now or dt.datetime.now().astimezone()) - then.astimezone() >= FULL_WALK_EVERY


def _state(db: Database, key: str) -> dict | None:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    try:
        value = json.loads(row[0]) if row else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _save(db: Database, point: dict) -> None:
    with db.atomic():
        db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value", [CHECKPOINT, json.dumps(point)])


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def age(at: str | None, now: dt.datetime | None = None) -> str:
    """How long ago `at` was, in words ('3天前', '2小时前', '刚才'); '' when unknown."""
    try:
        then = dt.datetime.fromisoformat(at or "")
    except ValueError:
        return ""
    seconds = ((now or dt.datetime.now().astimezone()) - then.astimezone()).total_seconds()
    for unit, label in ((86400, "天"), (3600, "小时"), (60, "分钟")):
        if seconds >= unit:
            return f"{int(seconds // unit)}{label}前"
    return "刚才"
