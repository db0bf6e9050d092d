"""Non-blocking exclusive OS file locks, released by the OS when the process dies (flock / msvcrt.locking)."""

from __future__ import annotations

import os

if os.name == "nt":
    import msvcrt

    def lock(fh) -> None:
        """Lock the first byte of open file `fh`; raises OSError at once if another holds it."""
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def unlock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def lock(fh) -> None:
        """Lock open file `fh`; raises OSError at once if another holds it."""
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
