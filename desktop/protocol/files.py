"""Content-addressed files as desk and hub both keep them: a file's sha256, and a durable rename."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> tuple[str, int]:
    """The hex sha256 and size of a file, read in chunks (memory stays bounded)."""
    import hashlib  # OpenSSL loads here, not for the desk's instance lock ahead of its login window (issue 16)

    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (POSIX); Windows cannot open a directory for fsync and NTFS journals
    the rename itself."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def private_dir(path: Path) -> None:
    """Create `path` (and its parents) with the leaf readable by the user only (0700): data dirs hold personal
    data. An existing directory is left as the admin set it; Windows ignores the mode (the per-user profile
    folder is already private)."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)


def private_file(path: Path) -> None:
    """Create an empty `path` readable by the user only (0600) unless it exists: SQLite then keeps that mode and
    gives its -wal and -shm files the same."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
