"""Page edits of inbox scans before filing: merge, split, reorder (each makes a new blob), and thumbnails.

Page numbers are zero-based. The scans edited are kept (state 'superseded', blobs untouched); the result is a
new inbox document whose `derived_from` names them, so nothing a scanner delivered is ever lost.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from desktop.domain.errors import ValidationError
from desktop.intake import documents, pdfpages
from desktop.intake.documents import Document
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store, now_local

PDF = "application/pdf"


def merge(store: Store, doc_ids: list[str], *, now: dt.datetime | None = None) -> Document:
    """One PDF of the given inbox scans in the given order (images become one page each)."""
    docs = _editable(store, doc_ids)
    if len(docs) < 2:
        raise ValidationError("合并至少需要两个扫描件", field="documents")
    data = pdfpages.compose([(documents.blob_path(store, d), d.mime, None) for d in docs])
    name = "合并：" + "＋".join(d.original_name for d in docs)
    return _replace(store, docs, [(data, name[:120])], now)[0]


def split(store: Store, doc_id: str, parts: list[list[int]], *, now: dt.datetime | None = None) -> list[Document]:
    """Several PDFs from one inbox PDF: `parts` lists the pages of each, e.g. [[0, 1], [2]]."""
    doc = _editable(store, [doc_id])[0]
    _require_pdf(doc)
    if len(parts) < 2 or any(not p for p in parts):
        raise ValidationError("拆分需要至少两部分，每部分至少一页", field="pages")
    path = documents.blob_path(store, doc)
    made = [(pdfpages.compose([(path, PDF, pages)]), f"{doc.original_name}（第{i}部分）")
            for i, pages in enumerate(parts, 1)]
    return _replace(store, [doc], made, now)


def reorder(store: Store, doc_id: str, order: list[int], *, now: dt.datetime | None = None) -> Document:
    """The same PDF with its pages in `order`; pages left out are dropped from the new document."""
    doc = _editable(store, [doc_id])[0]
    _require_pdf(doc)
    if not order:
        raise ValidationError("至少保留一页", field="pages")
    data = pdfpages.compose([(documents.blob_path(store, doc), PDF, order)])
    return _replace(store, [doc], [(data, doc.original_name)], now)[0]


def thumbnail(store: Store, doc: Document, *, max_px: int = 256) -> bytes:
    """PNG bytes of the first page (or first frame) with its long side `max_px`."""
    path = documents.blob_path(store, doc)
    if doc.mime == PDF:
        return pdfpages.first_page_png(path, max_px=max_px)
    return image_thumbnail(path, max_px=max_px)


def image_thumbnail(path: Path, *, max_px: int = 256) -> bytes:
    """A small PNG of an image's first frame; JPEGs are decoded at reduced scale (memory stays small)."""
    from PIL import Image, ImageOps

    from desktop.intake import scancheck  # noqa: F401 - sets Pillow's pixel cap before any image is opened

    with Image.open(path, formats=["JPEG", "PNG", "TIFF"]) as im:
        im.draft("RGB", (max_px, max_px))
        small = ImageOps.exif_transpose(im.convert("RGB"))
        small.thumbnail((max_px, max_px))
    out = io.BytesIO()
    small.save(out, "PNG")
    return out.getvalue()


def _editable(store: Store, doc_ids: list[str]) -> list[Document]:
    docs = [documents.get(store, d) for d in doc_ids]
    if len(set(doc_ids)) != len(doc_ids):
        raise ValidationError("同一扫描件不能重复选择", field="documents")
    if any(d.state != "inbox" for d in docs):
        raise ValidationError("只能编辑收件箱中的扫描件；已归档的请先移除", field="documents")
    return docs


def _require_pdf(doc: Document) -> None:
    if doc.mime != PDF:
        raise ValidationError("只有PDF扫描件可以拆分或调整页序", field="document")


def _replace(store: Store, sources: list[Document], made: list[tuple[bytes, str]],
             now: dt.datetime | None) -> list[Document]:
    """Store the new PDFs, then in one transaction add their rows and retire the sources."""
    now = now or now_local()
    blobs = BlobStore.of(store.data_dir)
    stored = []
    for data, name in made:
        sha, size = blobs.put_bytes(data)
        stored.append((sha, size, _pages(data), name))
    ids = []
    with store.db.atomic():
        for sha, size, pages, name in stored:
            documents.add_blob(store, sha=sha, size=size, mime=PDF, pages=pages, now=now)
            ids.append(documents.insert(store, sha=sha, name=name, pages=pages, received_at=now.isoformat(),
                                        source="edit", derived_from=[d.id for d in sources]))
        for d in sources:
            store.db.execute("UPDATE documents SET state = 'superseded' WHERE id = ?", [d.id])
    return [documents.get(store, i) for i in ids]


def _pages(data: bytes) -> int:
    with pdfpages.opened(data) as pdf:
        return len(pdf)
