"""Sending the audit trail to the hub (PUT /v1/audit, hub/audit.py), after the cases, in every sync pass.

The cursor is `sync_state.audit_acked_id`, the last entry the hub confirmed; it moves only after the hub's
answer, so a crash before that re-sends the batch and the hub answers `replayed`. Each batch starts with the
entry at the cursor again: the hub compares it with its copy, so a trail rewritten on the desk (every hash
recomputed from an edit on, which the desk's own `audit verify` cannot see) is refused at once.
A refusal never stops the cases: it becomes the sync status's last error, in plain Chinese, and is tried again
in the next pass. Network failures end the pass like any other (HubFailureError).
Every pass sends at least one request, with the desk's newest entry (`head`), even when nothing is new: the hub
then sees at once a trail whose newest entries were deleted. Its answer (last id and hash) becomes the hub
checkpoint that `audit verify` holds the local chain against.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from desktop.protocol.auditchain import GENESIS
from desktop.storage.auditverify import HUB_HEAD
from desktop.storage.db import Database
from desktop.sync import state as syncstate
from desktop.sync.client import Answer, HubClient

log = logging.getLogger("desktop.sync.engine")
BATCH = 500
CURSOR = "audit_acked_id"
OLD_HUB = "县级汇聚服务器尚不能接收审计记录（服务器版本较旧），请管理员升级服务器"
UNREADABLE = "本机第{id}条审计记录已无法读取（被改动），其后的审计记录未上传；请审计员运行 python -m desktop audit verify"


@dataclass
class AuditPush:
    """What one pass sent: entries newly stored by the hub, re-sent ones it already held, and the refusal."""

    sent: int = 0
    replayed: int = 0
    error: str | None = None


def push(db: Database, client: HubClient) -> AuditPush:
    """Send the entries after the hub's last confirmed one, BATCH at a time, until none is left or one is refused."""
    result, acked, rewound, reported = AuditPush(), syncstate.get(db, CURSOR) or 0, False, False
    while True:
        batch, unreadable = entries(db, max(acked - 1, 0), BATCH + bool(acked))
        if reported and not any(e["id"] > acked for e in batch):
            if unreadable is not None:
                result.error = UNREADABLE.format(id=unreadable)
                log.warning("audit: entry %d cannot be read; not sent", unreadable)
            return result
        answer, reported = client.put_audit(batch, head(db)), True  # the head even with nothing new
        data = answer.data
        if answer.status == 200:
            overlap = bool(batch) and batch[0]["id"] <= acked  # the entry at the cursor, sent again on purpose
            acked = max([acked, *(e["id"] for e in batch)])
            syncstate.put(db, **{CURSOR: acked, HUB_HEAD: _hub_head(data)})
            result.sent += data.get("stored") or 0
            result.replayed += max(0, (data.get("replayed") or 0) - overlap)
            continue
        hub_last = data.get("last_id")
        if data.get("reason") == "gap" and isinstance(hub_last, int) and hub_last < acked and not rewound:
            # the hub holds fewer than it confirmed (restored from a backup): send it the rest again, once a pass
            log.warning("audit: hub holds up to %d, desk had %d confirmed; re-sending", hub_last, acked)
            acked, rewound = hub_last, True
            syncstate.put(db, **{CURSOR: acked})
            continue
        result.error = _refusal(answer)
        _keep_accepted(db, batch, acked, data.get("bad_id"))
        return result


def head(db: Database) -> dict[str, Any]:
    """This desk's newest entry as the hub is told it: id and hash (0 and GENESIS when there is none)."""
    row = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return {"id": row[0], "hash": row[1]} if row else {"id": 0, "hash": GENESIS}


def _hub_head(data: dict[str, Any]) -> dict[str, Any] | None:
    """The hub's checkpoint for `audit verify`: the last entry it holds, its hash, and when it said so."""
    last, digest = data.get("last_id"), data.get("last_hash")
    if not isinstance(last, int) or not isinstance(digest, str):
        return None  # an older hub: no checkpoint
    return {"id": last, "hash": digest, "at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def entries(db: Database, since_id: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """What audit.export gives, but stopping before an entry whose detail is no JSON object (edited by hand):
    the entries before it still go, and its id is returned to be named."""
    out: list[dict[str, Any]] = []
    for row in db.query("SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?", [since_id, limit]):
        try:
            detail = json.loads(row["detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return out, row["id"]
        out.append({**row, "detail": detail})
    return out, None


def _refusal(answer: Answer) -> str:
    """The sync status's words for a refused push."""
    bad = answer.data.get("bad_id")
    if answer.status == 409 and isinstance(bad, int):
        log.warning("audit refused by the hub: entry %d reason=%s", bad, answer.data.get("reason"))
        return f"审计记录与服务器不连续：{answer.message or f'第{bad}条'}"
    log.warning("audit refused by the hub: status=%d code=%s", answer.status, answer.code)
    if answer.status == 404:
        return OLD_HUB
    reasons = answer.data.get("reasons") or []
    return f"服务器拒收审计记录：{answer.message}" + ("：" + "；".join(str(r) for r in reasons[:3]) if reasons else "")


def _keep_accepted(db: Database, batch: list[dict[str, Any]], acked: int, bad: Any) -> None:
    """The entries before the refused one were appended (or already held): the next pass starts after them."""
    if not isinstance(bad, int):
        return
    accepted = max([e["id"] for e in batch if e["id"] < bad], default=acked)
    if accepted > acked:
        syncstate.put(db, **{CURSOR: accepted})
