"""The hub's tables (SQLAlchemy Core) and the one function that opens its database: SQLite or PostgreSQL.

Times are ISO-8601 UTC text on both backends, so rows compare and print the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

SCHEMA_VERSION = "1"  # tables are only ever added (create_all adds them to an older database on start)
metadata = MetaData()

devices = Table(
    "devices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("office", String(200), nullable=False),
    Column("code_hash", String(64), unique=True),
    Column("code_expires_at", String(40)),
    Column("token_hash", String(64), unique=True),
    Column("created_at", String(40), nullable=False),
    Column("enrolled_at", String(40)),
    Column("revoked_at", String(40)),
    Column("last_seen_at", String(40)),
    Column("pending_reported", Integer),
    # added later (open_engine adds them to an older database): the enrolment's code and desk identity, so a
    # lost answer can be asked again (hub/devices.py); a token seen from another desk; the desk's problems
    Column("enroll_code_hash", String(64)),
    Column("enroll_instance", String(64)),
    Column("clone_suspected_at", String(40)),
    Column("conflicts_reported", Integer),
    Column("rejected_reported", Integer),
    # kept with each case write (hub/cases.py), so the supervisor's summary never counts 500,000 rows
    Column("cases_received", Integer),
    Column("last_case_at", String(40)),
)

cases = Table(
    "cases", metadata,
    Column("uuid", String(36), primary_key=True),
    Column("office", String(200), nullable=False),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("number", String(40), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("accepted_on", String(8)),  # YYYYMMDD from the number (number_day): the ledger's range, indexed
    Index("cases_office", "office"),
    Index("cases_office_day", "office", "accepted_on"),
    Index("cases_number_unique", "number", unique=True),  # one case per printed number, whatever the device
    Index("cases_device", "device_id", "updated_at"),  # the supervisor's per-device summary
)

# Each case's ledger row (hub/ledgerrows.py), written with every revision in the same transaction, so the
# supervisor's ledger reads rows instead of parsing and masking 500,000 payloads. `data`: the ledger's fields
# of the payload as JSON, the ID number masked (`id_number` holds it whole for a supervisor); `accepted_at` from
# the payload decides the range and the order; `version`: the field list it was made with.
ledger_rows = Table(
    "ledger_rows", metadata,
    Column("case_uuid", String(36), ForeignKey("cases.uuid"), primary_key=True),
    Column("office", String(200), nullable=False),
    Column("accepted_on", String(8), nullable=False),  # as cases.accepted_on: the index's range
    Column("accepted_at", String(40), nullable=False),
    Column("number", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("id_number", String(40), nullable=False),  # whole, for a supervisor's export only
    Column("data", Text, nullable=False),
    Index("ledger_rows_office_day", "office", "accepted_on", "accepted_at"),
)

case_revisions = Table(
    "case_revisions", metadata,
    Column("case_uuid", String(36), ForeignKey("cases.uuid"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("base_revision", Integer, nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("received_at", String(40), nullable=False),
)

case_blobs = Table(
    "case_blobs", metadata,
    Column("case_uuid", String(36), ForeignKey("cases.uuid"), primary_key=True),
    Column("sha256", String(64), primary_key=True),
)

office_blobs = Table(
    "office_blobs", metadata,
    Column("office", String(200), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("received_at", String(40), nullable=False),
)

changes = Table(
    "changes", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("office", String(200)),  # NULL: for every office (catalog updates)
    Column("kind", String(20), nullable=False),
    Column("case_uuid", String(36)),
    Column("data", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("changes_office", "office", "id"),
    Index("changes_case", "case_uuid", "id"),  # a ledger's statuses, per case
)

# Each device's audit trail (hub/audit.py): its entries exactly as the desk hashed them, keyed by the device
# the token names and the desk's entry id; the hub appends only id = last + 1 whose links and hash check out.
audit_entries = Table(
    "audit_entries", metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True, autoincrement=False),
    Column("entry_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("device", String(100), nullable=False),  # the desk's own name for itself (county-window code)
    Column("username", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("case_uuid", String(36)),
    Column("detail", Text, nullable=False),  # canonical JSON text, as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),
    Index("audit_entries_case", "case_uuid"),
)

# The latest refused audit push per device, until the device's chain on the hub grows past that entry.
audit_refusals = Table(
    "audit_refusals", metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True, autoincrement=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("last_id", BigInteger, nullable=False),
    Column("at", String(40), nullable=False),
)

# Supervisors' hub credentials (hub/supervisors.py): full ID numbers in bulk need one, never a device token alone.
supervisors = Table(
    "supervisors", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("office", String(200), nullable=False),
    Column("secret_hash", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("disabled_at", String(40)),
)

# The hub's own record of every bulk export of full ID numbers: who, from which device, what range, how many.
personal_exports = Table(
    "personal_exports", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(40), nullable=False),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("supervisor", String(100), nullable=False),
    Column("date_from", String(10), nullable=False),
    Column("date_to", String(10), nullable=False),
    Column("rows", Integer, nullable=False),
)

# The audit head each device last reported (even with nothing new to send): deleting the tail shows at once.
audit_heads = Table(
    "audit_heads", metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True, autoincrement=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", String(40), nullable=False),
)

# The latest refusal of each case a device sent (422 invalid, 409 conflict or number taken): its code and
# reasons (field names, never values), for the supervisor; dropped once the case is stored.
case_refusals = Table(
    "case_refusals", metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True, autoincrement=False),
    Column("case_uuid", String(36), primary_key=True),
    Column("code", String(40), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Index("case_refusals_case", "case_uuid"),
)

# The citizen's pages (hub/public.py): each case's random code (from its payload, written with the case) and
# the one rating the citizen gave there, kept until the desk has it (it travels on the office's change feed).
case_codes = Table(
    "case_codes", metadata,
    Column("code", String(64), primary_key=True),
    Column("case_uuid", String(36), ForeignKey("cases.uuid"), nullable=False, unique=True),
)

citizen_ratings = Table(
    "citizen_ratings", metadata,
    Column("case_uuid", String(36), ForeignKey("cases.uuid"), primary_key=True),
    Column("level", String(40), nullable=False),
    Column("at", String(40), nullable=False),
)

# Each case's ratings as rows, rewritten with every revision that carries any (hub/cases.py), so the hub-wide
# 好差评 totals (hub/ratings.py) read an index by office and rated day instead of payloads.
rating_rows = Table(
    "rating_rows", metadata,
    Column("case_uuid", String(36), ForeignKey("cases.uuid"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("office", String(200), nullable=False),
    Column("clerk", String(100), nullable=False),
    Column("service", Integer, nullable=False),
    Column("level", String(40), nullable=False),
    Column("rated_day", String(10), nullable=False),  # the hall's date of the rating (YYYY-MM-DD)
    Column("rectify_due", String(10)),
    Column("rectified_at", String(40)),
    Index("rating_rows_office_day", "office", "rated_day"),
)

catalogs = Table(  # published catalog builds, signed by the county's key (hub/catalogs.py)
    "catalogs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("version", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("effective", String(10), nullable=False),
    Column("note", Text, nullable=False),
    Column("signature", String(200), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("published_at", String(40), nullable=False),
)

meta = Table(
    "meta", metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def open_engine(url: str) -> Engine:
    """An engine for `url` with the tables created; SQLite gets WAL, FULL sync and immediate write locks.

    hide_parameters: a database error's text never quotes a row's values (they may be personal data).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
        _sqlite_pragmas(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)
    metadata.create_all(engine)
    _upgrade(engine)
    with writing(engine) as conn:
        if conn.execute(meta.select().where(meta.c.key == "schema")).first() is None:
            import uuid

            conn.execute(meta.insert(), [{"key": "schema", "value": SCHEMA_VERSION},
                                         {"key": "hub_id", "value": str(uuid.uuid4())}])
        if conn.execute(meta.select().where(meta.c.key == "enroll_secret")).first() is None:
            import secrets

            conn.execute(meta.insert().values(key="enroll_secret", value=secrets.token_hex(32)))
    return engine


