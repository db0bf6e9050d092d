"""Pages: A4 with margins, a footer (document, case number, print time, 第 N 页 共 M 页) and the 补打 stamp."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from functools import partial
from typing import NamedTuple, Protocol

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import NoEncryption, PDFObject, PDFResourceDictionary, PDFStream
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from desktop.forms import fonts

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 16 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
RED = colors.HexColor("#C00000")
SIGN_H = 12 * mm  # room above the footer for a per-page signature line (PageSigns)


class DrawnPages(Protocol):
    """Pages drawn without the canvas (the ledger's full table pages), each to its finished content stream
    once the page numbers are known."""

    def __len__(self) -> int: ...

    def streams(self, first: int, total: int, canvas: PagedCanvas) -> list[bytes]:
        """The content streams of pages first, first + 1, … of `total` (decorated, compressed as `canvas.frame()` says)."""
        ...


class PagedCanvas(Canvas):
    """Holds pages back until the end, then lets `_decorate(number, total)` write 第 N 页 共 M 页 on each.

    The forms and the ledger subclass it with their own running header and footer. Pages may also be added
    drawn elsewhere (`add_drawn_pages`, the ledger's thousands of full table pages): each is written as its
    own content stream (`stream`, with `_decoration(number, total)` appended) and a plain page dictionary,
    without reportlab's per-page state, page object and generic formatting.
    """

    def __init__(self, *args, **kw):
        kw["initialFontName"] = fonts.MAIN
        super().__init__(*args, **kw)
        self._pages: list[dict | DrawnPages] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def add_drawn_pages(self, pages: DrawnPages) -> None:
        """Pages drawn elsewhere, placed before the current one; their streams are asked for at `save`."""
        self._pages.append(pages)

    def frame(self) -> StreamFrame:
        """What every page's content stream has around its own operators, and how it is compressed."""
        assert isinstance(self._doc.encrypt, NoEncryption), "pages added drawn are not encrypted"
        level = 6 if self.flate_level is None else self.flate_level
        return StreamFrame(tuple(self._psCommandsBeforePage), self._preamble, tuple(self._psCommandsAfterPage),
                     level if self._pageCompression else None)

    # zlib level of the page streams: None leaves reportlab's (6). The ledger's thousands of pages take 3,
    # which compresses a year's pages three times faster for a third more bytes (docs/decisions.md).
    flate_level: int | None = None

    def save(self) -> None:
        total = sum(1 if isinstance(state, dict) else len(state) for state in self._pages)
        number = 0
        for state in self._pages:
            if not isinstance(state, dict):
                compressed = self._pageCompression
                for data in state.streams(number + 1, total, self):
                    self._doc.addPage(_DrawnPage(_DrawnStream(data, compressed), self._pagesize))
                number += len(state)
                continue
            number += 1
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
            if self.flate_level is not None and self._pageCompression:
                page = self._doc.Pages.pages[-1]
                page.Contents = PDFStream(content=page.stream, filters=[_Flate(self.flate_level)])
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        raise NotImplementedError

    def _decoration(self, number: int, total: int) -> list[str]:
        """The running header and footer of a page added drawn, as operators."""
        raise NotImplementedError



class Decorations:
    """The running headers and footers of `count` drawn pages, the first numbered `first` of `total`, made
    (`canvas._decoration`) only when a slice of them is taken: a helper process that draws some of the pages
    may make their decorations itself (desktop/ledger/pdfsplit.py), in parallel rather than before it starts."""

    def __init__(self, canvas: PagedCanvas, first: int, total: int, count: int):
        self.canvas, self.first, self.total, self.count = canvas, first, total, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, key: slice) -> list[list[str]]:
        start, stop, step = key.indices(self.count)
        return [self.canvas._decoration(self.first + n, self.total) for n in range(start, stop, step)]

    def __iter__(self):
        return iter(self[:])


class StreamFrame(NamedTuple):
    """Around a drawn page's operators: reportlab's commands before and after a page and its preamble; the
    zlib level of its stream (None: not compressed). Plain values, so another process can write pages too."""

    before: tuple[str, ...]
    preamble: str
    after: tuple[str, ...]
    level: int | None


def stream(frame: StreamFrame, code: list[str], decoration: list[str]) -> bytes:
    """A drawn page's content stream as reportlab's showPage makes it (the preamble, the page, its
    decoration, a space), compressed as `frame` says."""
    text = "\n".join([*frame.before, frame.preamble, *code, *decoration, " ", *frame.after]) + "\n"
    data = text.encode("utf8")
    return data if frame.level is None else zlib.compress(data, frame.level)


class _DrawnStream(PDFObject):
    """A page's content stream, given as its bytes (compressed or not)."""

    __RefOnly__ = 1

    def __init__(self, data: bytes, compressed: bool):
        self.data, self.compressed = data, compressed

    def format(self, document) -> bytes:
        filters = b"/Filter [ /FlateDecode ] " if self.compressed else b""
        return b"<< %s/Length %d >>\nstream\n%s\nendstream\n" % (filters, len(self.data), self.data)


class _DrawnPage(PDFObject):
    """A page dictionary written as one string: its stream, size, the document's fonts and nothing else."""

    __RefOnly__ = 1

    def __init__(self, contents: _DrawnStream, size: tuple[float, float]):
        self.contents, self.size = contents, size

    def format(self, document) -> bytes:
        resources = getattr(document, "_drawn_resources", None)
        if resources is None:  # what reportlab gives every page of a document without images or links
            shared = PDFResourceDictionary()
            shared.basicFonts()
            shared.allProcs()  # as reportlab lists them (its canvas always says a page may have images)
            resources = document._drawn_resources = shared.format(document)
        contents = document.Reference(self.contents).format(document)
        parent = document.Reference(document.Pages).format(document)
        box = f"[ 0 0 {fp_str(self.size[0])} {fp_str(self.size[1])} ]".encode()
        return b"<< /Contents %s /MediaBox %s /Parent %s /Resources %s /Rotate 0 /Type /Page >>" % (
            contents, box, parent, resources)


class _Flate:
    """A page stream filter as reportlab's PDFZCompress, at a chosen zlib level."""

    pdfname = "FlateDecode"

    def __init__(self, level: int):
        self.level = level

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, self.level)


