"""The one place that opens the case database: pragmas, migrations, clear refusals, and the integrity check.

Opening does nothing that grows with the data (issue 16): every CLI command and background pass opens the
database, so `PRAGMA quick_check` (≈1.2 s at 100,000 cases) runs only when asked for, by `check_integrity`:
the desk's idle maintenance (desktop/ui/maintenance.py) and `python -m desktop db check`.

Encryption at rest is a keyed connection (storage/crypto.py): an encrypted data dir opens once unlocked.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.protocol import files
from desktop.storage import crypto
from desktop.storage.fileops import ensure_writable  # the desk's instance lock needs it before the store
from desktop.storage.layout import DB_NAME, NEW_DB_NAME
from desktop.storage.migrations import MIGRATIONS

TYPE_CHECKING = False  # typing's flag without importing typing: every command opens the database (issue 16)
if TYPE_CHECKING:
    from typing import Any

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA secure_delete=ON",
)


# SQLite's primary result codes that mean the environment, not a bug: (message, action). `{path}` is the file.
KNOWN_CODES = {
    sqlite3.SQLITE_BUSY: ("数据库正被另一个程序占用（{path}），本次未保存：请稍后重试", "重试"),
    sqlite3.SQLITE_LOCKED: ("数据库正被另一个程序占用（{path}），本次未保存：请稍后重试", "重试"),
    sqlite3.SQLITE_FULL: ("磁盘已满，本次未保存（{path}）：请清理磁盘后重试", "清理磁盘"),
    sqlite3.SQLITE_IOERR: ("读写数据库时磁盘出错（{path}），本次未保存：请检查磁盘或U盘是否断开后重试，仍不行请联系管理员",
                           "联系管理员"),
    sqlite3.SQLITE_READONLY: ("数据库只读，无法保存（{path}）：请联系管理员检查数据目录的权限", "联系管理员"),
    sqlite3.SQLITE_CANTOPEN: ("无法打开数据库文件（{path}）：请联系管理员检查数据目录", "联系管理员"),
    sqlite3.SQLITE_CORRUPT: ("数据库文件已损坏（{path}）：请联系管理员从备份恢复", "联系管理员"),
    sqlite3.SQLITE_NOTADB: ("数据库文件已损坏或不是工作台数据库（{path}）：请联系管理员从备份恢复", "联系管理员"),
}


def known_error(exc: sqlite3.Error, path: Path | str | None) -> StoreError | None:
    """The store error a clerk can act on for an environment failure (locked, disk full, I/O, read-only,
    damaged); None for anything else (a constraint, a bug), which the caller lets through."""
    code = getattr(exc, "sqlite_errorcode", None)
    known = KNOWN_CODES.get(code & 0xFF) if code is not None else None
    if known is None:
        return None
    message, action = known
    return StoreError(message.format(path=path or DB_NAME), action=action)


class Database:
    """The desk's connection: `execute`, `query`, `atomic` and `conn`, the part of sqlite-utils' Database the
    code uses, without its import cost on every start. Migrations still run through sqlite-utils.

    A locked database, a full disk, an I/O error, a read-only or damaged file raise StoreError (a known error
    with the clerk's action), never a bare sqlite3 error; a write that fails commits nothing."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.conn = conn
        self.path = path

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except crypto.errors() as exc:  # evaluated only when raised
            raise self._known(exc) from exc

    def query(self, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        try:
            for row in cursor:
                yield dict(zip(keys, row, strict=True))
        except crypto.errors() as exc:  # evaluated only when raised
            raise self._known(exc) from exc

    def _known(self, exc: sqlite3.Error) -> Exception:
        return known_error(exc, self.path) or exc

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction (a savepoint when nested): all of it commits, or none of it."""
        try:
            with self._transaction():
                yield self
        except crypto.errors() as exc:  # evaluated only when raised
            raise self._known(exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self.conn.in_transaction:
            name = f"sp_{os.urandom(8).hex()}"  # as secrets.token_hex: not importing it saves every command ≈5 ms
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock upgrading a read later
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                _rollback(self.conn)
            raise

    def close(self) -> None:
        self.conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back after a failure; a rollback that fails too (the disk went away) must not hide the first error:
    SQLite rolls the journal back itself when the database is next opened."""
    with suppress(sqlite3.Error):
        conn.execute("ROLLBACK")


def open_db(data_dir: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the desk database in `data_dir`, in WAL mode and migrated."""
    data_dir = Path(data_dir)
    ensure_writable(data_dir)
    path = data_dir / DB_NAME
    try:
        files.private_file(path)  # 0600 before SQLite creates it (its -wal and -shm files follow)
        # isolation_level=None: no implicit transactions; every multi-row write goes through db.atomic()
        conn = _connect(data_dir, path)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        _require_wal(conn, path)
        if migrate:
            MIGRATIONS.apply(conn)
        db = Database(conn, path)
    except crypto.errors() as exc:  # both drivers' errors (sqlcipher3's do not derive from sqlite3's)
        raise known_error(exc, path) or StoreError(
            f"数据库文件已损坏或不是工作台数据库：{path}（{exc}）。请联系管理员从备份恢复。") from None
    return db


def pending_migrations(data_dir: Path) -> list[str]:
    """The migrations `open_db` would apply to `data_dir`'s database (none for a new one: it has no database yet).
    A first start after an upgrade can take seconds at 100,000 cases (0016 fills the ledger's rows): the desk runs
    them off the GUI thread and says so (ui/start.py `upgrade`)."""
    if not (Path(data_dir) / DB_NAME).exists():
        return []
    db = open_db(data_dir, migrate=False)
    try:
        return MIGRATIONS.pending(db.conn)
    finally:
        db.close()


def _connect(data_dir: Path, path: Path) -> sqlite3.Connection:
    """The keyed connection of an encrypted data dir (finishing a conversion a crash interrupted), else plain."""
    if (data_dir / NEW_DB_NAME).exists():  # the conversion's code (and the blob store's) loads only then
        from desktop.storage import encrypt

        encrypt.finish_pending(data_dir)
    return crypto.connect(path, crypto.key_for(data_dir))


def _require_wal(conn: sqlite3.Connection, path: Path) -> None:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "wal":
        raise StoreError(f"数据库无法使用WAL模式（网络盘或只读介质？）：{path}")


def check_integrity(db: Database, *, full: bool = False) -> str | None:
    """None when the database file is whole, else one Chinese sentence saying what to do.

    `quick_check` reads every page (seconds at 100,000 cases): call it off the GUI thread, on its own
    connection. `full` adds the index checks of `integrity_check` (slower still).
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        result = db.execute(f"PRAGMA {pragma}(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    if result == "ok":
        return None
    return f"数据库完整性检查失败（{result}）。请立即联系管理员从备份恢复，并不要删除数据目录。"
