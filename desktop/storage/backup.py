"""Backups of an encrypted data dir: one ZIP holding a consistent copy of the database (still encrypted), the
sealed scans, keys.json (so a staff password or the recovery paper opens the restored copy) and a manifest
with every member's sha256.

Nothing plain goes in: a data dir must be encrypted (`key setup`) before it can be backed up. Every write is a
hidden temp file renamed into place, so a kill during `create` or `restore` leaves the target as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.domain.errors import StoreError
from desktop.protocol.files import fsync_dir
from desktop.storage import crypto
from desktop.storage.db import DB_NAME, Database

FORMAT = "desk-backup/1"
MANIFEST = "manifest.json"
TEMP_PREFIX = ".backup-"  # the hidden temp files of a backup being written, beside the target
Progress = Callable[[int], None]  # percent done, 0–100


def create(db: Database, data_dir: Path, out: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write the backup to `out` (temp, fsync, rename) and verify it; returns its manifest. `progress` hears
    the percent done: the members written up to 80, the verification the rest."""
    data_dir, out = Path(data_dir), Path(out)
    key = crypto.key_for(data_dir)
    if key is None:
        raise StoreError("本机数据未加密，不能备份：请管理员先运行 key setup 加密本机数据")
    tell = progress or (lambda _percent: None)
    snap, tmp = out.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}.sqlite", out.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}.zip"
    try:
        target = crypto.connect(snap, key)
        db.conn.backup(target)  # a consistent copy, page by page, still encrypted under the same key
        target.close()
        members = [(DB_NAME, snap), (crypto.KEYS_NAME, data_dir / crypto.KEYS_NAME)]
        members += [(p.relative_to(data_dir).as_posix(), p) for p in sorted((data_dir / "blobs").glob("??/*"))]
        # every catalog version cases were accepted under: without them an old case could not be reprinted
        members += [(p.relative_to(data_dir).as_posix(), p) for p in sorted((data_dir / "catalogs").glob("[0-9a-f]*.sqlite"))]
        cases = db.execute("SELECT count(*) FROM cases").fetchone()[0]
        tell(5)
        manifest = _write_zip(tmp, members, cases, lambda n: tell(5 + 75 * n // len(members)))
        os.replace(tmp, out)
        fsync_dir(out.parent)
    finally:
        snap.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    verify(out, lambda n, total: tell(80 + 20 * n // max(total, 1)))
    return manifest


def _write_zip(path: Path, members: list[tuple[str, Path]], cases: int,
               written: Callable[[int], None]) -> dict[str, Any]:
    files = {}
    with zipfile.ZipFile(path, "x", compression=zipfile.ZIP_STORED) as zf:  # ciphertext does not compress
        for n, (name, src) in enumerate(members, 1):
            zf.write(src, name)
            files[name] = {"sha256": _sha(src.read_bytes()), "size": src.stat().st_size}
            written(n)
        manifest = {"format": FORMAT, "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "cases": cases, "files": files}
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())
    return manifest


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(path: Path, checked: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The backup's manifest if every member is there, whole and as listed; StoreError naming the first fault.
    `checked(n, total)` hears each member checked."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise StoreError(f"不是工作台备份文件：{path}")
            listed, present = set(manifest["files"]), set(zf.namelist()) - {MANIFEST}
            if listed != present:
                raise StoreError(f"备份文件不完整：{path}（{sorted(listed ^ present)[0]} 缺失或多余）")
            for n, (name, info) in enumerate(manifest["files"].items(), 1):
                if _sha(zf.read(name)) != info["sha256"]:
                    raise StoreError(f"备份文件已损坏：{path} 中的 {name} 与清单不符")
                if checked is not None:
                    checked(n, len(listed))
    except FileNotFoundError:
        raise StoreError(f"找不到备份文件：{path}") from None
    except IsADirectoryError:
        raise StoreError(f"“{path}”是文件夹，不是备份文件") from None
    except OSError as exc:  # the system's own words are English: its number is enough for the administrator
        raise StoreError(f"无法读取备份文件：{path}（错误号 {exc.errno}）") from None
    except (KeyError, ValueError, zipfile.BadZipFile):
        raise StoreError(f"备份文件已损坏或不是工作台备份：{path}") from None
    return manifest


def restore(path: Path, data_dir: Path) -> dict[str, Any]:
    """Unpack a verified backup into a new or empty data dir (staged beside it, then renamed into place)."""
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise StoreError(f"只能恢复到空的数据目录：{data_dir} 不是空的")
    manifest = verify(path)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in data_dir.parent.glob(f".{data_dir.name}.restore-*"):  # left by a restore that was killed
        shutil.rmtree(stale, ignore_errors=True)
    staging = data_dir.parent / f".{data_dir.name}.restore-{uuid.uuid4().hex}"
    try:
        with zipfile.ZipFile(path) as zf:
            for name in manifest["files"]:
                _extract(zf, name, staging)
        if data_dir.exists():
            data_dir.rmdir()
        os.replace(staging, data_dir)
        fsync_dir(data_dir.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _extract(zf: zipfile.ZipFile, name: str, staging: Path) -> None:
    target = (staging / name).resolve()
    if not target.is_relative_to(staging.resolve()):
        raise StoreError(f"备份文件中有不安全的路径：{name[:80]}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as fh:
        fh.write(zf.read(name))
        fh.flush()
        os.fsync(fh.fileno())
