"""Converting a plain data dir to an encrypted one in place, so that a kill at any moment loses nothing.

1. desk.sqlite is copied into desk.sqlite.new encrypted (sqlcipher_export), and the copy is verified: integrity,
   and every table's row count equal to the original's. The plain file is untouched.
2. keys.json is written (temp, fsync, rename): the commit point. Before it, a half-made .new is thrown away at
   the next open; after it, the next open finishes the conversion from step 3.
3. Every plain scan is sealed under its keyed name before its plain copy is zeroed and removed; then the plain
   database (and its WAL) is zeroed and desk.sqlite.new renamed over it. Each step can be repeated after a crash.
Zeroing cannot reach copies an SSD's wear levelling keeps; docs/security.md says so.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.protocol.files import fsync_dir
from desktop.storage import crypto
from desktop.storage.blobs import BlobStore
from desktop.storage.layout import DB_NAME, NEW_DB_NAME as NEW

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_plain(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


def convert(data_dir: Path, username: str, password: str, progress=None) -> str:
    """Encrypt a plain data dir (no connection may be open on it); returns the recovery key for the paper.
    `progress(percent)` hears the database copied and verified (to 30), then the scans sealed (to 100)."""
    data_dir = Path(data_dir)
    tell = progress or (lambda _percent: None)
    if crypto.is_encrypted(data_dir):
        raise StoreError(f"本机数据已经加密：{data_dir}")
    key, code = secrets.token_bytes(32), crypto.new_recovery_code()
    others = _export(data_dir, key, username)
    keys = crypto.KeyFile.new(data_dir)
    for name, encoded in others:  # the other staff open theirs with their own password (crypto.wrap_pending)
        keys.wrap_pending(key, name, encoded)
    keys.wrap_password(key, username, password)
    keys.wrap_recovery(key, code)
    keys.save()  # the commit point
    crypto.remember(data_dir, key)
    tell(30)
    finish_pending(data_dir, lambda n, total: tell(30 + 70 * n // total))
    tell(100)
    return code


def _export(data_dir: Path, key: bytes, username: str) -> list[tuple[str, str]]:
    """Write the encrypted copy and verify it; returns the other active accounts' (username, login hash)."""
    import sqlcipher3  # only when converting

    src, new = data_dir / DB_NAME, data_dir / NEW
    _remove(new)
    conn = sqlcipher3.connect(str(src), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = _counts(conn)
        others = conn.execute("SELECT username, password_hash FROM users WHERE disabled = 0 AND username != ?",
                              [username.strip().lower()]).fetchall() if "users" in counts else []
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"ATTACH DATABASE '{_quote(new)}' AS enc KEY \"x'{crypto.subkey(key, 'db').hex()}'\"")
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    _verify(new, key, counts)
    return [(str(n), str(h)) for n, h in others]


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%'")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _verify(new: Path, key: bytes, counts: dict[str, int]) -> None:
    conn = crypto.connect(new, key)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok" and _counts(conn) == counts
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    if not ok:
        _remove(new)
        raise StoreError(f"加密副本校验失败，原数据未改动：{new}")
    with open(new, "rb+") as fh:
        os.fsync(fh.fileno())


def finish_pending(data_dir: Path, sealed=None) -> None:
    """Finish a conversion a crash interrupted after its commit point, or discard one interrupted before it."""
    data_dir = Path(data_dir)
    new = data_dir / NEW
    if not new.exists():
        return
    if not crypto.is_encrypted(data_dir):
        _remove(new)
        return
    BlobStore.of(data_dir).seal_plain(sealed)  # before the swap: .new marks the conversion unfinished until the end
    src = data_dir / DB_NAME
    for plain in (src, data_dir / f"{DB_NAME}-wal", data_dir / f"{DB_NAME}-journal"):
        if plain.exists() and (plain.name != DB_NAME or is_plain(plain)):
            crypto.scrub(plain)
    (data_dir / f"{DB_NAME}-shm").unlink(missing_ok=True)
    os.replace(new, src)
    fsync_dir(data_dir)


def _remove(new: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{new}{suffix}").unlink(missing_ok=True)
