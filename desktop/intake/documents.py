"""Scans as documents: the inbox, filing under a case's material, removing, and page edits. No Qt.

This is the API the desk's inbox panel, the case view and the command line use. A filed scan marks the
material received as 扫描件 through the store's own write path (timeline event, revision, outbox row, all in
one transaction); nothing here deletes a blob or a document row.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.domain import eligibility
from desktop.domain.case import MaterialState
from desktop.domain.errors import ValidationError
from desktop.intake.scancheck import REASONS
from desktop.storage import esign
from desktop.storage.blobs import BlobStore, PlainBlob
from desktop.storage.store import Store, now_local

COLUMNS = ("d.id, d.sha256, d.original_name, d.received_at, d.state, d.case_uuid, d.material_id, d.pages, "
           "d.duplicate_of, d.derived_from, d.source, d.filed_at, d.note, b.mime, b.size")


@dataclass(frozen=True, repr=False)  # its original file name may carry the person's name or number
class Document:
    """One document row with its blob's type and size; `original_name` is display text only."""

    id: str
    sha256: str
    original_name: str
    received_at: str
    state: str
    case_uuid: str | None
    material_id: str | None
    pages: int
    duplicate_of: str | None
    derived_from: str
    source: str
    filed_at: str | None
    note: str
    mime: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"derived_from": json.loads(self.derived_from)}


def _select(store: Store, where: str, params: list[Any]) -> list[Document]:
    sql = f"SELECT {COLUMNS} FROM documents d JOIN blobs b ON b.sha256 = d.sha256 WHERE {where}"
    return [Document(**row) for row in store.db.query(sql + " ORDER BY d.received_at, d.rowid", params)]


def get(store: Store, doc_id: str) -> Document:
    found = _select(store, "d.id = ?", [doc_id])
    if not found:
        raise ValidationError(f"找不到扫描件“{doc_id}”", field="document")
    return found[0]


def inbox(store: Store) -> list[Document]:
    """Scans waiting to be filed, oldest first."""
    return _select(store, "d.state = 'inbox'", [])


def for_case(store: Store, case_uuid: str, material_id: str | None = None) -> list[Document]:
    """Scans filed under a case (optionally one material), in the order they arrived."""
    # `+d.state`: the case's index (documents_case), never documents_state, which SQLite picks for its ORDER BY
    # and which walks every filed scan of the desk for each case (sync asks this of every case it sends)
    if material_id is None:
        return _select(store, "+d.state = 'filed' AND d.case_uuid = ?", [case_uuid])
    return _select(store, "+d.state = 'filed' AND d.case_uuid = ? AND d.material_id = ?", [case_uuid, material_id])


def quarantined(store: Store) -> list[dict[str, Any]]:
    """Refused scans, newest first: file (in DATA_DIR/quarantine/), original name, reason, label, detail, size, at."""

    rows = store.db.query("SELECT file, original_name, reason, detail, size, at FROM quarantine ORDER BY id DESC")
    return [{**r, "reason_label": REASONS[r["reason"]]} for r in rows]


def case_blobs(store: Store, case_uuid: str) -> list[str]:
    """The blob hashes a case's sync must carry (its filed scans and its on-screen signatures)."""
    return sorted({d.sha256 for d in for_case(store, case_uuid)} | set(esign.blob_hashes(store, case_uuid)))


def blob_path(store: Store, doc: Document) -> Path | PlainBlob:
    """The scan to read: its file, or its plaintext in memory when the data dir is encrypted."""
    return BlobStore.of(store.data_dir).source(doc.sha256)


def add_blob(store: Store, *, sha: str, size: int, mime: str, pages: int, now: dt.datetime) -> None:
    """Record a stored blob (inside the caller's transaction); the same blob twice is one row."""
    store.db.execute("INSERT OR IGNORE INTO blobs (sha256, size, mime, pages, created_at) VALUES (?, ?, ?, ?, ?)",
                     [sha, size, mime, pages, now.isoformat()])


def insert(store: Store, *, sha: str, name: str, pages: int, received_at: str, source: str = "scan",
           derived_from: list[str] | None = None, intake_id: str | None = None, note: str = "",
           dedupe: bool = False) -> str:
    """Write one inbox document row (inside the caller's transaction); returns its id."""
    first = store.db.execute("SELECT id FROM documents WHERE sha256 = ? ORDER BY rowid LIMIT 1", [sha]).fetchone()
    doc_id = str(uuidlib.uuid4())
    store.db.execute(
        "INSERT INTO documents (id, sha256, original_name, received_at, state, pages, duplicate_of, derived_from,"
        " source, intake_id, note) VALUES (?, ?, ?, ?, 'inbox', ?, ?, ?, ?, ?, ?)",
        [doc_id, sha, name, received_at, pages, first[0] if (first and dedupe) else None,
         json.dumps(derived_from or []), source, intake_id, note])
    return doc_id


