"""The desk's stored ledger rows: what a case's line on the ledger needs, kept with every write of the case.

A year's ledger read each case's payload with `json_extract` and parsed what it found (≈2 s of CPU at 50,000
cases, issue 16). `ledger_rows` holds those fields as plain columns instead — the ID number already masked, the
item names, the decisive due date, the materials still missing — written by `Store._write` in the transaction
that writes the case (acceptance, 补正, every transition, a department's status from the hub, …), and filled
for existing cases by migration 0016 (which spells out the table). A draft has no row: the ledger lists accepted cases only.

`fields` is the one place that says what a row holds (from the case's payload, as `Case.to_dict` gives it). The
full ID number is not copied: a personal export reads it from `cases` (docs/ledger.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from desktop.domain.case import received_brief
from desktop.domain.idnumber import mask_id
from desktop.domain.overdue import case_due_date

ITEMS_SEP = "\x1f"  # between item names in `items` (a control character no catalog name holds)
COLUMNS = ("case_uuid", "accepted_date", "accepted_at", "number", "service", "state", "revision", "updated_at",
           "applicant", "id_masked", "township", "village", "clerk", "window", "method", "applied_by", "proxy_kind",
           "proxy_name", "items", "due_date", "missing", "materials")
_UPSERT = (f"INSERT INTO ledger_rows ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
           f"ON CONFLICT(case_uuid) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS[1:])}")


def masked(id_number: str) -> str:
    """mask_id, by slicing when the number is stored normalised (18 ASCII letters and digits): normalising
    each of a year's 50,000 numbers again cost a second (issue 16)."""
    if len(id_number) == 18 and id_number.isascii() and id_number[:17].isdigit() and id_number[17] in "0123456789X":
        return id_number[:6] + "********" + id_number[14:]
    return mask_id(id_number) if id_number else ""


def fields(p: dict[str, Any], updated_at: str) -> tuple[Any, ...] | None:
    """A case's ledger row (COLUMNS order) from its payload; None for a draft, which is on no ledger."""
    if p.get("state", "draft") == "draft" or not p.get("accepted_at"):
        return None
    applicant, proxy = p.get("applicant") or {}, p.get("proxy") or {}
    items, missing = p.get("items") or [], p.get("missing") or []
    # received sorted by material id: a case's materials dict and its stored (sort_keys) payload hold them in
    # different orders, and the row must not depend on which one it was made from (the ledger shows catalog order)
    materials = json.dumps({"missing": missing, "received": sorted(received_brief(p.get("materials") or {}, missing))},
                           ensure_ascii=False, separators=(",", ":")) if missing else None
    return (p["uuid"], p["accepted_at"][:10], p["accepted_at"], p.get("number") or "", p["service"], p["state"],
            p.get("revision") or 0, updated_at, (applicant.get("name") or "").strip(),
            masked(applicant.get("id_number") or ""), applicant.get("township") or "", applicant.get("village") or "",
            p.get("clerk") or "", p.get("window") or "", p.get("method") or "", p.get("applied_by") or "self",
            p.get("proxy_kind") or "", proxy.get("name") or "", ITEMS_SEP.join(i["name"] for i in items),
            case_due_date(items, p["state"]), len(missing), materials)


def write(db, payload: dict[str, Any], updated_at: str) -> None:
    """The case's row, in the caller's transaction (nothing for a draft)."""
    row = fields(payload, updated_at)
    if row is not None:
        db.execute(_UPSERT, row)


def write_many(conn, rows: Iterable[tuple[Any, ...] | None]) -> None:
    """Rows made by `fields` (None skipped), on a raw sqlite3 connection: the migration and bench/data.py."""
    conn.executemany(_UPSERT, [r for r in rows if r is not None])


def backfill(conn, batch: int = 2_000) -> int:
    """A row for every accepted case, from the stored payloads, in batches by rowid (each batch's payloads
    parsed and dropped before the next, so memory stays flat at 100,000 cases). Returns how many were written."""
    done, after = 0, 0
    while True:
        todo = conn.execute("SELECT rowid, payload, updated_at FROM cases WHERE rowid > ? AND state != 'draft'"
                            " ORDER BY rowid LIMIT ?", [after, batch]).fetchall()
        if not todo:
            return done
        after = todo[-1][0]
        rows = [fields(json.loads(payload), updated) for _, payload, updated in todo]
        write_many(conn, rows)
        done += sum(r is not None for r in rows)
