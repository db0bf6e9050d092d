"""Destroying a data dir at hand-over (sync/handover.py `wipe`): crypto-erase, then removal.

The data key exists only wrapped in keys.json: overwriting that file with random bytes (fsynced) and removing it
leaves every page of the database and every sealed scan unreadable for good. Backups are not touched: they
carry their own keys.json and open with the office's passwords or recovery paper. Then the data dir is removed;
the files of a plain data dir (DESK_PLAIN_DATA, tests and development) are overwritten first, since no key
protects them. Copies an SSD's wear levelling keeps are beyond reach (docs/security.md).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.protocol.files import fsync_dir
from desktop.storage import crypto


def overwrite(path: Path) -> None:
    """Overwrite a file with random bytes, fsync it, remove it."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for start in range(0, max(size, 1), 1 << 20):
            fh.write(secrets.token_bytes(min(1 << 20, max(size - start, 0)) or 1))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def key_material(data_dir: Path) -> list[Path]:
    """keys.json and any temp copy of it a crash left."""
    return [p for p in (data_dir / crypto.KEYS_NAME, *data_dir.glob(".keys-*.tmp")) if p.is_file()]


def erase(data_dir: Path) -> None:
    """Crypto-erase the data dir (its key material first, synced to disk), then remove it."""
    data_dir = Path(data_dir)
    crypto.forget(data_dir)
    _close_logs(data_dir)
    encrypted = crypto.is_encrypted(data_dir)
    for path in key_material(data_dir) if encrypted else sorted(p for p in data_dir.rglob("*") if p.is_file()):
        overwrite(path)
    fsync_dir(data_dir)
    try:
        shutil.rmtree(data_dir)
    except OSError as exc:
        raise StoreError(f"密钥已销毁（数据已无法读取），但数据目录未能全部删除：{data_dir}（{exc.strerror or exc}），"
                         "请关闭占用它的程序后手动删除") from None


def _close_logs(data_dir: Path) -> None:
    """Close this process's log file inside the data dir (logs.setup): an open file cannot be removed on Windows."""
    logger = logging.getLogger("desktop")
    for handler in list(logger.handlers):
        if Path(getattr(handler, "baseFilename", "/")).resolve().is_relative_to(data_dir.resolve()):
            logger.removeHandler(handler)
            handler.close()
