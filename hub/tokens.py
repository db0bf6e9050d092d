"""The devices' tokens held in memory, so a request does not read the devices table to learn who is asking.

What the cache assumes (docs/sync.md, "Token cache"):
- Every change that can end a token (revoke, a re-issued code, a new enrolment) goes through hub/devices.py,
  which calls `devices_changed(engine)` after its commit: that moves a stamp file in the hub's data dir
  (`tokens.stamp`: one byte longer, a later mtime). Every hub process, the `python -m hub device revoke` command included, opened
  with the same data dir sees the same stamp; each serving process checks it (one stat) per request and drops
  all its tokens when it moved. So a revoked device is refused by the very next request, in any worker.
- Several hub processes on one machine (or on machines sharing the data dir, as they must share the blobs)
  are therefore covered. A process whose stamp cannot be seen (another data dir, a database edited by hand)
  still catches up within MAX_AGE seconds: every entry is read from the database again after that.
- Only tokens that were valid are kept; unknown and revoked ones go to the database every time (and are
  rate-limited: hub/limits.py).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

STAMP = "tokens.stamp"
MAX_AGE = 60.0  # seconds an entry is trusted without the database; also the last-seen write's period
_stamps: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def watch(engine: Engine, data_dir: Path) -> Path:
    """Tie `engine` to the stamp in `data_dir`: device changes made through it move that stamp."""
    _stamps[engine] = Path(data_dir) / STAMP
    return _stamps[engine]


def devices_changed(engine: Engine) -> None:
    """After a committed change to who may use which token: every cache watching the stamp forgets its tokens.
    The stamp grows by one byte and its mtime moves strictly forward, so neither a coarse file-system clock
    nor two changes within one tick can leave it looking unchanged."""
    stamp = _stamps.get(engine)
    if stamp is None:
        return
    try:
        old = stamp.stat().st_mtime_ns
    except FileNotFoundError:
        old = 0
    with stamp.open("ab") as f:
        f.write(b".")
    new = max(time.time_ns(), old + 1)
    os.utime(stamp, ns=(new, new))


@dataclass
class Entry:
    """A valid token's device and the columns its last-seen update is decided on (kept up to date by `seen`)."""

    device: Any
    row: dict[str, Any]
    at: float


class TokenCache:
    """token hash → Entry, valid while the stamp stands still and for at most MAX_AGE seconds."""

    def __init__(self, stamp: Path | None):
        self.stamp, self.lock = stamp, threading.Lock()
        self.entries: dict[str, Entry] = {}
        self.mark = self.current()

    def current(self) -> tuple[int, int]:
        """The stamp's mark now (mtime, size): take it before reading a token from the database, give it to `put`."""
        try:
            found = os.stat(self.stamp) if self.stamp else None
        except FileNotFoundError:
            found = None
        return (found.st_mtime_ns, found.st_size) if found else (0, 0)

    def get(self, token_hash: str) -> Entry | None:
        mark, now = self.current(), time.monotonic()
        with self.lock:
            self._follow(mark)
            entry = self.entries.get(token_hash)
            if entry is not None and now - entry.at > MAX_AGE:
                del self.entries[token_hash]
                return None
            return entry

    def put(self, token_hash: str, device: Any, row: dict[str, Any], mark: tuple[int, int]) -> None:
        """Keep a token read from the database, unless the stamp moved since `mark` (taken before the read)."""
        now = self.current()
        with self.lock:
            self._follow(now)
            if now == mark and len(self.entries) < 100_000:
                self.entries[token_hash] = Entry(device, row, time.monotonic())

    def _follow(self, mark: tuple[int, int]) -> None:
        if mark != self.mark:
            self.entries.clear()
            self.mark = mark

    def seen(self, token_hash: str, update: dict[str, Any]) -> None:
        """The columns a last-seen update just wrote, so the next request decides on what the database holds."""
        with self.lock:
            if (entry := self.entries.get(token_hash)) is not None:
                entry.row.update(update)
