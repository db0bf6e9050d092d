"""Every catalog version this desk has used or received, content-addressed in data_dir/catalogs/<hash>.sqlite,
and which one is active: new cases use it; a case keeps the one it was accepted under (docs/catalog.md).

The active catalog is chosen when the store first uses it (the desk's start, the start of the day): the published
one with the latest effective date on or before today, else the bundled one. It never changes under an open wizard.
The bundled one is registered when the store opens, from its file's meta alone (`register`): a command that reads
no catalog does not parse one (issue 16).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

from desktop.domain import catalogfile, paths
from desktop.domain.errors import DeskError
from desktop.protocol import files
from desktop.storage.db import Database

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    import logging
    from typing import Any

    from desktop.domain.catalog import Catalog

# The catalog's dataclasses (desktop.domain.catalog) load with the first catalog parsed: a case list reads only the
# active catalog's service names from its file (`active_path`), and so does not import them (issue 16).


def _log() -> logging.Logger:
    """logging loads when something is to be logged, not with every command that opens the store (issue 16)."""
    import logging

    return logging.getLogger("desktop.storage.catalogs")


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / "catalogs"


def file_of(data_dir: Path, digest: str) -> Path:
    return folder(data_dir) / f"{digest}.sqlite"


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="microseconds")


def register_bundled(db: Database, data_dir: Path, digest: str, version: str, source: Path) -> None:
    """Keep the catalog shipped with this install among the versions (the first one is the legacy catalog of
    cases accepted before versioning)."""
    if not digest or db.execute("SELECT 1 FROM catalogs WHERE hash = ?", [digest]).fetchone():
        return
    _store_file(data_dir, digest, source.read_bytes())
    with db.atomic():
        legacy = db.execute("SELECT 1 FROM catalogs WHERE legacy = 1").fetchone() is None
        db.execute("INSERT INTO catalogs VALUES (?, ?, '', '', 'bundled', ?, ?, NULL)",
                   [digest, version, int(legacy), now_iso()])


def register(db: Database, data_dir: Path) -> None:
    """The bundled catalog registered among the versions, from its file's meta (hash, version) without parsing it.
    A full disk must not stop the desk: the bundled catalog is still at hand, and the next open retries."""
    source = paths.catalog_db_path()
    try:
        meta = _bundled_meta(str(source))
        register_bundled(db, data_dir, meta.get("hash", ""), meta.get("version", ""), source)
    except OSError as exc:
        _log().error("bundled catalog not kept in %s: %s", folder(data_dir), type(exc).__name__)


@functools.lru_cache(maxsize=1)
def _bundled_meta(source: str) -> dict[str, str]:
    if not Path(source).exists():
        return {}  # said when the catalog is loaded (catalog.load names the missing file)
    conn = catalogfile.connect_read_only(Path(source).resolve())
    try:
        return catalogfile.read_meta(conn)
    finally:
        conn.close()


def install(db: Database, data_dir: Path, meta: dict[str, Any], content: bytes) -> None:
    """A verified published catalog (desktop/sync/catalogs.py): its file first, then its row."""
    _store_file(data_dir, meta["hash"], content)
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO catalogs VALUES (?, ?, ?, ?, 'hub', 0, ?, NULL)",
                   [meta["hash"], meta["version"], meta["effective"], meta["note"], now_iso()])


def refuse(db: Database, meta: dict[str, Any], reason: str) -> None:
    _log().warning("catalog refused hash=%s version=%s: %s", str(meta.get("hash"))[:64], str(meta.get("version"))[:40],
                reason)
    with db.atomic():
        db.execute("INSERT OR REPLACE INTO catalog_refusals VALUES (?, ?, ?, ?, ?)",
                   [str(meta.get("hash", "")), str(meta.get("signature", "")), str(meta.get("version", "")),
                    reason, now_iso()])


def known(db: Database, meta: dict[str, Any]) -> bool:
    """Installed already, or refused already with this very signature (a tampered file is not fetched again)."""
    return bool(db.execute("SELECT 1 FROM catalogs WHERE hash = ? UNION ALL SELECT 1 FROM catalog_refusals "
                           "WHERE hash = ? AND signature = ?",
                           [meta.get("hash"), meta.get("hash"), meta.get("signature", "")]).fetchone())


def _store_file(data_dir: Path, digest: str, content: bytes) -> None:
    target = file_of(data_dir, digest)
    if target.exists():
        return
    folder(data_dir).mkdir(parents=True, exist_ok=True)
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".sqlite", dir=folder(data_dir))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        files.fsync_dir(folder(data_dir))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def rows(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM catalogs ORDER BY effective, installed_at"))


def active_row(db: Database, today: dt.date) -> dict[str, Any] | None:
    """The catalog in force on `today`: the latest effective date not after it (a bundled one counts as always)."""
    return next(db.query("SELECT * FROM catalogs WHERE effective <= ? ORDER BY effective DESC, origin = 'hub' DESC,"
                         " installed_at DESC LIMIT 1", [today.isoformat()]), None)


def open_active(db: Database, data_dir: Path, today: dt.date | None = None) -> Catalog:
    """The bundled catalog registered, then the one in force today (the bundled one unless a published one is)."""
    from desktop.domain import catalog as catalog_mod

    return catalog_mod.load(active_path(db, data_dir, today))


def active_path(db: Database, data_dir: Path, today: dt.date | None = None) -> Path:
    """The file of the catalog in force today (`open_active`), found from the rows and the bundled file's meta,
    without parsing a catalog."""
    bundled = paths.catalog_db_path()
    catalogfile.existing(bundled)  # no bundled catalog: the error that says how to build it, as its load would
    register(db, data_dir)  # the store did at its open; the start of a new day comes here too
    row = active_row(db, today or dt.date.today())
    if row is None or row["hash"] == _bundled_meta(str(bundled)).get("hash", ""):
        return bundled
    path = file_of(data_dir, row["hash"])
    if not path.exists():  # its file gone (a partial restore): new cases use the bundled one, and the log says so
        message = DeskError(_missing(row["hash"], path)).message  # redacted, as every known error's
        _log().error("active catalog unavailable, using the bundled one: %s", message)
        return bundled
    return path


def _missing(digest: str, path: Path) -> str:
    return f"本机找不到案件受理时所用的目录版本（{digest[:12]}）：{path}；请联系管理员从备份恢复"


def load(db: Database, data_dir: Path, digest: str) -> Catalog | None:
    """A catalog by hash, loaded once per process; '' is the legacy one of cases accepted before versioning
    (None when this desk never registered one: it then has no such cases)."""
    path = path_of(db, data_dir, digest)
    if path is None:
        return None
    from desktop.domain import catalog as catalog_mod

    return catalog_mod.load(path)


def path_of(db: Database, data_dir: Path, digest: str) -> Path | None:
    """The file of the catalog `load` would parse (None: no legacy catalog registered), without parsing it."""
    if not digest:
        row = next(db.query("SELECT hash FROM catalogs WHERE legacy = 1"), None)
        if row is None:
            return None
        digest = row["hash"]
    path = file_of(data_dir, digest)
    if not path.exists():
        raise DeskError(_missing(digest, path))
    return path


def switch_notice(db: Database, data_dir: Path, active: Catalog) -> list[str]:
    """What changed, once: on the first start with a newly active catalog, the list against the one active
    before it (and never again); [] otherwise. The very first start only marks the catalog seen."""
    from desktop.domain import catalogdiff

    row = next(db.query("SELECT seen_at FROM catalogs WHERE hash = ?", [active.hash]), None)
    if row is None or row["seen_at"]:
        return []
    before = next(db.query("SELECT hash FROM catalogs WHERE seen_at IS NOT NULL ORDER BY seen_at DESC LIMIT 1"), None)
    with db.atomic():
        db.execute("UPDATE catalogs SET seen_at = ? WHERE hash = ?", [now_iso(), active.hash])
    if before is None:
        return []
    try:
        old = load(db, data_dir, before["hash"])
        return (catalogdiff.diff(old, active) if old else []) or ["目录内容无实质变化"]
    except DeskError as exc:
        _log().warning("catalog diff unavailable: %s", exc.message)
        return []


def copy_out(db: Database, data_dir: Path, digest: str, target: Path) -> None:
    import shutil

    shutil.copyfile(file_of(data_dir, digest), target)
