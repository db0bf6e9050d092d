"""Batches with cover sheets: find the QR cover pages of a scanned PDF and plan the parts between them.

A cover sheet carries `YJS1|<case number>|<material id>` as a QR code, printed and parsed by
desktop/forms/coversheet.py (one definition of the payload). Pages before the first cover stay in the
inbox as one part; each cover starts a part filed under its case and material; cover pages themselves are
left out of the parts (the whole batch stays stored as it came).
QR decoding (zxing-cpp) is imported only when a PDF is checked for covers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from desktop.forms.coversheet import parse_cover_payload
from desktop.intake import pdfpages

log = logging.getLogger("desktop.intake.folder")
RENDER_DPI = 110  # a 4 cm QR is ~170 px here, plenty for zxing; the printed cover's 9.5 cm one far more


@dataclass(frozen=True)
class Cover:
    """A cover page found in a batch: its zero-based page and what it names."""

    page: int
    case_number: str
    material_id: str


@dataclass(frozen=True)
class Part:
    """Zero-based pages of one part; `cover` is None for the pages before the first cover."""

    pages: tuple[int, ...]
    cover: Cover | None


def find_covers(path: Path) -> list[Cover]:
    """Every page of the PDF whose QR code is a cover payload, in page order."""
    try:
        import zxingcpp
    except ImportError:  # a broken install must not stop intake: the batch lands in the inbox whole
        log.warning("zxing-cpp unavailable; cover sheets are not recognised")
        return []
    covers: list[Cover] = []

    def visit(index: int, image: object) -> None:
        for hit in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            payload = parse_cover_payload(hit.text)
            if payload is not None:
                covers.append(Cover(index, payload.case_number, payload.material_id))
                return

    pdfpages.visit_pages(path, visit, dpi=RENDER_DPI)
    return covers


def plan(pages: int, covers: list[Cover]) -> list[Part]:
    """The parts of a batch of `pages` pages split at `covers`; a cover followed by no page gives an empty part."""
    if not covers:
        return []
    parts = []
    if covers[0].page > 0:
        parts.append(Part(tuple(range(covers[0].page)), None))
    for here, after in zip(covers, [*covers[1:], None], strict=True):
        end = after.page if after else pages
        parts.append(Part(tuple(range(here.page + 1, end)), here))
    return parts
