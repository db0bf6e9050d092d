"""Pages from the document camera (高拍仪): find the page in a frame, straighten it, and file the pages as one PDF.

No Qt here: the ui hands over each captured frame as PNG bytes (desktop/ui/camera.py). A 高拍仪 looks straight down
on a white page lying on its dark mat, so the page is the large bright area: its four corners are found on a
small copy of the frame (Otsu's threshold, then the extreme points along the two diagonals) and the quadrilateral
is mapped onto an upright rectangle with Pillow's QUAD transform. That crops, deskews and undoes the slight
perspective in one step. A frame with no clear page is kept whole rather than cut wrongly.

The pages become one PDF (JPEG pages at 200 dpi) stored like a scan: a content-addressed blob, a document row
(source 'scan', named 高拍仪拍摄), and filed under the chosen material of the case in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import operator
from dataclasses import dataclass

from desktop.domain.errors import ValidationError
from desktop.intake import documents
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store, now_local

log = logging.getLogger("desktop.intake.camera")
WORK_PX = 400  # the long side of the copy the page is found on: fast in pure Python, precise to ~0.3 %
MIN_AREA = 0.12  # a "page" smaller than this share of the frame is a hand or a stamp, not a page
PAGE_DPI = 200
A4 = 297 / 210


@dataclass(frozen=True)
class Found:
    """The page's corners in frame pixels: top-left, top-right, bottom-right, bottom-left."""

    corners: tuple[tuple[float, float], ...]
    share: float  # of the frame's area the page covers


def otsu(histogram: list[int]) -> int:
    """The grey level that best splits a 256-bin histogram into dark (mat) and bright (page)."""
    total = sum(histogram)
    weighted = sum(i * h for i, h in enumerate(histogram))
    best, level, below, below_sum = -1.0, 128, 0, 0.0
    for i, h in enumerate(histogram):
        below += h
        below_sum += i * h
        above = total - below
        if below == 0 or above == 0:
            continue
        between = below * above * (below_sum / below - (weighted - below_sum) / above) ** 2
        if between > best:
            best, level = between, i
    return level


def find_page(image) -> Found | None:
    """The page's corners in `image` (a PIL image), or None when no page stands out from the background."""
    from PIL import ImageFilter

    scale = WORK_PX / max(image.size)
    step = max(1, int(1 / scale))
    small = (image.reduce(step) if step > 1 else image).convert("L")  # reduce first: converting 5 MP is slow
    small = small.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    small = small.filter(ImageFilter.MedianFilter(5))  # text on the page and specks on the mat go
    level = otsu(small.histogram())
    mask = small.point(lambda v: 255 if v > level else 0)
    w, h = small.size
    best = {"tl": (w + h, 0, 0), "br": (-1, 0, 0), "tr": (-w - h, 0, 0), "bl": (w + h, 0, 0)}
    for y in range(h):  # each row's first and last bright pixel, found in C by getbbox
        box = mask.crop((0, y, w, y + 1)).getbbox()
        if box is None:
            continue
        first, last = box[0], box[2] - 1
        for key, x, value, better in (("tl", first, first + y, operator.lt), ("bl", first, first - y, operator.lt),
                                      ("tr", last, last - y, operator.gt), ("br", last, last + y, operator.gt)):
            if better(value, best[key][0]):
                best[key] = (value, x, y)
    share = mask.histogram()[255] / (w * h)
    if not MIN_AREA <= share <= 0.97:
        return None
    corners = tuple(((best[k][1] + 0.5) / scale, (best[k][2] + 0.5) / scale) for k in ("tl", "tr", "br", "bl"))
    return Found(corners, share)


def straighten(image):
    """The page cropped out of the frame and made upright (an A4-shaped rectangle); the frame as it is when no
    page is found. Returns (image, found)."""
    from PIL import Image

    found = find_page(image)
    if found is None:
        return image.convert("RGB"), None
    (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = found.corners
    width = (_dist(tlx, tly, trx, try_) + _dist(blx, bly, brx, bry)) / 2
    height = (_dist(tlx, tly, blx, bly) + _dist(trx, try_, brx, bry)) / 2
    size = (max(1, round(width)), max(1, round(height)))
    # QUAD takes the source corners as upper-left, lower-left, lower-right, upper-right
    quad = (tlx, tly, blx, bly, brx, bry, trx, try_)
    page = image.convert("RGB").transform(size, Image.Transform.QUAD, quad, resample=Image.Resampling.BILINEAR)
    return page, found


def _dist(ax: float, ay: float, bx: float, by: float) -> float:
    return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5


def page_from_frame(frame: bytes):
    """A captured frame (PNG or JPEG bytes) → the straightened page as a PIL image; a clear error if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(frame)) as im:
            im.load()
            return straighten(im)[0]
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError(f"高拍仪：拍到的画面无法读取（{type(exc).__name__}），请重拍", field="camera") from None


def pages_pdf(pages: list) -> bytes:
    """One PDF of the pages (PIL images), each a JPEG page at PAGE_DPI."""
    if not pages:
        raise ValidationError("高拍仪：还没有拍摄任何页面", field="camera")
    out = io.BytesIO()
    first, *rest = [p.convert("RGB") for p in pages]
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=PAGE_DPI, quality=85)
    return out.getvalue()


def file_pages(store: Store, pages: list, *, case_ref: str = "", material: str = "", actor: str = "",
               now: dt.datetime | None = None) -> documents.Document:
    """Store the pages (PIL images) as one PDF document: `file_pdf` after `pages_pdf`."""
    return file_pdf(store, pages_pdf(pages), len(pages), case_ref=case_ref, material=material, actor=actor, now=now)


def file_pdf(store: Store, data: bytes, pages: int, *, case_ref: str = "", material: str = "", actor: str = "",
             now: dt.datetime | None = None) -> documents.Document:
    """Store a captured PDF as one document; filed under `material` of case `case_ref` when both are given (in
    the same transaction), otherwise left in the inbox. The blob is written first, so a failure leaves no row."""
    if bool(case_ref) != bool(material):
        raise ValidationError("高拍仪：归档需要同时填写案件受理编号和材料", field="material")
    case_uuid = store.load(case_ref).uuid if case_ref else ""
    now = now or now_local()
    sha, size = BlobStore.of(store.data_dir).put_bytes(data)
    name = f"高拍仪拍摄 {now:%m-%d %H:%M}（{pages}页）"
    with store.db.atomic():
        documents.add_blob(store, sha=sha, size=size, mime="application/pdf", pages=pages, now=now)
        doc_id = documents.insert(store, sha=sha, name=name, pages=pages, received_at=now.isoformat())
        if case_uuid:
            documents.file_many(store, case_uuid, [(doc_id, material)], now=now, actor=actor, kind="scan_filed")
    if case_uuid:
        store._changed("scan_filed", case_uuid)
    log.info("camera capture stored as document %s (%d pages, filed: %s)", doc_id, pages, bool(case_uuid))
    return documents.get(store, doc_id)
