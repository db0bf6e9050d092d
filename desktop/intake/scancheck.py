"""What a scan is, judged by its bytes (never its name): type, page count, or the reason to refuse it.

Limits follow ../shared/reference/reliability.md §4.3: Pillow's pixel limit at 80 million (above A3 at
600 dpi) with its DecompressionBombWarning raised as an error, the image header read before any pixel is
decoded, truncated files refused rather than half loaded, and PDFs checked page by page before rendering.
"""

from __future__ import annotations

import mmap
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile

from desktop.intake import pdfpages

MAX_PIXELS = 80_000_000
MAX_PAGES = 1000
DEFAULT_SIZE_LIMIT = 100 * 1024 * 1024
EDGE = 2048  # bytes of head and tail read for magic numbers and end markers

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated scan must fail, never load half grey
warnings.simplefilter("error", Image.DecompressionBombWarning)

MIMES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif"}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}
REASONS = {
    "empty": "空文件（0字节），长时间没有写入内容",
    "truncated": "文件不完整（扫描或复制中断）",
    "corrupt": "文件已损坏，无法打开",
    "unsupported": "不支持的文件类型（只接收 PDF、JPEG、PNG、TIFF）",
    "bomb": "图像像素过多（超过8000万像素），可能是恶意文件",
    "too_large": "文件超过大小上限",
    "encrypted": "PDF 设有密码，无法读取",
    "too_many_pages": f"PDF 超过 {MAX_PAGES} 页",
}
# Names for common types we refuse, so the quarantine reason says what the file really was.
KNOWN_OTHER = (
    (b"PK\x03\x04", "ZIP/Office文档"), (b"\xd0\xcf\x11\xe0", "旧版Office文档"), (b"GIF8", "GIF图片"),
    (b"BM", "BMP图片"), (b"RIFF", "RIFF(WebP等)"), (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf", "7z压缩包"),
)


class ScanRejectedError(Exception):
    """A scan to quarantine: `reason` is a key of REASONS, `detail` a short Chinese explanation."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{REASONS[reason]}{'：' + detail if detail else ''}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Verdict:
    """An acceptable scan: its type by content, and its page (or TIFF frame) count."""

    mime: str
    pages: int


def sniff(head: bytes) -> str | None:
    """The MIME type from magic bytes, or None. A PDF header may sit anywhere in the first 1 KB."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def describe(head: bytes) -> str:
    """What an unsupported file looks like, for the quarantine record."""
    if head.startswith(b"\x00\x00\x00") and head[4:8] == b"ftyp":
        return "HEIC/MP4等（手机照片请导出为JPEG）"
    return next((name for magic, name in KNOWN_OTHER if head.startswith(magic)), "未知格式")


def inspect(path: Path, *, size_limit: int = DEFAULT_SIZE_LIMIT) -> Verdict:
    """Check a claimed scan; returns its Verdict or raises ScanRejectedError. Memory stays bounded by the limits."""
    size = path.stat().st_size
    if size == 0:
        raise ScanRejectedError("empty")
    if size > size_limit:
        raise ScanRejectedError("too_large", f"{size / 1048576:.1f} MB，上限 {size_limit / 1048576:.0f} MB")
    head, tail = _edges(path, size)
    mime = sniff(head)
    if mime is None:
        raise ScanRejectedError("unsupported", describe(head))
    if mime == "application/pdf":
        return Verdict(mime, _check_pdf(path, tail))
    _check_end_marker(path, mime, tail)
    return Verdict(mime, _check_image(path, mime))


def _edges(path: Path, size: int) -> tuple[bytes, bytes]:
    with open(path, "rb") as fh:
        head = fh.read(EDGE)
        fh.seek(max(0, size - EDGE))
        return head, fh.read(EDGE)


def _check_pdf(path: Path, tail: bytes) -> int:
    if b"%%EOF" not in tail:
        raise ScanRejectedError("truncated", "PDF 缺少结束标记 %%EOF")
    try:
        pages, largest = pdfpages.inspect(path, max_pages=MAX_PAGES, max_pixels=MAX_PIXELS)
    except pdfpages.PdfError as exc:
        raise ScanRejectedError(exc.code, "PDFium 无法打开") from None
    if pages == 0:
        raise ScanRejectedError("corrupt", "PDF 没有页面")
    if pages > MAX_PAGES:
        raise ScanRejectedError("too_many_pages", f"共 {pages} 页")
    if largest > MAX_PIXELS:
        raise ScanRejectedError("bomb", f"PDF 内嵌图像 {largest / 1e6:.0f} 百万像素")
    return pages


def _check_end_marker(path: Path, mime: str, tail: bytes) -> None:
    if mime == "image/png" and b"IEND\xaeB`\x82" not in tail:
        raise ScanRejectedError("truncated", "PNG 缺少结束块 IEND")
    if mime == "image/jpeg" and not _jpeg_has_eoi(path):
        raise ScanRejectedError("truncated", "JPEG 缺少结束标记 FFD9")


def _jpeg_has_eoi(path: Path) -> bool:
    """An end-of-image marker after the first scan header. Not only at the very end: phones append trailers."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = mm.find(b"\xff\xda")
        return start >= 0 and mm.rfind(b"\xff\xd9") > start


def _check_image(path: Path, mime: str) -> int:
    """Header first (dimensions against the pixel cap), then verify, then decode every frame.

    Pillow reports some damage (a broken TIFF directory, bad EXIF) only as a warning; those are recorded
    here and refuse the file, so the verdict is the same whatever the process's warning filters are.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pages = _decode_all(path, [PIL_FORMATS[mime]])
    pillow = [w for w in caught if "PIL" in w.filename or issubclass(w.category, Image.DecompressionBombWarning)]
    if any(issubclass(w.category, Image.DecompressionBombWarning) for w in pillow):
        raise ScanRejectedError("bomb", "图像头部声明的尺寸超过上限")
    if pillow:
        raise ScanRejectedError("corrupt", "图像数据有损坏（Pillow 警告）")
    return pages


def _decode_all(path: Path, fmt: list[str]) -> int:
    try:
        with Image.open(path, formats=fmt) as im:
            _check_pixels(im.size)
            im.verify()
        with Image.open(path, formats=fmt) as im:
            frames = getattr(im, "n_frames", 1)
            if frames > MAX_PAGES:
                raise ScanRejectedError("too_many_pages", f"TIFF 共 {frames} 帧")
            for index in range(frames):
                im.seek(index)
                _check_pixels(im.size)
                _decode(im)
            return frames
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ScanRejectedError("bomb", "图像头部声明的尺寸超过上限") from None
    except ScanRejectedError:
        raise
    except Exception as exc:  # hostile input: Pillow's parsers raise many kinds (KeyError, TypeError, …)
        reason = "truncated" if "truncated" in str(exc) else "corrupt"
        raise ScanRejectedError(reason, type(exc).__name__) from None


def _check_pixels(size: tuple[int, int]) -> None:
    # Pillow checks too, but only warns below twice its limit; this makes the cap exact whatever the filters.
    if size[0] * size[1] > MAX_PIXELS:
        raise ScanRejectedError("bomb", f"{size[0]}×{size[1]} 像素")


def _decode(im: Image.Image) -> None:
    """Decode the frame; a JPEG at 1/8 scale (libjpeg still reads every byte, so truncation still shows)."""
    if im.format == "JPEG":
        im.draft(im.mode, (max(1, im.size[0] // 8), max(1, im.size[1] // 8)))
    im.load()

