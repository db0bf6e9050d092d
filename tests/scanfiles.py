"""Test helpers for intake: real PDFs, JPEGs, PNGs and TIFFs as a scanner makes them, cover-sheet batches, cases."""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from desktop.domain.case import Case
from desktop.intake import demo, folder as intake
from desktop.storage.store import Store

DAY = dt.datetime(2026, 11, 27, 9, 30).astimezone()


def pdf_bytes(texts: list[str], *, encrypt: str | None = None) -> bytes:
    """A vector PDF with one page per text (ASCII markers, readable back with PDFium)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    for text in texts:
        if text.startswith("COVER|"):
            _cover(c, text[len("COVER|"):])
        else:
            c.setFont("Helvetica", 28)
            c.drawString(72, 700, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def _cover(c: canvas.Canvas, payload: str) -> None:
    """A cover page like the printed one: a 4 cm QR code and a title."""
    widget = qr.QrCodeWidget(payload)
    x0, y0, x1, y1 = widget.getBounds()
    side = 113  # 4 cm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, 420, 680)
    c.setFont("Helvetica", 20)
    c.drawString(72, 760, "COVER SHEET")


def cover(case_number: str, material_id: str) -> str:
    """The text to put in `pdf_bytes` for a cover page naming a case and a material (payload as printed)."""
    from desktop.forms.coversheet import cover_payload

    return "COVER|" + cover_payload(case_number, material_id)


def rasterize(pdf: bytes, *, dpi: int = 150) -> bytes:
    """The PDF as a scanner would return it: every page a JPEG image, no text."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def image_bytes(fmt: str, seed: int, size: tuple[int, int] = (64, 48), frames: int = 1) -> bytes:
    """A small distinct image (JPEG, PNG or multi-frame TIFF) whose content depends on `seed`."""
    rng = random.Random(seed)
    imgs = [Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
            for _ in range(frames)]
    for im in imgs:
        im.putpixel((seed % size[0], seed // size[0] % size[1]), (seed % 256, 7, 9))
    out = io.BytesIO()
    imgs[0].save(out, fmt, save_all=frames > 1, append_images=imgs[1:], quality=95)
    return out.getvalue()


def png_header_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb as it arrives)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + chunk(b"IEND", b""))


def settle(store: Store, folder: Path, *, delay: float = 5.0, **kw) -> intake.ScanReport:
    """Two passes `delay` apart in explicit time (no sleeping): what a steady folder yields."""
    state = kw.pop("state", None) or intake.IntakeState()
    first = intake.scan_once(store, folder, now=1000.0, stability_delay=delay, state=state, **kw)
    second = intake.scan_once(store, folder, now=1000.0 + delay, stability_delay=delay, state=state, **kw)
    second.accepted[:0] = first.accepted
    second.quarantined[:0] = first.quarantined
    return second


def accepted_case(store: Store, service: int, seed: int, *, receive: bool = False) -> Case:
    """An accepted case of `service`; without `receive` no material is in yet, so it waits in 补正中."""
    svc = store.catalog.service(service)
    case = demo.eligible_case(svc, store.catalog, random.Random(seed), DAY.date())
    if receive:
        demo.receive_all(svc, case)
    return store.accept(case, actor="测试", now=DAY)


def material_ids(store: Store, case: Case, count: int) -> list[str]:
    """`count` material ids of the case's service."""
    ids = [m.id for m in store.catalog.service(case.service).materials]
    assert len(ids) >= count, (case.service, ids)
    return ids[:count]


def page_texts(path_or_bytes: Path | bytes) -> list[str]:
    """The text of each page, read back with PDFium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path_or_bytes if isinstance(path_or_bytes, bytes) else str(path_or_bytes))
    try:
        return [doc[i].get_textpage().get_text_range().strip() for i in range(len(doc))]
    finally:
        doc.close()