def _upgrade(engine: Engine) -> None:
    """Columns and indexes added since a table was first created (create_all only adds whole tables)."""
    from sqlalchemy import inspect

    for table in (devices, cases):
        have = {c["name"] for c in inspect(engine).get_columns(table.name)}
        with writing(engine) as conn:
            for column in table.columns:
                if column.name not in have:
                    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} "
                                         f"{column.type.compile(engine.dialect)}")
    _backfill_days(engine)
    with writing(engine) as conn:  # counters of devices from before they were kept
        conn.exec_driver_sql(
            "UPDATE devices SET cases_received = (SELECT count(*) FROM cases WHERE cases.device_id = devices.id), "
            "last_case_at = (SELECT max(updated_at) FROM cases WHERE cases.device_id = devices.id) "
            "WHERE cases_received IS NULL")
    for index in (*cases.indexes, *changes.indexes):
        try:
            index.create(engine, checkfirst=True)
        except Exception as exc:  # an older hub let two cases share a number: refused from now on in code
            logging.getLogger("hub").warning("index_not_created", extra={"fields": {
                "index": index.name, "error": type(exc).__name__}})


def number_day(number: str) -> str:
    """YYYYMMDD from a case number (county-window-YYYYMMDD-NNNN): the day it was accepted; '' if none."""
    parts = number.rsplit("-", 2)
    return parts[1] if len(parts) == 3 and len(parts[1]) == 8 and parts[1].isdigit() else ""


