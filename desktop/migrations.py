"""Every schema change of the desk database, registered in order; applied by desktop.db.open_db.

sqlite-utils' Migrations applies them, but it is imported only when one is pending: importing sqlite-utils
costs about 100 ms, a large share of the desk's start-up budget (bench/startup.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


class Registry:
    """Migrations in registration order, under one sqlite-utils migration set name."""

    def __init__(self, name: str):
        self.name = name
        self.steps: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = []

    def __call__(self, *, name: str) -> Callable:
        def inner(fn: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
            self.steps.append((name, fn))
            return fn

        return inner

    def pending(self, conn: sqlite3.Connection) -> list[str]:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchone():
            return [name for name, _ in self.steps]
        applied = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                                              [self.name])}
        return [name for name, _ in self.steps if name not in applied]

    def apply(self, conn: sqlite3.Connection) -> None:
        if not self.pending(conn):
            return
        import sqlite_utils

        migrations = sqlite_utils.Migrations(self.name)
        for name, fn in self.steps:
            migrations(name=name)(fn)
        migrations.apply(sqlite_utils.Database(conn, strict=True, execute_plugins=False))


MIGRATIONS = Registry("desk")


@MIGRATIONS(name="0001_cases_events_outbox")
def _initial(db: sqlite_utils.Database) -> None:
    # Foreign keys are checked at commit: a case, its events and its linked drafts are written in one
    # transaction in whatever order is clearest.
    db.execute(
        """CREATE TABLE cases (
            uuid TEXT PRIMARY KEY,
            number TEXT UNIQUE,
            service INTEGER NOT NULL,
            state TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            accepted_at TEXT,
            accepted_date TEXT,
            due_date TEXT,
            applicant_name TEXT NOT NULL DEFAULT '',
            id_number TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            township TEXT NOT NULL DEFAULT '',
            village TEXT NOT NULL DEFAULT '',
            clerk TEXT NOT NULL DEFAULT '',
            window TEXT NOT NULL DEFAULT '',
            linked_from TEXT REFERENCES cases(uuid) DEFERRABLE INITIALLY DEFERRED,
            page INTEGER NOT NULL DEFAULT 0,
            payload TEXT NOT NULL
        ) STRICT"""
    )
    db.execute("CREATE INDEX cases_accepted_date ON cases(accepted_date)")
    db.execute("CREATE INDEX cases_state ON cases(state)")
    db.execute(
        """CREATE TABLE case_keys (
            key TEXT NOT NULL,
            case_uuid TEXT NOT NULL REFERENCES cases(uuid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            PRIMARY KEY (key, case_uuid)
        ) WITHOUT ROWID, STRICT"""
    )
    db.execute("CREATE INDEX case_keys_case ON case_keys(case_uuid)")
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            case_uuid TEXT NOT NULL REFERENCES cases(uuid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}'
        ) STRICT"""
    )
    db.execute("CREATE INDEX events_case ON events(case_uuid, id)")
    db.execute(
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            case_uuid TEXT NOT NULL REFERENCES cases(uuid) DEFERRABLE INITIALLY DEFERRED,
            revision INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'acked', 'conflict', 'rejected')),
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            UNIQUE (case_uuid, revision)
        ) STRICT"""
    )
    db.execute("CREATE INDEX outbox_state ON outbox(state, id)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT")
    db.execute("CREATE TABLE sequences (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT")
