"""Every schema change of the desk database, registered in order; applied by desktop.storage.db.open_db.

sqlite-utils' Migrations applies them, but it is imported only when one is pending: importing sqlite-utils
costs about 100 ms, a large share of the desk's start-up budget (bench/startup.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

TYPE_CHECKING = False  # typing's flag without importing typing: every command opens the database (issue 16)
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


@MIGRATIONS(name="0002_documents")
def _documents(db: sqlite_utils.Database) -> None:
    # Scans (docs/intake.md). A blob is the bytes, stored once under its sha256 in DATA_DIR/blobs/; a document
    # is one arrival or one edit of a blob, in the inbox, filed under a case's material, or retired. Nothing is
    # ever deleted: a removed attachment or an edited-away original keeps its row and its blob.
    db.execute(
        """CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            size INTEGER NOT NULL,
            mime TEXT NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png', 'image/tiff')),
            pages INTEGER NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL REFERENCES blobs(sha256) DEFERRABLE INITIALLY DEFERRED,
            original_name TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'inbox' CHECK (state IN ('inbox', 'filed', 'removed', 'superseded')),
            case_uuid TEXT REFERENCES cases(uuid) DEFERRABLE INITIALLY DEFERRED,
            material_id TEXT,
            pages INTEGER NOT NULL,
            duplicate_of TEXT REFERENCES documents(id) DEFERRABLE INITIALLY DEFERRED,
            derived_from TEXT NOT NULL DEFAULT '[]',
            source TEXT NOT NULL DEFAULT 'scan' CHECK (source IN ('scan', 'cover', 'edit')),
            intake_id TEXT UNIQUE,
            filed_at TEXT,
            note TEXT NOT NULL DEFAULT '',
            CHECK (state != 'filed' OR (case_uuid IS NOT NULL AND material_id IS NOT NULL))
        ) STRICT"""
    )
    db.execute("CREATE INDEX documents_state ON documents(state, received_at)")
    db.execute("CREATE INDEX documents_case ON documents(case_uuid, material_id)")
    db.execute("CREATE INDEX documents_sha ON documents(sha256)")
    db.execute(
        """CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL UNIQUE,
            original_name TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL CHECK (reason IN ('empty', 'truncated', 'corrupt', 'unsupported', 'bomb',
                                                   'too_large', 'encrypted', 'too_many_pages')),
            detail TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL,
            at TEXT NOT NULL
        ) STRICT"""
    )


@MIGRATIONS(name="0003_accounts_audit")
def _accounts_audit(db: sqlite_utils.Database) -> None:
    # Staff accounts and the hash-chained audit trail (desktop/accounts/staff.py, desktop/storage/audit.py, docs/roles.md).
    # area: {"township": "", "villages": []}; locked_until: ISO time or NULL.
    db.execute(
        """CREATE TABLE users (
            username TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,
            area TEXT NOT NULL DEFAULT '{}',
            password_hash TEXT NOT NULL,
            must_change INTEGER NOT NULL DEFAULT 1,
            disabled INTEGER NOT NULL DEFAULT 0,
            failed_count INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        ) STRICT"""
    )
    # AUTOINCREMENT: sqlite_sequence remembers the last id issued, so deleting the newest entries shows.
    db.execute(
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            device TEXT NOT NULL,
            username TEXT NOT NULL,
            action TEXT NOT NULL,
            case_uuid TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        ) STRICT"""
    )
    db.execute("CREATE INDEX audit_case ON audit(case_uuid, id)")
    # Append-only: changing or removing an entry needs the triggers dropped first, which the chain then shows.
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
                   f"BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改或删除'); END")


