"""One pass over the scanner folder (docs/intake.md): the listing is the truth, watcher events only hints.

`scan_once` is safe to call as often as anyone likes (a QTimer, a QFileSystemWatcher signal, the command
line): a second pass while one runs, in this process or another, returns at once marked `busy`. A file is
taken only when its size and mtime have not changed for `stability_delay` seconds (kept in an IntakeState
between passes) and it can be moved exclusively into DATA_DIR/intake-processing/; a file that is locked
waits for the next pass. Anything left in intake-processing/ by a crash is processed first.
"""

from __future__ import annotations

import logging
import os
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.domain.errors import DeskError
from desktop.intake import scancheck
from desktop.intake.claim import (
    CLAIM_PREFIX,
    DENIED,
    LOCKED,
    PassLock,
    bump_attempts,
    claim,
    copy_in,
    os_path,
)
from desktop.intake.ingest import Claimed, finish_committed, ingest, quarantine
from desktop.storage import fileops
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store, now_local

log = logging.getLogger("desktop.intake.folder")
PROCESSING = "intake-processing"
EMPTY_TIMEOUT = 600.0
DENIED_PATIENCE = 180.0  # seconds a settled file may refuse to move before the clerk is told why
MAX_ATTEMPTS = 3
NAME_MAX = 120
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db", "ehthumbs_vista.db", "icon\r"}
IGNORED_PREFIXES = ("~$", ".", "~")  # "." covers ._*, .DS_Store, our own .yjs-claim-*, hidden files
IGNORED_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart", ".!ut",
                    ".swp", ".lock", ".lck", ".~tmp")
DENIED_HELP = ("Windows 拒绝访问（错误 5）：本机账号能在扫描文件夹里新建文件，却不能移走它。请让管理员给该文件夹"
               "“修改”权限，或在 Windows 安全中心“受控文件夹访问”里允许本程序。")
HIDDEN_OR_SYSTEM = 0x2 | 0x4  # FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM (Windows)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass
class IntakeState:
    """What earlier passes saw of each name (size, mtime, since when unchanged). One per folder, kept by the caller."""

    seen: dict[str, _Seen] = field(default_factory=dict)

    def unchanged_for(self, name: str, size: int, mtime_ns: int, now: float) -> float:
        """Seconds this name has kept this size and mtime, as far as the passes have seen."""
        old = self.seen.get(name)
        if old is None or (old.size, old.mtime_ns) != (size, mtime_ns):
            self.seen[name] = _Seen(size, mtime_ns, now)
            return 0.0
        return now - old.since

    def keep_only(self, names: set[str]) -> None:
        for gone in set(self.seen) - names:
            del self.seen[gone]


@dataclass
class ScanReport:
    """What one pass did: accepted scans (with any cover-sheet parts), files still waiting, quarantined ones."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    busy: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "waiting": self.waiting, "quarantined": self.quarantined,
                "busy": self.busy}


def clean_name(name: str) -> str:
    """A file name made safe as display text: NFC, no control or bidi characters, no separators, bounded."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if ch.isspace() else "_" if ch in "/\\:" else ch for ch in text
                   if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = " ".join(text.split())
    if len(text) > NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and len(ext) <= 8 else ""
        text = text[: NAME_MAX - len(ext) - 2] + "…" + ("." + ext if ext else "")
    return text or "（无名文件）"


def ignored(name: str) -> bool:
    """Scanner temp files, partial downloads, hidden and system files: never taken, never quarantined."""
    low = name.lower()
    return low in IGNORED_NAMES or low.startswith(IGNORED_PREFIXES) or low.endswith(IGNORED_SUFFIXES)


