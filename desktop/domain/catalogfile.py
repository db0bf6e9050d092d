"""The catalog's file (data/catalog.sqlite): opening it read-only, its meta, and the services' summaries read
straight from their rows.

Apart from desktop/domain/catalog.py so that `catalog list` reads the file without building the catalog's
frozen dataclasses: their import (dataclasses, inspect, ast, typing, hashlib) and construction were most of that
command's own cost (issue 16). `catalog.service_summary` is the shape; tests/domain/test_catalog.py checks that
both give the same for every service.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path, PurePath

from desktop.domain import paths
from desktop.domain.errors import DeskError


def existing(path: Path | None = None) -> str:
    """The catalog file's path (default: the bundled one), or the error that tells how to build it."""
    where = str(path or paths.catalog_db_path())
    if not Path(where).exists():
        raise DeskError(f"找不到目录数据库：{where}（请运行 python -m desktop catalog build）")
    return where


def summaries(path: Path | None = None) -> list[dict]:
    """Every service as `catalog list --json` shows it (catalog.service_summary), in number order."""
    conn = connect_read_only(Path(existing(path)).resolve())
    try:
        items: dict[int, list[dict]] = {}
        for service, code, name in conn.execute("SELECT service, code, name FROM items ORDER BY service, position"):
            items.setdefault(service, []).append({"code": code or None, "name": name})
        rows = conn.execute("SELECT number, group_name, name, departments, level, methods, time_limit FROM services "
                            "ORDER BY number").fetchall()
    finally:
        conn.close()
    return [{"number": number, "group": group, "name": name, "items": items.get(number, []),
             "departments": json.loads(departments), "level": level, "methods": json.loads(methods),
             "working_days": json.loads(time_limit).get("working_days")}
            for number, group, name, departments, level, methods, time_limit in rows]


def service_names(path: Path | None = None) -> dict[int, str]:
    """Service number → name (what a case list shows of the catalog), in number order."""
    conn = connect_read_only(Path(existing(path)).resolve())
    try:
        return dict(conn.execute("SELECT number, name FROM services ORDER BY number").fetchall())
    finally:
        conn.close()


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The build's version and hash (empty for a build older than versioning)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
        return {}
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}


def connect_read_only(path: PurePath) -> sqlite3.Connection:
    """Open a SQLite file read-only. A file: URI with mode=ro where it can be written (as_uri() escapes '#',
    '?', '%' and spaces, and writes drive letters correctly); but a desk run from a network share resolves to a
    UNC path (\\\\server\\share\\…), whose URI has a host SQLite rejects, so there the plain path is opened and
    writes are refused by query_only."""
    target, as_uri = read_only_target(path)
    conn = sqlite3.connect(target, uri=as_uri)
    if not as_uri:
        conn.execute("PRAGMA query_only = ON")
    return conn


def read_only_target(path: PurePath) -> tuple[str, bool]:
    """(what to pass to sqlite3.connect, whether it is a URI) for a read-only open of `path`."""
    uri = path.as_uri()
    if uri.startswith("file:///"):
        return uri + "?mode=ro", True
    return str(path), False  # file://server/share/…: a UNC path