def _backfill_days(engine: Engine) -> None:
    """accepted_on for the cases an older hub stored without it (once, at the first start after upgrading)."""
    from sqlalchemy import bindparam, select

    while True:
        with writing(engine) as conn:
            rows = conn.execute(select(cases.c.uuid, cases.c.number).where(cases.c.accepted_on.is_(None))
                                .limit(10_000)).all()
            if not rows:
                return
            conn.execute(cases.update().where(cases.c.uuid == bindparam("key")).values(accepted_on=bindparam("day")),
                         [{"key": u, "day": number_day(n) or "-"} for u, n in rows])


def meta_get(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(meta.select().where(meta.c.key == key)).first()
    return None if row is None else row.value


def meta_set(conn: Connection, key: str, value: str) -> None:
    if conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))


def meta_value(engine: Engine, key: str) -> str:
    with engine.connect() as conn:
        return conn.execute(meta.select().where(meta.c.key == key)).one().value


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling is switched off so that the BEGIN below is ours (see writing()).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction. On SQLite it starts with BEGIN IMMEDIATE: writers queue on the busy timeout
    instead of failing when a read snapshot must be upgraded; plain reads (engine.connect()) stay deferred."""
    with engine.connect().execution_options(writing=True) as conn, conn.begin():
        yield conn


def hub_id(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(meta.select().where(meta.c.key == "hub_id")).one().value


def lock_changes(conn) -> None:
    """Serialise writers of the change feed, so ids become visible in order and no cursor skips one."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE")


def insert_ignore(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either backend (rows already there are left as they are)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


_compiled: dict[tuple[str, str, tuple[str, ...]], tuple[str, Sequence[str] | None]] = {}


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """The rows (all with the same keys, plain values: text, numbers, None) in one executemany of the DBAPI
    cursor, the INSERT compiled once per backend, table and columns: on the group writer's fast path
    (hub/caseputs.py) SQLAlchemy's per-statement work (cache key, parameter processing) cost more than the
    database. Same statement, same transaction as `conn.execute(table.insert(), rows)`."""
    if not rows:
        return
    keys = tuple(rows[0])
    found = _compiled.get((conn.dialect.name, table.name, keys))
    if found is None:
        compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(keys))
        found = _compiled[(conn.dialect.name, table.name, keys)] = (str(compiled), compiled.positiontup)
    sql, order = found
    conn.exec_driver_sql(sql, [tuple(row[k] for k in order) for row in rows] if order is not None else rows)