class PageSigns:
    """Signature lines drawn above the footer of every page of a paper that runs to more than one page (a
    委托书 of two pages: a page cannot be swapped unnoticed). Pages after an `Unsigned` mark (an attached paper
    with its own signatures, such as the 授权书) are neither signed nor counted."""

    def __init__(self, intro: str, parties: tuple[str, ...], paper: str):
        self.intro, self.parties, self.paper = intro, parties, paper

    def draw(self, canvas: Canvas, pages: int) -> None:
        y = MARGIN_BOTTOM + 3 * mm
        x = MARGIN_X
        fonts.draw(canvas, x, y, self.intro, 9)
        x += fonts.width(self.intro, 9) + 2 * mm
        line_w = 36 * mm
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.6)
        for party in self.parties:
            fonts.draw(canvas, x, y, f"{party}：", 9)
            x += fonts.width(f"{party}：", 9)
            canvas.line(x, y - 1, x + line_w, y - 1)
            x += line_w + 4 * mm
        fonts.draw(canvas, PAGE_W - MARGIN_X, y, f"本{self.paper}共 {pages} 页", 8, align="right")


class Unsigned(Flowable):
    """From the page this is drawn on, PageSigns leaves the pages alone (an attached paper signs itself)."""

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._unsigned = True  # kept with each later page's state (PagedCanvas.showPage)


class _Canvas(PagedCanvas):
    """The forms' footer (document, number, print time, 第 N 页 共 M 页) and the 补打 mark."""

    def __init__(self, *args, footer: str, reprint: bool, signs: PageSigns | None = None, **kw):
        super().__init__(*args, **kw)
        self._footer, self._reprint, self._signs = footer, reprint, signs
        self._unsigned = False

    def _decorate(self, number: int, total: int) -> None:
        if self._signs is not None and not self._unsigned:
            signed = sum(not page["_unsigned"] for page in self._pages if isinstance(page, dict))  # no drawn pages here
            if signed > 1:
                self._signs.draw(self, signed)
        self.saveState()
        self.setFillColor(colors.HexColor("#444444"))
        y = MARGIN_BOTTOM - 9 * mm
        fonts.draw(self, MARGIN_X, y, self._footer, 8, bold=False)
        fonts.draw(self, PAGE_W - MARGIN_X, y, f"第 {number} 页  共 {total} 页", 8, align="right", bold=False)
        self.setStrokeColor(colors.HexColor("#999999"))
        self.setLineWidth(0.4)
        self.line(MARGIN_X, y + 9, PAGE_W - MARGIN_X, y + 9)
        if self._reprint:
            self._stamp()
        self.restoreState()

    def _stamp(self) -> None:
        """补打 in a red box in the top margin of every page of a reprint."""
        w, h = 20 * mm, 8.5 * mm
        x, y = PAGE_W - MARGIN_X - w - 1, PAGE_H - MARGIN_TOP + 3 * mm  # its stroke stays inside the margin
        self.setStrokeColor(RED)
        self.setFillColor(RED)
        self.setLineWidth(1.2)
        self.roundRect(x, y, w, h, 2)
        fonts.draw(self, x + w / 2, y + 2.4 * mm, "补 打", 13, align="center", bold=True)


def fmt_date(value: str | dt.date | None) -> str:
    """2026年11月27日 from an ISO date or datetime; '' for None."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def fmt_time(value: str | dt.datetime | None) -> str:
    """2026年11月27日 09:41 from an ISO datetime."""
    if not value:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return f"{fmt_date(moment.date())} {moment:%H:%M}"


def build(story: list, *, title: str, number: str, reprint: bool, printed_at: dt.datetime,
          signs: PageSigns | None = None) -> bytes:
    """Lay the story out on A4 pages with footers (case number, print time, 补打, page N of M); with `signs`,
    the body leaves room above the footer for a signature line on each page of a paper longer than one."""
    buffer = io.BytesIO()
    bottom = MARGIN_BOTTOM + (SIGN_H if signs else 0)
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=bottom, title=title, subject=number, creator="一件事帮代办工作台", author="",
    )
    frame = Frame(MARGIN_X, bottom, CONTENT_W, PAGE_H - MARGIN_TOP - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", frames=[frame])])
    footer = f"{title}  编号 {number or '（受理时生成）'}  打印于 {fmt_time(printed_at)}" + ("（补打）" if reprint else "")
    doc.build(story, canvasmaker=partial(_Canvas, footer=footer, reprint=reprint, signs=signs))
    return buffer.getvalue()
