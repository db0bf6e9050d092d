"""Claiming a scan: move it exclusively out of the scanner folder into DATA_DIR/intake-processing/.

A move (rename) is the claim: on Windows it fails while the scanner still holds the file without
share-delete, which means "not finished"; on POSIX a writer can keep writing a moved file, so the size and
mtime are compared again after the move. A scanner folder on another volume (a share) is claimed by a
rename in place, then copied. One pass at a time per data dir: a thread lock plus an OS file lock.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from desktop.intake.ingest import Claimed
from desktop.storage import filelock, fileops
from desktop.storage.blobs import fsync_dir, replace_with_retry

CLAIM_PREFIX = ".yjs-claim-"
LOCKED = "locked"
DENIED = "denied"  # access denied: usually a writer still holds it; if it lasts, a permission the clerk lacks
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def claim(src: Path, processing: Path, name: str, seen: tuple[int, int]) -> Claimed | str | None:
    """Move the file into processing/ under a generated name; 'locked' if the scanner still holds it."""
    intake_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}"
    target = processing / f"{intake_id}.scan"
    claimed = Claimed(target, intake_id, name)
    write_meta(claimed, {"name": name, "attempts": 0})
    try:
        os.replace(os_path(src), target)
    except FileNotFoundError:  # renamed or deleted by the scanner since the listing
        claimed.meta.unlink(missing_ok=True)
        return None
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # sharing violation / EBUSY / EACCES: still being written
            claimed.meta.unlink(missing_ok=True)
            return DENIED if fileops.is_denied(exc) and not fileops.is_held(exc) else LOCKED
        return claim_across_volumes(src, claimed)
    # No fsync of processing/ here: if the rename is lost in a crash the file is simply back in the scanner
    # folder; the blob and its row are made durable before the claimed copy is removed.
    if signature(target) != seen and not src.exists():
        # Written to between our look and the move (POSIX lets a writer keep a moved file): put it back.
        os.replace(target, os_path(src))
        claimed.meta.unlink(missing_ok=True)
        return LOCKED
    return claimed


def claim_across_volumes(src: Path, claimed: Claimed) -> Claimed | str | None:
    """Scanner folder on another volume (a share): claim by renaming in place, then copy, then remove."""
    hold = src.with_name(CLAIM_PREFIX + claimed.intake_id)
    try:
        os.replace(os_path(src), os_path(hold))
    except FileNotFoundError:
        claimed.meta.unlink(missing_ok=True)
        return None
    except OSError as exc:
        claimed.meta.unlink(missing_ok=True)
        return DENIED if fileops.is_denied(exc) and not fileops.is_held(exc) else LOCKED
    copy_in(hold, claimed.path)
    return claimed


def copy_in(hold: Path, target: Path) -> None:
    """Copy a held claim into processing/ (temp, fsync, rename), then remove the held original."""
    tmp = target.with_suffix(".copying")
    with open(os_path(hold), "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    replace_with_retry(tmp, target)
    fsync_dir(target.parent)
    os.unlink(os_path(hold))


def bump_attempts(claimed: Claimed, by: int = 1) -> int:
    """Count one more processing attempt of a claim in its metadata (or take one back); returns the new count."""
    try:
        meta = json.loads(claimed.meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {"name": claimed.name, "attempts": 0}
    meta["attempts"] = max(0, int(meta.get("attempts", 0)) + by)
    write_meta(claimed, meta, durable=False)  # a count lost in a crash only allows one more try
    return meta["attempts"]


def write_meta(claimed: Claimed, meta: dict[str, Any], *, durable: bool = True) -> None:
    """Write a claim's metadata (its cleaned display name, attempts) beside it, atomically."""
    tmp = claimed.meta.with_suffix(".json-tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    replace_with_retry(tmp, claimed.meta)


def signature(path: Path) -> tuple[int, int]:
    """(size, mtime in ns): what must hold still for a file to count as finished."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def os_path(path: Path) -> str:
    """Windows refuses paths past 260 characters unless written in their \\\\?\\ form (long scan names)."""
    text = str(path)
    if os.name != "nt" or len(text) < 240 or text.startswith("\\\\?\\"):
        return text
    text = os.path.abspath(text)
    return "\\\\?\\UNC\\" + text[2:] if text.startswith("\\\\") else "\\\\?\\" + text


class PassLock:
    """One pass at a time per data dir: a thread lock for this process, an OS file lock for other processes."""

    def __init__(self, data_dir: Path):
        key = str(Path(data_dir).resolve())
        with _LOCKS_GUARD:
            self.thread_lock = _LOCKS.setdefault(key, threading.Lock())
        self.path = Path(data_dir) / "intake.lock"
        self.fh = None

    def __enter__(self) -> bool:
        if not self.thread_lock.acquire(blocking=False):
            return False
        self.fh = open(self.path, "a+b")
        try:
            filelock.lock(self.fh)
        except OSError:
            self.fh.close()
            self.fh = None
            self.thread_lock.release()
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            filelock.unlock(self.fh)
            self.fh.close()
            self.thread_lock.release()
