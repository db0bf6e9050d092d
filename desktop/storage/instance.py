"""One desk per data dir: an OS file lock, released by the OS itself when the process dies."""

from __future__ import annotations

import os
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.storage import filelock

# not from storage.db: the desk takes this lock before its login window, long before the store
from desktop.storage.fileops import ensure_writable

LOCK_NAME = "desk.lock"


class InstanceLock:
    """Hold `data_dir/desk.lock` exclusively; a crash frees it, so no stale-lock cleanup is needed."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_NAME
        self._fh = None

    def acquire(self) -> InstanceLock:

        ensure_writable(self.path.parent)  # a first run: the data dir does not exist yet
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the life of the lock
        try:
            filelock.lock(fh)
        except OSError:
            fh.close()
            raise StoreError(f"另一个工作台已在使用数据目录 {self.path.parent}，请先关闭它。") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()).encode())
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            filelock.unlock(self._fh)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