@MIGRATIONS(name="0004_sync")
def _sync(db: sqlite_utils.Database) -> None:
    # Sync with the county hub (desktop/sync/engine.py, docs/sync.md). sync_state: the device's enrollment (token),
    # the change-feed cursor and the last outcome, as key/value. sync_cases: per case, the last revision the hub
    # confirmed, and the request in doubt (sent, answer never seen) to be re-sent byte for byte before anything
    # newer. sync_items: the hub's last answer per outbox row, with the reason and how the clerk resolved it.
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT")
    db.execute(
        """CREATE TABLE sync_cases (
            case_uuid TEXT PRIMARY KEY REFERENCES cases(uuid) DEFERRABLE INITIALLY DEFERRED,
            acked_revision INTEGER NOT NULL DEFAULT 0,
            acked_at TEXT,
            hub_revision INTEGER,
            doubt_revision INTEGER,
            doubt_body TEXT
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE sync_items (
            outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) DEFERRABLE INITIALLY DEFERRED,
            status INTEGER,
            code TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT NOT NULL DEFAULT ''
        ) STRICT"""
    )
    # Entries of the hub's change feed, kept until they can be applied (a case with a revision still on its way
    # to the hub waits, so a status from the hub never changes a payload that is in flight).
    db.execute(
        """CREATE TABLE sync_inbox (
            change_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            case_uuid TEXT,
            data TEXT NOT NULL,
            received_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'applied', 'not_here', 'noted')),
            applied_at TEXT
        ) STRICT"""
    )
    db.execute("CREATE INDEX sync_inbox_state ON sync_inbox(state, change_id)")
    # Blobs the hub has confirmed holding for this office: not uploaded again.
    db.execute("CREATE TABLE sync_blobs (sha256 TEXT PRIMARY KEY, confirmed_at TEXT NOT NULL) STRICT")


@MIGRATIONS(name="0005_day_close")
def _day_close(db: sqlite_utils.Database) -> None:
    # 日结 (desktop/ledger/close.py): each close of a day, and each later revision of it, with the hash of its
    # ledger PDF (archived in the blob store) and what every case looked like on it, so that a later change to
    # one of that day's cases shows as a revision instead of passing silently.
    db.execute(
        """CREATE TABLE closures (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            revision INTEGER NOT NULL CHECK (revision >= 1),
            closed_at TEXT NOT NULL,
            closed_by TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('local', 'hub')),
            pdf_sha256 TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
            pdf_size INTEGER NOT NULL,
            case_count INTEGER NOT NULL,
            overdue INTEGER NOT NULL,
            unsynced INTEGER NOT NULL,
            changes TEXT NOT NULL DEFAULT '[]',
            UNIQUE (day, revision)
        ) STRICT"""
    )
    db.execute(
        """CREATE TABLE closure_cases (
            closure_id INTEGER NOT NULL REFERENCES closures(id) DEFERRABLE INITIALLY DEFERRED,
            case_uuid TEXT NOT NULL,
            number TEXT NOT NULL,
            revision INTEGER NOT NULL,
            snapshot TEXT NOT NULL,
            PRIMARY KEY (closure_id, case_uuid)
        ) WITHOUT ROWID, STRICT"""
    )


@MIGRATIONS(name="0006_due_date_one_rule")
def _due_date_one_rule(db: sqlite_utils.Database) -> None:
    # cases.due_date was the latest item's date; it is now the date that decides 超期 by the one rule of
    # desktop/domain/overdue.py (the nearest open item's), so home lists and the ledger agree on old cases too.
    import json

    from desktop.domain.overdue import case_due_date

    rows = db.execute("SELECT uuid, payload FROM cases").fetchall()
    db.conn.executemany("UPDATE cases SET due_date = ? WHERE uuid = ?",
                        [(case_due_date(c.get("items") or [], c.get("state", "")), u)
                         for u, c in ((u, json.loads(p)) for u, p in rows)])


@MIGRATIONS(name="0007_normalised_id_numbers")
def _normalised_id_numbers(db: sqlite_utils.Database) -> None:
    # ID numbers are stored as validated (idnumber.stored: ASCII, no separators, 15 digits converted to 18), so a
    # search by the 18-digit number finds every case. Rows written before that keep what was typed: rewrite the
    # column, the payload's three persons and the search keys. The hub keeps its copy until the case's next
    # revision; only the form of the number changes, never the number.
    import json

    from desktop.domain import idnumber
    from desktop.storage import searchkeys

    rows = db.execute("SELECT uuid, id_number, payload, applicant_name, phone, number FROM cases").fetchall()
    for uuid, column, payload, name, phone, number in rows:
        data = json.loads(payload)
        changed = False
        for key in ("applicant", "guardian", "proxy"):
            person = data.get(key) or {}
            if person.get("id_number") and idnumber.stored(person["id_number"]) != person["id_number"]:
                person["id_number"], changed = idnumber.stored(person["id_number"]), True
        stored = idnumber.stored(column) if column else column
        if not changed and stored == column:
            continue
        db.execute("UPDATE cases SET id_number = ?, payload = ? WHERE uuid = ?",
                   [stored, json.dumps(data, ensure_ascii=False, sort_keys=True), uuid])
        db.execute("DELETE FROM case_keys WHERE case_uuid = ?", [uuid])
        db.conn.executemany("INSERT OR IGNORE INTO case_keys (key, case_uuid) VALUES (?, ?)",
                            [(k, uuid) for k in sorted(searchkeys.keys_for(name, stored, phone, number))])


