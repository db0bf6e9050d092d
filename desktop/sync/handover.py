"""Before a laptop moves to another agent or is retired: is everything of it at the hub, and is there a backup?

`check` answers from this device's own records (what the hub confirmed, not what was sent): every accepted case
synced with no open conflict or rejection, every filed scan confirmed, the audit trail confirmed up to its last
entry, and a backup made after the last change. `wipe` then records the wipe at the hub (an audit entry the hub
must acknowledge) before it crypto-erases and removes the data dir (storage/wipe.py).
"""

from __future__ import annotations

from typing import Any

from desktop.domain.errors import DeskError
from desktop.storage import audit, settings, wipe as erasing
from desktop.storage.db import Database
from desktop.sync import state as syncstate
from desktop.sync.audit import CURSOR


def check(db: Database) -> list[dict[str, Any]]:
    """The checks in order, each {"key", "ok", "detail"} with the detail in Chinese (counts, never names)."""
    return [_enrolled(db), _cases(db), _scans(db), _audit(db), _backup(db)]


def facts(db: Database, checks: list[dict[str, Any]], data_dir: str):
    """What the 设备移交单 states (desktop/forms/handover.py): counts at the hub, the audit head, the last backup."""
    import json

    from desktop.forms.handover import HandoverFacts
    from desktop.forms.office import OfficeInfo

    values = settings.get_all(db)
    cases = [r[0] for r in db.execute("SELECT uuid FROM cases WHERE number IS NOT NULL").fetchall()]
    synced = sum(1 for s in syncstate.case_states(db, cases).values() if s == "synced")
    filed = {r[0] for r in db.execute("SELECT DISTINCT sha256 FROM documents WHERE state = 'filed'"
                                      " AND case_uuid IS NOT NULL")}
    head = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone() or (0, "")
    last = db.execute("SELECT at, detail FROM audit WHERE action = 'backup.create' ORDER BY id DESC LIMIT 1").fetchone()
    backup = {"at": last[0], **json.loads(last[1] or "{}")} if last else None
    return HandoverFacts(OfficeInfo.from_settings(values), values.get("window_code") or "", data_dir,
                         values.get("hub_url") or "", synced, len(filed & syncstate.confirmed_blobs(db)),
                         (head[0], head[1]), syncstate.get(db, CURSOR) or 0, backup, checks)


def check_now(engine) -> list[dict[str, Any]]:
    """The checks after one sync pass (when enrolled), so that what this very command recorded (its login) and
    anything still queued reaches the hub first; a pass that fails leaves its checks failing, in words."""
    if settings.get(engine.store.db, "hub_url") and syncstate.get(engine.store.db, "token"):
        engine.sync_now()
    return check(engine.store.db)


def ready(checks: list[dict[str, Any]]) -> bool:
    return all(c["ok"] for c in checks)


def _enrolled(db: Database) -> dict[str, Any]:
    url = settings.get(db, "hub_url")
    ok = bool(url and syncstate.get(db, "token"))
    return {"key": "hub", "ok": ok, "detail": f"已登记到县级服务器 {url}" if ok else "本机未登记到县级服务器"}


def _cases(db: Database) -> dict[str, Any]:
    uuids = [r[0] for r in db.execute("SELECT uuid FROM cases WHERE number IS NOT NULL").fetchall()]
    states = syncstate.case_states(db, uuids)
    behind = sum(1 for s in states.values() if s != "synced")
    detail = f"{len(uuids)} 件案件全部已同步" if not behind else f"{behind} 件案件尚未同步或有冲突/拒收未处理"
    return {"key": "cases", "ok": behind == 0, "detail": detail}


def _scans(db: Database) -> dict[str, Any]:
    filed = {r[0] for r in db.execute("SELECT DISTINCT sha256 FROM documents WHERE state = 'filed' AND case_uuid IS NOT NULL")}
    missing = len(filed - syncstate.confirmed_blobs(db))
    detail = f"{len(filed)} 个扫描件服务器均已确认" if not missing else f"{missing} 个扫描件服务器尚未确认收到"
    return {"key": "scans", "ok": missing == 0, "detail": detail}


def _audit(db: Database) -> dict[str, Any]:
    last = db.execute("SELECT max(id) FROM audit").fetchone()[0] or 0
    acked = syncstate.get(db, CURSOR) or 0
    ok = acked >= last
    detail = "审计记录已全部送达服务器" if ok else f"还有 {last - acked} 条审计记录未送达服务器"
    return {"key": "audit", "ok": ok, "detail": detail}


def _backup(db: Database) -> dict[str, Any]:
    made = db.execute("SELECT max(id) FROM audit WHERE action = 'backup.create'").fetchone()[0]
    changed = db.execute("SELECT max(id) FROM audit WHERE case_uuid IS NOT NULL").fetchone()[0]
    ok = made is not None and (changed is None or made > changed)
    detail = "已有最新备份" if ok else ("没有备份" if made is None else "最近一次备份之后案件又有变化，请重新备份")
    return {"key": "backup", "ok": ok, "detail": detail}


def wipe(engine, actor: str) -> dict[str, Any]:
    """Erase this device's data once every check passes and the hub has acknowledged the wipe's own audit entry.

    Refused with the failing checks named, or when the hub did not confirm the entry: then nothing is erased
    (the entry stays and goes with the next sync). Returns what was recorded. `engine` is the SyncEngine of the
    open store, which is closed here before the data dir goes.
    """
    store = engine.store
    checks = check_now(engine)
    if not ready(checks):
        missing = "；".join(c["detail"] for c in checks if not c["ok"])
        raise DeskError(f"不能清除本机数据：{missing}。请先处理后再运行 handover check", field="handover")
    counts = {c["key"]: c["detail"] for c in checks}
    detail = {"device": settings.get(store.db, "window_code") or "", "cases": counts["cases"],
              "scans": counts["scans"]}
    entry = audit.append(store.db, actor, "handover.wipe", detail=detail)
    report = engine.sync_now()
    if (syncstate.get(store.db, CURSOR) or 0) < entry:
        why = "；".join(report.errors) or "服务器未确认"
        raise DeskError(f"清除记录未能送达县级服务器（{why}），本机数据未清除；请联网后重试", field="handover")
    data_dir = store.data_dir
    store.close()
    erasing.erase(data_dir)
    return {"entry": entry, **detail}