def file(store: Store, doc_id: str, case_ref: str, material_id: str, *, actor: str = "",
         now: dt.datetime | None = None) -> Document:
    """File an inbox scan under a case's material; the material counts as received (扫描件)."""
    doc = get(store, doc_id)
    if doc.state != "inbox":
        raise ValidationError("只有收件箱中的扫描件可以归档；已归档的请先移除", field="document")
    case_uuid = store.load(case_ref).uuid
    now = now or now_local()
    with store.db.atomic():
        file_many(store, case_uuid, [(doc_id, material_id)], now=now, actor=actor, kind="scan_filed")
    store._changed("scan_filed", case_uuid)
    return get(store, doc_id)


def file_many(store: Store, case_uuid: str, docs: list[tuple[str, str]], *, now: dt.datetime, actor: str,
              kind: str) -> None:
    """Inside a transaction: file (document, material) pairs under one case as one new revision.

    Uses Store internals (`_write`, `_event`, `_audited`) on purpose: a scan changes the case payload
    (materials), so it must go through the same revision + outbox + audit write as any other change, inside
    the caller's transaction (intake files a whole batch in one); a public Store method would only wrap them.
    """
    case = store.load(case_uuid)
    service = store.catalog_for(case).service(case.service)
    names = {m.id: m.name for m in service.materials}
    for doc_id, material_id in docs:
        if material_id not in names:
            raise ValidationError(f"“{service.name}”没有材料“{material_id}”", field="material")
        _mark_received(case, material_id)
        store.db.execute("UPDATE documents SET state = 'filed', case_uuid = ?, material_id = ?, filed_at = ? "
                         "WHERE id = ?", [case.uuid, material_id, now.isoformat(), doc_id])
        sha = store.db.execute("SELECT sha256 FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
        store._event(case.uuid, now, kind, actor, {"document": doc_id, "material": material_id, "sha256": sha})
        store._audited(actor, "case.scan", case.uuid, {"kind": kind, "document": doc_id, "material": material_id}, now)
    _save(store, case, now)
    if case.state == "pending_materials" and not case.missing:  # the last missing material came in as a scan
        store.transition(case.uuid, "materials_received", actor=actor, now=now)


def _mark_received(case: Any, material_id: str) -> None:
    """A scan makes a material received; an original or copy already noted stays as it was."""
    got = case.materials.get(material_id)
    if got is None or not got.received:
        case.materials[material_id] = MaterialState(received="scan", count=max(1, got.count if got else 0),
                                                    note=got.note if got else "")


def remove(store: Store, doc_id: str, *, reason: str = "", actor: str = "", to_inbox: bool = True,
           now: dt.datetime | None = None) -> str | None:
    """Take a scan off its case (or out of the inbox); the blob and the row are kept, the case's timeline says so.

    A scan taken off a case goes back to the inbox as a new row (to be filed where it belongs) unless
    `to_inbox` is False; returns that row's id. A material received only as this scan is no longer received.
    """
    doc = get(store, doc_id)
    if doc.state not in ("inbox", "filed"):
        raise ValidationError("该扫描件已被移除或已被编辑替代", field="document")
    now = now or now_local()
    back = None
    with store.db.atomic():
        store.db.execute("UPDATE documents SET state = 'removed', note = ? WHERE id = ?", [reason, doc_id])
        if doc.state == "filed":
            _unfile(store, doc, now, actor, reason)
            if to_inbox:
                back = insert(store, sha=doc.sha256, name=doc.original_name, pages=doc.pages,
                              received_at=now.isoformat(), source="edit", derived_from=[doc_id])
    if doc.state == "filed":
        store._changed("scan_removed", doc.case_uuid)
    return back


def _unfile(store: Store, doc: Document, now: dt.datetime, actor: str, reason: str) -> None:
    case = store.load(doc.case_uuid)
    got = case.materials.get(doc.material_id)
    if got is not None and got.received == "scan" and not for_case(store, case.uuid, doc.material_id):
        case.materials[doc.material_id] = MaterialState(note=got.note)
    store._event(case.uuid, now, "scan_removed", actor,
                 {"document": doc.id, "material": doc.material_id, "sha256": doc.sha256, "reason": reason})
    store._audited(actor, "case.scan", case.uuid,
                   {"kind": "scan_removed", "document": doc.id, "material": doc.material_id}, now)
    _save(store, case, now)


def _save(store: Store, case: Any, now: dt.datetime) -> None:
    """Write the case as a new revision (drafts stay off the outbox); a 补正 case's missing list follows."""
    if case.state == "pending_materials":
        case.missing = eligibility.missing_materials(store.catalog_for(case).service(case.service), case)
    store._write(case, now, outbox=case.state != "draft")
