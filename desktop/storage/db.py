"""The one place that opens the case database: pragmas, integrity, migrations, and clear refusals.

Encryption at rest is a keyed connection (storage/crypto.py): an encrypted data dir opens once unlocked.
"""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.domain.errors import StoreError
from desktop.storage import crypto, encrypt
from desktop.storage.migrations import MIGRATIONS

DB_NAME = "desk.sqlite"
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA secure_delete=ON",
)


class Database:
    """The desk's connection: `execute`, `query`, `atomic` and `conn`, the part of sqlite-utils' Database the
    code uses, without its import cost on every start. Migrations still run through sqlite-utils."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction (a savepoint when nested): all of it commits, or none of it."""
        if self.conn.in_transaction:
            name = f"sp_{secrets.token_hex(8)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock upgrading a read later
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def ensure_writable(data_dir: Path) -> None:
    """Create the data dir and prove we can write there; refuse with the path named otherwise."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise StoreError(f"数据目录不可写：{data_dir}（{exc.strerror or exc}）") from None


def open_db(data_dir: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the desk database in `data_dir`, checked and migrated."""
    data_dir = Path(data_dir)
    ensure_writable(data_dir)
    path = data_dir / DB_NAME
    try:
        # isolation_level=None: no implicit transactions; every multi-row write goes through db.atomic()
        conn = _connect(data_dir, path)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        _quick_check(conn, path)
        if migrate:
            MIGRATIONS.apply(conn)
        db = Database(conn)
    except crypto.errors() as exc:  # evaluated only when something is raised
        raise StoreError(f"数据库文件已损坏或不是工作台数据库：{path}（{exc}）。请联系管理员从备份恢复。") from None
    return db


def _connect(data_dir: Path, path: Path) -> sqlite3.Connection:
    """The keyed connection of an encrypted data dir (finishing a conversion a crash interrupted), else plain."""
    encrypt.finish_pending(data_dir)
    return crypto.connect(path, crypto.key_for(data_dir))


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "wal":
        raise StoreError(f"数据库无法使用WAL模式（网络盘或只读介质？）：{path}")
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise StoreError(f"数据库完整性检查失败：{path}。请联系管理员从备份恢复。")