def scan_once(store: Store, folder: Path, *, now: float | None = None, stability_delay: float = 5.0,
              size_limit: int = scancheck.DEFAULT_SIZE_LIMIT, state: IntakeState | None = None,
              empty_timeout: float = EMPTY_TIMEOUT, covers: bool = True, actor: str = "") -> ScanReport:
    """One pass: recover interrupted claims, then look at every file in `folder` and take the settled ones.

    `now` is a monotonic clock reading (seconds) for the stability check; `actor` is who files cover-sheet
    batches (the logged-in clerk). Returns at once with `busy` set when another pass holds the data dir.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DeskError(f"扫描文件夹不存在或不可访问：{folder}", field="scanner_folder")
    report = ScanReport()
    with PassLock(store.data_dir) as held:
        if not held:
            report.busy = True
            return report
        opts = {"size_limit": size_limit, "covers": covers, "actor": actor}
        processing = store.data_dir / PROCESSING
        processing.mkdir(parents=True, exist_ok=True)
        _recover(store, folder, processing, report, opts)
        _look(store, folder, processing, report, opts, state if state is not None else IntakeState(),
              time.monotonic() if now is None else now, stability_delay, empty_timeout)
    return report


def _look(store: Store, folder: Path, processing: Path, report: ScanReport, opts: dict[str, Any],
          state: IntakeState, now: float, delay: float, empty_timeout: float) -> None:
    listed: set[str] = set()
    for entry, st in _entries(folder):
        listed.add(entry.name)
        quiet = state.unchanged_for(entry.name, st.st_size, st.st_mtime_ns, now)
        name = clean_name(entry.name)
        if st.st_size == 0 and quiet < empty_timeout:
            report.waiting.append({"name": name, "why": "empty", "size": 0})
        elif quiet < delay:
            report.waiting.append({"name": name, "why": "unstable", "size": st.st_size,
                                   "seconds_left": round(delay - quiet, 1)})
        else:
            _take(store, Path(entry.path), processing, report, opts, name, st, quiet - delay)
    state.keep_only(listed)


def _entries(folder: Path) -> list[tuple[os.DirEntry, os.stat_result]]:
    """Candidate files with a fresh stat each (Windows' cached directory entry lags while a file is written)."""
    found = []
    with os.scandir(folder) as it:
        for entry in it:
            if ignored(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                st = os.stat(os_path(Path(entry.path)), follow_symlinks=False)
            except OSError:  # gone since the listing, or unreadable right now: the next pass sees
                continue
            if not getattr(st, "st_file_attributes", 0) & HIDDEN_OR_SYSTEM:
                found.append((entry, st))
    return found


def _take(store: Store, src: Path, processing: Path, report: ScanReport, opts: dict[str, Any], name: str,
          st: os.stat_result, settled_for: float) -> None:
    claimed = claim(src, processing, name, (st.st_size, st.st_mtime_ns))
    if claimed == DENIED and settled_for >= DENIED_PATIENCE:
        # settled for minutes and still "access denied": not a scanner writing, a permission the clerk lacks
        report.waiting.append({"name": name, "why": "denied", "size": st.st_size, "detail": DENIED_HELP})
    elif claimed in (LOCKED, DENIED):
        report.waiting.append({"name": name, "why": "locked", "size": st.st_size})
    elif isinstance(claimed, Claimed):
        if st.st_size == 0:
            report.quarantined.append(quarantine(store, claimed, "empty", "", now_local()))
        else:
            _process(store, claimed, report, opts)


def _recover(store: Store, folder: Path, processing: Path, report: ScanReport, opts: dict[str, Any]) -> None:
    """Finish what a crash interrupted: claims held in the scanner folder, then everything in processing/."""
    for tmp in [*processing.glob("*.copying"), *processing.glob("*.json-tmp")]:
        tmp.unlink()
    BlobStore.of(store.data_dir).sweep_temp()
    for hold in folder.glob(CLAIM_PREFIX + "*"):
        target = processing / f"{hold.name[len(CLAIM_PREFIX):]}.scan"
        if target.exists():
            os.unlink(os_path(hold))
        else:
            copy_in(hold, target)
    for meta in processing.glob("*.json"):
        if not meta.with_suffix(".scan").exists():
            meta.unlink()  # the claim never happened
    for path in sorted(processing.glob("*.scan")):
        _process(store, Claimed.load(path), report, opts)


def _process(store: Store, claimed: Claimed, report: ScanReport, opts: dict[str, Any]) -> None:
    """Ingest one claim; an unexpected failure leaves it for the next pass, at most MAX_ATTEMPTS times. A scan
    already in the inbox is only cleaned up, never quarantined; a file another program holds (antivirus, the
    indexer) waits without counting an attempt."""
    if (done := finish_committed(store, claimed)) is not None:
        report.accepted.append(done)
        return
    attempts = bump_attempts(claimed)
    try:
        if attempts > MAX_ATTEMPTS:
            report.quarantined.append(quarantine(store, claimed, "corrupt", "多次处理失败", now_local()))
            return
        outcome = ingest(store, claimed, now=now_local(), **opts)
    except (OSError, DeskError) as exc:
        held = fileops.is_held(exc)
        if held:
            bump_attempts(claimed, -1)  # a sharing violation is not a failed attempt
        log.warning("scan %s not processed (attempt %d): %s", claimed.intake_id, attempts, type(exc).__name__)
        report.waiting.append({"name": claimed.name, "why": "held" if held else "error", "size": _size(claimed.path)})
        return
    (report.quarantined if "reason" in outcome else report.accepted).append(outcome)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