# What an accepted case's columns may hold at most (desktop/domain/limits.py): the database's last line behind
# the checks at acceptance. A draft is saved as it stands (the wizard saves on every keystroke) and is held only
# to the payload's size. SQLite cannot add a CHECK constraint to an existing table without rebuilding it (and
# the tables that refer to it), so the same conditions are BEFORE INSERT/UPDATE triggers.
_TEXT_LIMITS = (
    "length(NEW.payload) > 1000000 OR (NEW.state != 'draft' AND (length(NEW.applicant_name) > 40"
    " OR length(NEW.id_number) > 32 OR length(NEW.phone) > 20 OR length(NEW.township) > 40"
    " OR length(NEW.village) > 40 OR length(NEW.clerk) > 100 OR length(NEW.window) > 20))"
)


@MIGRATIONS(name="0008_text_limits")
def _text_limits(db: sqlite_utils.Database) -> None:
    for event in ("INSERT", "UPDATE"):
        db.execute(f"CREATE TRIGGER cases_text_limits_{event.lower()} BEFORE {event} ON cases WHEN {_TEXT_LIMITS}"
                   " BEGIN SELECT RAISE(ABORT, 'text_limit: a text of the case is longer than allowed'); END")
    for event in ("INSERT", "UPDATE"):
        db.execute(f"CREATE TRIGGER users_text_limits_{event.lower()} BEFORE {event} ON users"
                   " WHEN length(NEW.display_name) > 20 OR length(NEW.username) > 32 OR length(NEW.area) > 10000"
                   " BEGIN SELECT RAISE(ABORT, 'text_limit: an account text is longer than allowed'); END")


@MIGRATIONS(name="0009_sync_inbox_conflicts")
def _sync_inbox_conflicts(db: sqlite_utils.Database) -> None:
    # A department status that contradicts the clerk's action (desktop/sync/apply.py) is kept as a 'conflict'
    # until the clerk dismisses it; SQLite cannot alter a CHECK, so the table is rebuilt with its rows.
    db.execute(
        """CREATE TABLE sync_inbox_new (
            change_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            case_uuid TEXT,
            data TEXT NOT NULL,
            received_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'applied', 'not_here', 'noted', 'conflict', 'dismissed')),
            applied_at TEXT
        ) STRICT"""
    )
    db.execute("INSERT INTO sync_inbox_new SELECT change_id, kind, case_uuid, data, received_at, state, applied_at "
               "FROM sync_inbox")
    db.execute("DROP TABLE sync_inbox")
    db.execute("ALTER TABLE sync_inbox_new RENAME TO sync_inbox")
    db.execute("CREATE INDEX sync_inbox_state ON sync_inbox(state, change_id)")


@MIGRATIONS(name="0010_outbox_pending_index")
def _outbox_pending_index(db: sqlite_utils.Database) -> None:
    # Store.outbox_pending counts distinct cases with a change to send: from this index alone, without
    # reading the outbox's rows (4× less work at 100,000 cases; issue 16). The desk counts off the GUI thread.
    db.execute("CREATE INDEX outbox_state_case ON outbox(state, case_uuid)")


@MIGRATIONS(name="0011_search_keys_any_part")
def _search_keys_any_part(db: sqlite_utils.Database) -> None:
    # Search finds a name by any part of it, NFC-normalised, and keeps an unread character's place in the
    # initials (storage/searchkeys.py): re-key the names. Pinyin is recomputed only for names with a
    # character outside the basic block or a compatibility one (rare), so the upgrade stays quick at 100k.
    from desktop.storage import searchkeys

    rows = db.execute("SELECT uuid, applicant_name FROM cases WHERE applicant_name != ''").fetchall()
    for uuid, name in rows:
        keys = searchkeys.name_keys(name)
        wipe = "n:*"
        if not all("\u4e00" <= ch <= "\u9fff" for ch in name):
            keys |= {"p:" + v for v in searchkeys.initials(name) if v}
            wipe = "[np]:*"
        db.execute("DELETE FROM case_keys WHERE case_uuid = ? AND key GLOB ?", [uuid, wipe])
        db.conn.executemany("INSERT OR IGNORE INTO case_keys (key, case_uuid) VALUES (?, ?)",
                            [(k, uuid) for k in sorted(keys)])


