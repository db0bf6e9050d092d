"""The forms' own flowables: one-line titles, the cut line, date blanks, fingerprint boxes, QR codes."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from desktop.forms import fonts


class Line(Flowable):
    """One line of text drawn run by run: centred titles, headings (stroked to look bold)."""

    def __init__(self, text: str, size: float, *, align: str = "center", bold: bool = True,
                 space_before: float = 0, space_after: float = 2):
        super().__init__()
        fonts.check(text)
        self.text, self.size, self.align, self.bold = text, size, align, bold
        self.spaceBefore, self.spaceAfter = space_before, space_after

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.avail_w = avail_w
        # a line never wraps: a long office name is set smaller instead of running off the page
        self.size = min(self.size, self.size * avail_w / max(fonts.width(self.text, self.size), 1))
        return avail_w, self.size * 1.35

    def draw(self) -> None:
        x = {"left": 0, "center": self.avail_w / 2, "right": self.avail_w}[self.align]
        fonts.draw(self.canv, x, self.size * 0.3, self.text, self.size, align=self.align, bold=self.bold)


def title(text: str, size: float = 20) -> Line:
    return Line(text, size, space_after=4)


def heading(text: str) -> Line:
    return Line(text, 11, align="left", space_before=4, space_after=1)


class CutLine(Flowable):
    """A dashed line across the page with a label in the middle: where the two parts are cut apart."""

    def __init__(self, label: str = "裁  剪  线"):
        super().__init__()
        fonts.check(label)
        self.label = label
        self.spaceBefore = self.spaceAfter = 5

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.avail_w = avail_w
        return avail_w, 12

    def draw(self) -> None:
        c, mid, gap = self.canv, self.avail_w / 2, fonts.width(self.label, 8) / 2 + 6
        c.saveState()
        c.setDash(3, 3)
        c.setLineWidth(0.6)
        c.line(0, 6, mid - gap, 6)
        c.line(mid + gap, 6, self.avail_w, 6)
        c.setFillColor(colors.grey)
        fonts.draw(c, mid, 3.5, self.label, 8, align="center", bold=False)
        c.restoreState()


class DateBlank(Flowable):
    """`时间：    年   月   日` with room to write by hand (a paragraph would collapse the spaces)."""

    def __init__(self, prefix: str = "日期：", units: Sequence[str] = ("年", "月", "日"), size: float = 10):
        super().__init__()
        fonts.check(prefix + "".join(units))
        self.prefix, self.units, self.size = prefix, tuple(units), size

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return fonts.width(self.prefix, self.size) + len(self.units) * (self.size + 7 * mm) + 5 * mm, self.size * 1.3

    def draw(self) -> None:
        x = fonts.width(self.prefix, self.size)
        fonts.draw(self.canv, 0, 2, self.prefix, self.size, bold=False)
        for n, unit in enumerate(self.units):
            x += (12 if n == 0 else 7) * mm
            fonts.draw(self.canv, x, 2, unit, self.size, bold=False)
            x += self.size


def date_blank(prefix: str = "日期：") -> DateBlank:
    return DateBlank(prefix)


def time_blank(prefix: str = "时间：") -> DateBlank:
    return DateBlank(prefix, ("年", "月", "日", "时", "分"))


class Box(Flowable):
    """An empty square for a fingerprint (捺印), with a faint label."""

    def __init__(self, size: float = 22 * mm, label: str = "指印"):
        super().__init__()
        self.size, self.label = size, label

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setLineWidth(0.6)
        c.rect(0, 0, self.size, self.size)
        c.setFillColor(colors.HexColor("#999999"))
        fonts.draw(c, self.size / 2, self.size / 2 - 3, self.label, 8, align="center", bold=False)
        c.restoreState()


@lru_cache(maxsize=256)
def _qr_path(payload: str) -> tuple[int, str]:
    """(modules across, PDF path operators in module units) of a level-M QR code with a 4-module quiet zone."""
    # imported here: ≈20 ms of barcode modules that forms without a QR (a ledger, in both its processes) skip
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    count, rects = code.getModuleCount(), []
    for r, row in enumerate(code.modules):
        c = 0
        for dark, run in groupby(bool(m) for m in row):
            n = len(list(run))
            if dark:
                rects.append(f"{c + 4} {count + 3 - r} {n} 1 re")
            c += n
    return count + 8, " ".join(rects) + " f"


class QR(Flowable):
    """A QR code drawn as one filled path in whole module units: far cheaper than reportlab's QrCodeWidget,
    which builds a shape per module, encodes the data twice and formats every coordinate as a float."""

    def __init__(self, payload: str, size: float, *, align: str = "RIGHT"):
        super().__init__()
        self.units, self.path = _qr_path(payload)
        self.size, self.hAlign = size, align

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.scale(self.size / self.units, self.size / self.units)
        self.canv.addLiteral(self.path)
        self.canv.restoreState()


def qr(payload: str, size: float, *, center: bool = False) -> QR:
    return QR(payload, size, align="CENTER" if center else "RIGHT")
