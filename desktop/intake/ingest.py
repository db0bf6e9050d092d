"""Taking in one claimed scan: check it, store its bytes, write its rows, or quarantine it with a reason.

The order makes every crash recoverable: the bytes reach the blob store (fsynced) before the rows commit,
and the claimed copy in intake-processing/ is removed only after the commit. A claim found again after a
crash is processed again; its `intake_id` (UNIQUE on documents, and the quarantine file's name) makes that
idempotent. File names are display text only: processing and quarantine files have generated names.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.domain.errors import DeskError
from desktop.intake import coverbatch, documents, pdfpages, scancheck
from desktop.storage import fileops
from desktop.storage.blobs import BlobStore, fsync_dir, keep_aside, sha256_file
from desktop.storage.store import Store

log = logging.getLogger("desktop.intake.folder")
PDF = "application/pdf"


@dataclass(frozen=True, repr=False)  # a scan's file name may carry the person's name or number
class Claimed:
    """A scan moved into intake-processing/ as `<intake_id>.scan`, its cleaned name in `<intake_id>.json`."""

    path: Path
    intake_id: str
    name: str

    @property
    def meta(self) -> Path:
        return self.path.with_suffix(".json")

    @classmethod
    def load(cls, path: Path) -> Claimed:
        try:
            name = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["name"]
        except (OSError, ValueError, KeyError):
            name = "（中断后恢复的扫描件）"
        return cls(path, path.stem, name)

    def done(self) -> bool:
        """Remove the claimed copy and its metadata. False when another program (antivirus, the indexer) still
        holds one: the next pass finds it again, sees it committed, and only cleans up."""
        try:
            fileops.remove(self.path)
            fileops.remove(self.meta)
        except fileops.HeldError:
            log.info("scan %s committed; its claimed copy is held by another program, removed later", self.intake_id)
            return False
        return True


def ingest(store: Store, claimed: Claimed, *, size_limit: int, covers: bool, now: dt.datetime,
           actor: str = "") -> dict[str, Any]:
    """Process one claimed scan; returns the outcome for the pass report."""
    if (done := finish_committed(store, claimed)) is not None:
        return done
    try:
        verdict = scancheck.inspect(claimed.path, size_limit=size_limit)
    except scancheck.ScanRejectedError as exc:
        return quarantine(store, claimed, exc.reason, exc.detail, now)
    sha, size = sha256_file(claimed.path)
    BlobStore.of(store.data_dir).put_file(claimed.path, expected=sha)
    first = store.db.execute("SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1", [sha]).fetchone()
    parts = _batch_parts(claimed.path, verdict) if covers and verdict.mime == PDF and not first else []
    made = _store_parts(store, claimed.path, parts)
    with store.db.atomic():
        documents.add_blob(store, sha=sha, size=size, mime=verdict.mime, pages=verdict.pages, now=now)
        doc_id = documents.insert(store, sha=sha, name=claimed.name, pages=verdict.pages,
                                  received_at=now.isoformat(), intake_id=claimed.intake_id, dedupe=True)
        filed = _file_parts(store, doc_id, claimed.name, made, now, actor) if made else []
    for case_uuid in {f["case_uuid"] for f in filed if f.get("case_uuid")}:
        store._changed("scan_filed", case_uuid)
    claimed.done()
    log.info("scan %s accepted as document %s (%d pages)", claimed.intake_id, doc_id, verdict.pages)
    return _accepted(documents.get(store, doc_id), claimed, filed)


def finish_committed(store: Store, claimed: Claimed) -> dict[str, Any] | None:
    """A claim whose document already committed (before a crash, or its clean-up was held): clean up only."""
    row = store.db.execute("SELECT id FROM documents WHERE intake_id = ?", [claimed.intake_id]).fetchone()
    if row is None:
        return None
    claimed.done()
    return _accepted(documents.get(store, row[0]), claimed, [], recovered=True)


def quarantine(store: Store, claimed: Claimed, reason: str, detail: str, now: dt.datetime) -> dict[str, Any]:
    """Move a claimed scan to DATA_DIR/quarantine/ under a generated name, with its reason recorded first."""
    folder = store.data_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    with open(claimed.path, "rb") as fh:
        head = fh.read(scancheck.EDGE)
    file = f"{claimed.intake_id}.{scancheck.MIMES.get(scancheck.sniff(head) or '', 'bin')}"
    with store.db.atomic():
        store.db.execute("INSERT OR IGNORE INTO quarantine (file, original_name, reason, detail, size, at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [file, claimed.name, reason, detail, claimed.path.stat().st_size, now.isoformat()])
    keep_aside(store.data_dir, claimed.path, folder / file)  # sealed when the data dir is encrypted
    fsync_dir(folder)
    claimed.done()
    log.info("scan %s quarantined: %s", claimed.intake_id, reason)
    return {"name": claimed.name, "reason": reason, "reason_label": scancheck.REASONS[reason], "detail": detail,
            "file": str(folder / file)}


def _accepted(doc: documents.Document, claimed: Claimed, filed: list[dict[str, Any]], *,
              recovered: bool = False) -> dict[str, Any]:
    return {"name": claimed.name, "document": doc.id, "sha256": doc.sha256, "mime": doc.mime, "pages": doc.pages,
            "duplicate_of": doc.duplicate_of, "parts": filed, "recovered": recovered}


def _batch_parts(path: Path, verdict: scancheck.Verdict) -> list[coverbatch.Part]:
    try:
        return coverbatch.plan(verdict.pages, coverbatch.find_covers(path))
    except pdfpages.PdfError:  # it opened for the check; if rendering fails, keep the batch whole
        log.warning("cover detection failed; batch kept whole")
        return []


def _store_parts(store: Store, path: Path, parts: list[coverbatch.Part]) -> list[tuple[coverbatch.Part, str, int]]:
    """Write each non-empty part as its own PDF blob before the transaction (rendering is slow)."""
    blobs = BlobStore.of(store.data_dir)
    made = []
    for part in parts:
        if part.pages:
            sha, size = blobs.put_bytes(pdfpages.compose([(path, PDF, list(part.pages))]))
            made.append((part, sha, size))
        else:
            made.append((part, "", 0))
    return made


def _file_parts(store: Store, batch_id: str, name: str, made: list[tuple[coverbatch.Part, str, int]],
                now: dt.datetime, actor: str) -> list[dict[str, Any]]:
    """Inside the transaction: retire the batch, add one row per part, file each covered part under its case."""
    store.db.execute("UPDATE documents SET state = 'superseded', note = '已按封面拆分' WHERE id = ?", [batch_id])
    outcomes, by_case = [], {}
    for part, sha, size in made:
        out = {"pages": len(part.pages), "case": part.cover.case_number if part.cover else None,
               "material": part.cover.material_id if part.cover else None, "document": None, "case_uuid": None}
        outcomes.append(out)
        if not part.pages:
            out["note"] = "封面后没有页面"
            continue
        documents.add_blob(store, sha=sha, size=size, mime=PDF, pages=len(part.pages), now=now)
        where = f"（封面：{part.cover.case_number} / {part.cover.material_id}）" if part.cover else "（首张封面之前的页）"
        out["document"] = documents.insert(store, sha=sha, name=f"{name}{where}", pages=len(part.pages),
                                           received_at=now.isoformat(), source="cover", derived_from=[batch_id])
        if part.cover:
            _route(store, part.cover, out, by_case)
    for case_uuid, pairs in by_case.items():
        documents.file_many(store, case_uuid, pairs, now=now, actor=actor, kind="scan_filed_cover")
    return outcomes


def _route(store: Store, cover: coverbatch.Cover, out: dict[str, Any], by_case: dict[str, list]) -> None:
    """Queue a covered part for filing, or leave it in the inbox with a note saying why not."""
    try:
        case = store.load(cover.case_number)
    except DeskError:
        out["note"] = "封面上的案件编号在本机不存在，已留在收件箱"
        store.db.execute("UPDATE documents SET note = ? WHERE id = ?", [out["note"], out["document"]])
        return
    if cover.material_id not in {m.id for m in store.catalog_for(case).service(case.service).materials}:
        out["note"] = "封面上的材料不属于该案件的一件事，已留在收件箱"
        store.db.execute("UPDATE documents SET note = ? WHERE id = ?", [out["note"], out["document"]])
        return
    out["case_uuid"] = case.uuid
    by_case.setdefault(case.uuid, []).append((out["document"], cover.material_id))
