"""The scheduled backup to a folder the office chooses (a USB disk): when it is due, where it goes, how many
are kept. The desk runs it in the background (ui/backuprun.py); storage/backup.py writes and verifies.

A backup is written as a hidden temp file and renamed to `工作台备份-<设备>-<时间>.zip` only when whole, then
verified; a kill at any moment leaves at most a hidden temp file, which the next run removes. Only files with
that name and this device's code are ever pruned, oldest first, down to the number to keep.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from desktop.domain.errors import StoreError
from desktop.storage import audit, backup, settings
from desktop.storage.db import Database

PREFIX = "工作台备份-"
STALE_TEMP = dt.timedelta(hours=1)  # a temp file untouched this long belongs to no running backup


def last(db: Database) -> dict[str, Any] | None:
    """The newest backup of this data dir ({"at", "file", "verified", "cases"}), from the audit trail."""
    row = db.execute("SELECT at, detail FROM audit WHERE action = 'backup.create' ORDER BY id DESC LIMIT 1").fetchone()
    return {"at": row[0], **json.loads(row[1] or "{}")} if row else None


def last_failure(db: Database) -> dict[str, Any] | None:
    """The newest failed scheduled backup, if it is newer than the newest backup."""
    row = db.execute("SELECT at, detail FROM audit WHERE action IN ('backup.create', 'backup.failed')"
                     " ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None or "reason" not in (detail := json.loads(row[1] or "{}")) else {"at": row[0], **detail}


def due(values: dict[str, Any], made: dict[str, Any] | None, now: dt.datetime) -> bool:
    """Is a scheduled backup due? Never without a folder; daily: from the set time on, once a day; every N
    hours: N hours after the last one (or at once if there is none)."""
    if not values.get("backup_folder"):
        return False
    previous = dt.datetime.fromisoformat(made["at"]) if made else None
    if values.get("backup_schedule") == "hours":
        return previous is None or now - previous >= dt.timedelta(hours=int(values["backup_hours"]))
    hour, minute = (int(x) for x in str(values["backup_time"]).split(":"))
    today_at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return now >= today_at and (previous is None or previous < today_at)


def check_folder(folder: Path) -> None:
    """A folder a backup can go to, or one Chinese sentence saying why not."""
    if not str(folder).strip():
        raise StoreError("尚未设置定时备份文件夹：请在“维护”中选择（如U盘上的文件夹）", field="backup_folder")
    if not folder.is_dir():
        raise StoreError(f"备份文件夹不存在（U盘是否已插入？）：{folder}", field="backup_folder")
    if not os.access(folder, os.W_OK):
        raise StoreError(f"备份文件夹不能写入（U盘是否写保护？）：{folder}", field="backup_folder")


def run(db: Database, data_dir: Path, actor: str, progress: backup.Progress | None = None,
        now: dt.datetime | None = None) -> dict[str, Any]:
    """One scheduled backup: into the folder, verified, recorded, old ones pruned. A failure is recorded
    (`backup.failed`, the reason in words) and raised as StoreError."""
    values = settings.get_all(db)
    now = now or dt.datetime.now().astimezone()
    folder = Path(str(values["backup_folder"]))
    try:
        check_folder(folder)
        _remove_stale(folder, now)
        device = values.get("window_code") or "本机"
        out = folder / f"{PREFIX}{device}-{now:%Y%m%d-%H%M%S}.zip"
        manifest = backup.create(db, data_dir, out, progress)
    except OSError as exc:
        _failed(db, actor, f"备份未完成：写入 {folder} 失败（{exc.strerror or exc}）", now)
        raise StoreError(f"备份未完成：写入 {folder} 失败（{exc.strerror or exc}）", field="backup_folder") from None
    except StoreError as exc:
        _failed(db, actor, exc.message, now)
        raise
    detail = {"file": out.name, "cases": manifest["cases"], "verified": True, "scheduled": True}
    audit.append(db, actor, "backup.create", detail=detail, at=now)
    removed = prune(folder, device, int(values["backup_keep"]))
    return {"at": now.isoformat(timespec="seconds"), "path": str(out), "removed": removed, **detail}


def _failed(db: Database, actor: str, reason: str, now: dt.datetime) -> None:
    audit.append(db, actor, "backup.failed", detail={"reason": reason}, at=now)


def _remove_stale(folder: Path, now: dt.datetime) -> None:
    """Temp files of a backup that was killed (never named as a backup, so never mistaken for one)."""
    for temp in folder.glob(f"{backup.TEMP_PREFIX}*"):
        if dt.datetime.fromtimestamp(temp.stat().st_mtime).astimezone() < now - STALE_TEMP:
            temp.unlink(missing_ok=True)


def prune(folder: Path, device: str, keep: int) -> list[str]:
    """Remove this device's scheduled backups beyond the newest `keep` (their names sort by time)."""
    mine = sorted(folder.glob(f"{PREFIX}{device}-*.zip"))
    old = mine[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return [p.name for p in old]
