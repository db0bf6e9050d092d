"""Case numbers (受理编号): county code-window code-YYYYMMDD-NNNN, unique on this device without a network.

The daily sequence is taken inside the acceptance's own transaction, so a rolled-back acceptance gives its
number back and a committed one never repeats (docs/decisions.md, "Cases").
"""

from __future__ import annotations

import datetime as dt

from desktop.storage.db import Database


def prefix(county_code: str, window: str, day: dt.date) -> str:
    return f"{county_code}-{window}-{day:%Y%m%d}"


def next_number(db: Database, county_code: str, window: str, day: dt.date) -> str:
    """The next number of this window and day; call it inside the transaction that accepts the case."""
    head = prefix(county_code, window, day)
    row = db.execute(
        "INSERT INTO sequences (prefix, last) VALUES (?, 1) "
        "ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last", [head]
    ).fetchone()
    return f"{head}-{row[0]:04d}"