@MIGRATIONS(name="0012_ratings_visits")
def _ratings_visits(db: sqlite_utils.Database) -> None:
    # 好差评 and 回访 (issue 19) live in the case's payload, which syncs; these two tables are their index, written
    # in the same transaction by desktop/storage/feedback.py, so the 整改 and 回访 lists never read payloads.
    db.execute(
        """CREATE TABLE ratings (
            case_uuid TEXT NOT NULL REFERENCES cases(uuid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            seq INTEGER NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'basically_satisfied',
                                                 'dissatisfied', 'very_dissatisfied')),
            rated_at TEXT NOT NULL,
            clerk TEXT NOT NULL DEFAULT '',
            rectify_due TEXT,
            rectified_at TEXT,
            PRIMARY KEY (case_uuid, seq)
        ) STRICT"""
    )
    db.execute("CREATE INDEX ratings_open ON ratings(rectify_due) WHERE rectify_due IS NOT NULL AND rectified_at IS NULL")
    db.execute(
        """CREATE TABLE return_visits (
            case_uuid TEXT NOT NULL REFERENCES cases(uuid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            reason TEXT NOT NULL CHECK (reason IN ('completed', 'bad_rating')),
            due_date TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            done_at TEXT,
            PRIMARY KEY (case_uuid, reason)
        ) STRICT"""
    )
    db.execute("CREATE INDEX return_visits_due ON return_visits(due_date) WHERE done_at IS NULL")
    # How far the timeline has been read for 办结 (feedback._visits_for_completed reads only newer entries).
    # It starts at the upgrade: cases closed before the office had 回访 on this desk are not suddenly overdue.
    db.execute("CREATE TABLE visit_scan (id INTEGER PRIMARY KEY CHECK (id = 1), last_event INTEGER NOT NULL) STRICT")
    db.execute("INSERT INTO visit_scan (id, last_event) SELECT 1, coalesce(max(id), 0) FROM events")


@MIGRATIONS(name="0013_cases_id_number_index")
def _cases_id_number_index(db: sqlite_utils.Database) -> None:
    # The wizard asks, as a clerk types, whether the applicant has an open case that starts this service by
    # itself (将自动启动): by the stored ID number, an index lookup instead of a scan of every case.
    db.execute("CREATE INDEX cases_id_number ON cases(id_number)")


@MIGRATIONS(name="0014_staff_number")
def _staff_number(db: sqlite_utils.Database) -> None:
    # 工号: a staff member's number in the hall, printed where papers name them (the 委托书's 受托人, the
    # receipt's 受理人). Unique on the device when given; '' for an account without one yet.
    db.execute("ALTER TABLE users ADD COLUMN staff_no TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE UNIQUE INDEX users_staff_no ON users(staff_no) WHERE staff_no != ''")
    for event in ("INSERT", "UPDATE"):
        db.execute(f"CREATE TRIGGER users_staff_no_limit_{event.lower()} BEFORE {event} ON users"
                   " WHEN length(NEW.staff_no) > 20"
                   " BEGIN SELECT RAISE(ABORT, 'text_limit: an account text is longer than allowed'); END")


@MIGRATIONS(name="0015_catalog_versions")
def _catalog_versions(db: sqlite_utils.Database) -> None:
    # Every catalog this desk has used or received (the files are data_dir/catalogs/<hash>.sqlite,
    # desktop/storage/catalogs.py). A case records the hash it was accepted under in its payload; cases from
    # before this migration record none and use the row marked legacy: the bundled catalog first registered.
    db.execute(
        """CREATE TABLE catalogs (
            hash TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            effective TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL CHECK (origin IN ('bundled', 'hub')),
            legacy INTEGER NOT NULL DEFAULT 0,
            installed_at TEXT NOT NULL,
            seen_at TEXT  -- first start it was active: the clerk was shown what changed (once)
        ) STRICT"""
    )
    # a published catalog this desk refused (bad signature, altered bytes): not fetched again, shown to the admin
    db.execute(
        """CREATE TABLE catalog_refusals (
            hash TEXT NOT NULL,
            signature TEXT NOT NULL,
            version TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (hash, signature)
        ) STRICT"""
    )


