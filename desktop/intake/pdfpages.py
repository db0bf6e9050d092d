"""PDF pages through PDFium (pypdfium2): count and check, render for QR codes and thumbnails, recombine pages.

PDFium is not thread-safe, not even across different documents, so every call here holds one lock. The
desk's QtPdf carries its own separate copy of PDFium and is unaffected.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.domain.errors import ValidationError

LOCK = threading.RLock()
PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
MAX_RENDER_PX = 2200  # the long side of a rendered page: bounds memory whatever the page size says


class PdfError(Exception):
    """A PDF that PDFium refuses; `code` is 'encrypted' or 'corrupt'."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _input(source: Path | bytes | io.BytesIO) -> bytes | str:
    """What PDFium opens: bytes as they are, a sealed scan's plaintext (storage/blobs.PlainBlob), or a path."""
    if isinstance(source, io.BytesIO):
        return source.getvalue()
    return source if isinstance(source, bytes) else str(source)


@contextmanager
def opened(source: Path | bytes | io.BytesIO) -> Iterator[object]:
    """A PdfDocument under the lock, closed afterwards (on Windows an open document keeps its file locked)."""
    import pypdfium2 as pdfium

    with LOCK:
        try:
            pdf = pdfium.PdfDocument(_input(source))
        except pdfium.PdfiumError as exc:
            code = "encrypted" if getattr(exc, "err_code", None) == PASSWORD_ERROR else "corrupt"
            raise PdfError(code, str(exc)) from None
        try:
            yield pdf
        finally:
            pdf.close()


def inspect(path: Path, *, max_pages: int, max_pixels: int) -> tuple[int, int]:
    """(page count, largest embedded image in pixels), loading every page; raises PdfError."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with opened(path) as pdf:
        count = len(pdf)
        if count == 0 or count > max_pages:
            return count, 0
        largest = 0
        try:
            for index in range(count):
                page = pdf[index]
                for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
                    w, h = obj.get_px_size()
                    largest = max(largest, w * h)
                    if largest > max_pixels:
                        return count, largest
                page.close()
        except pdfium.PdfiumError as exc:
            raise PdfError("corrupt", str(exc)) from None
        return count, largest


def visit_pages(path: Path, visit: Callable[[int, object], None], *, dpi: int = 110) -> None:
    """Call `visit(index, image)` for each page as a grayscale PIL image at about `dpi` (long side capped)."""
    with opened(path) as pdf:
        for index in range(len(pdf)):
            page = pdf[index]
            w, h = page.get_size()
            scale = min(dpi / 72, MAX_RENDER_PX / max(w, h, 1))
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
            visit(index, image)


def first_page_png(path: Path, *, max_px: int = 256) -> bytes:
    """A PNG thumbnail of page one, its long side `max_px`."""
    with opened(path) as pdf:
        page = pdf[0]
        w, h = page.get_size()
        image = page.render(scale=max_px / max(w, h, 1)).to_pil()
        page.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def compose(parts: list[tuple[Path, str, list[int] | None]]) -> bytes:
    """One new PDF from (file, mime, zero-based pages or None for all) parts; images become one page each."""
    import pypdfium2 as pdfium

    with LOCK:
        out = pdfium.PdfDocument.new()
        try:
            for path, mime, pages in parts:
                if mime == "application/pdf":
                    _append_pdf(out, path, pages)
                else:
                    _append_image(out, path, mime)
            buffer = io.BytesIO()
            out.save(buffer)
            return buffer.getvalue()
        finally:
            out.close()


def _append_pdf(out: object, path: Path, pages: list[int] | None) -> None:
    with opened(path) as src:
        count = len(src)
        wanted = list(range(count)) if pages is None else pages
        if not wanted or any(not 0 <= p < count for p in wanted):
            raise ValidationError(f"页码超出范围：该文件共 {count} 页", field="pages")
        out.import_pages(src, pages=wanted)


def _append_image(out: object, path: Path, mime: str) -> None:
    """An image (each TIFF frame) as a page at 150 dpi; JPEG bytes are embedded as they are."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageSequence

    with Image.open(path, formats=["JPEG", "PNG", "TIFF"]) as im:
        for frame in ImageSequence.Iterator(im):
            pt_w, pt_h = frame.size[0] * 72 / 150, frame.size[1] * 72 / 150
            page = out.new_page(pt_w, pt_h)
            image = pdfium.PdfImage.new(out)
            if mime == "image/jpeg":
                image.load_jpeg(str(path), pages=[page])
            else:
                image.set_bitmap(pdfium.PdfBitmap.from_pil(frame.convert("RGB")), pages=[page])
            image.set_matrix(pdfium.PdfMatrix().scale(pt_w, pt_h))
            page.insert_obj(image)
            page.gen_content()
            page.close()