@MIGRATIONS(name="0016_ledger_rows")
def _ledger_rows(db: sqlite_utils.Database) -> None:
    # A year's ledger read every case's payload (json_extract, then JSON parsing: ≈2 s of CPU at 50,000 cases,
    # issue 16). Its fields become plain columns, written with the case from now on (desktop/storage/
    # ledgerrows.py); existing cases are filled here from their payloads. The schema is spelled out here,
    # not imported, so that this step stays what it was when ledgerrows.py changes.
    from desktop.storage import ledgerrows

    db.execute(
        """CREATE TABLE ledger_rows (
            case_uuid TEXT PRIMARY KEY REFERENCES cases(uuid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            accepted_date TEXT NOT NULL,
            accepted_at TEXT NOT NULL,
            number TEXT NOT NULL,
            service INTEGER NOT NULL,
            state TEXT NOT NULL,
            revision INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            applicant TEXT NOT NULL,
            id_masked TEXT NOT NULL,  -- birth date hidden; the full number stays in cases.id_number
            township TEXT NOT NULL,
            village TEXT NOT NULL,
            clerk TEXT NOT NULL,
            window TEXT NOT NULL,
            method TEXT NOT NULL,
            applied_by TEXT NOT NULL,
            proxy_kind TEXT NOT NULL,
            proxy_name TEXT NOT NULL,
            items TEXT NOT NULL,  -- the items' names, separated by U+001F
            due_date TEXT,  -- desktop.domain.overdue.case_due_date: the date that decides 超期
            missing INTEGER NOT NULL,  -- how many required materials are still missing
            materials TEXT  -- while some are missing: JSON {"missing": [id…], "received": [[id, how, count]…]}
        ) STRICT"""
    )
    # the range in the ledger's order (accepted_date is accepted_at's first ten characters): read without a sort
    db.execute("CREATE INDEX ledger_rows_accepted ON ledger_rows(accepted_date, accepted_at, number)")
    ledgerrows.backfill(db.conn)


@MIGRATIONS(name="0017_ledger_rows_sync")
def _ledger_rows_sync(db: sqlite_utils.Database) -> None:
    # The ledger looked up each row's newest outbox row and its sync item (three index searches a case, ≈0.3 s
    # of a year's 50,000, issue 16). The sync state — desktop.ledger.query.sync_state of that outbox row, as
    # text — is kept in the ledger row instead, by triggers on every table it derives from, so that no writer
    # (store, sync drain, enrolment, doubt, a resolution) can forget it. Spelled out here, not imported.
    newest = ("coalesce((SELECT CASE WHEN o.state IN ('conflict', 'rejected') AND coalesce(s.resolved_at, '') != ''"
              " THEN 'reviewed' WHEN o.state = 'acked' THEN 'synced' WHEN o.state = 'sending' THEN 'pending'"
              " ELSE o.state END FROM outbox o LEFT JOIN sync_items s ON s.outbox_id = o.id"
              " WHERE o.case_uuid = ledger_rows.case_uuid ORDER BY o.revision DESC LIMIT 1), 'local')")
    db.execute("ALTER TABLE ledger_rows ADD COLUMN sync TEXT NOT NULL DEFAULT 'local'")

    def refresh(cases: str) -> str:
        return f"UPDATE ledger_rows SET sync = {newest} WHERE case_uuid IN ({cases});"

    of_item = "SELECT case_uuid FROM outbox WHERE id IN (NEW.outbox_id, OLD.outbox_id)"
    for name, event, cases in (
            ("ledger_rows_sync_new", "INSERT ON ledger_rows", "NEW.case_uuid"),
            ("outbox_sync_insert", "INSERT ON outbox", "NEW.case_uuid"),
            ("outbox_sync_update", "UPDATE OF case_uuid, revision, state ON outbox", "NEW.case_uuid, OLD.case_uuid"),
            ("outbox_sync_delete", "DELETE ON outbox", "OLD.case_uuid"),
            ("sync_items_sync_insert", "INSERT ON sync_items",
             "SELECT case_uuid FROM outbox WHERE id = NEW.outbox_id"),
            ("sync_items_sync_update", "UPDATE OF outbox_id, resolved_at ON sync_items", of_item),
            ("sync_items_sync_delete", "DELETE ON sync_items", "SELECT case_uuid FROM outbox WHERE id = OLD.outbox_id")):
        db.execute(f"CREATE TRIGGER {name} AFTER {event} BEGIN {refresh(cases)} END")
    db.execute(f"UPDATE ledger_rows SET sync = {newest}")
