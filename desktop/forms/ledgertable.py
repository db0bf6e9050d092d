"""A ruled table for thousands of rows: column headers repeated on every page, cells wrapped by width.

reportlab's Table re-measures every remaining row at each page break (10,000 rows took 18 s here); this one
wraps each cell once, keeps running heights, and splits by bisection. Text goes through the font chain
(fonts.runs) like every other form, so a rare character prints from the fallback face or stops the print.
Columns may be drawn condensed (`scale`), which keeps long case and ID numbers whole on one line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate

from reportlab.lib import colors
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from desktop.forms import fonts

TOKEN = re.compile(r"（[^（）\n]{1,6}）|[0-9A-Za-z*#.:/\-]+|.", re.S)
CANNOT_START = "，。、；：！？）》〉”’】〕"
PAD_X, PAD_Y = 1.6, 1.9
HEADER_SHADE = colors.HexColor("#E4E4E4")
ROW_SHADE = colors.HexColor("#F8E3E3")


@dataclass(frozen=True)
class Column:
    """A column: its heading, width in points, alignment ('left' or 'center'), horizontal text scale."""

    title: str
    width: float
    align: str = "left"
    scale: float = 1.0


class _Widths:
    """Per-character advance widths at one size, looked up once per character."""

    def __init__(self, size: float):
        self.size = size
        self.cache: dict[str, float] = {}
        self.measured: dict[str, tuple[list[tuple[str, str]], float]] = {}

    def __call__(self, ch: str) -> float:
        w = self.cache.get(ch)
        if w is None:
            w = self.cache[ch] = pdfmetrics.stringWidth(ch, fonts.font_for(ch) or fonts.MAIN, self.size)
        return w

    def measure(self, text: str) -> tuple[list[tuple[str, str]], float]:
        """One line's font runs and drawn width, worked out once (wrapping and drawing both ask)."""
        found = self.measured.get(text)
        if found is None:
            runs = fonts.runs(text)
            found = self.measured[text] = (runs, sum(pdfmetrics.stringWidth(s, f, self.size) for f, s in runs))
        return found

    def fits(self, text: str, room: float) -> bool:
        """Whether `text` is one run of the main face no wider than `room`."""
        runs, drawn = self.measure(text)
        return not runs or (len(runs) == 1 and runs[0][0] == fonts.MAIN and drawn <= room)


def tokens(text: str) -> list[str]:
    """Pieces that stay on one line when they can: a Latin word or number, a short （…）, else one character."""
    return TOKEN.findall(text)


def wrap(text: str, room: float, width: _Widths) -> list[str]:
    """Lines of `text` no wider than `room` (CJK breaks anywhere; no line starts with a closing mark)."""
    lines: list[str] = []
    for part in text.split("\n"):
        if width.fits(part, room):  # most cells: one measure at C speed instead of one per character
            lines.append(part)
            continue
        line, used = "", 0.0
        for token in tokens(part):
            w = sum(width(ch) for ch in token)
            if line and used + w > room:
                if token[0] in CANNOT_START and len(line) > 1:
                    token, line = line[-1] + token, line[:-1]
                    w = sum(width(ch) for ch in token)
                lines.append(line)
                line, used = "", 0.0
            if w > room and len(token) > 1:  # longer than the column: break it anywhere
                for ch in token:
                    if line and used + width(ch) > room:
                        lines.append(line)
                        line, used = "", 0.0
                    line, used = line + ch, used + width(ch)
                continue
            line, used = line + token, used + w
        lines.append(line)
    return lines


class Prepared:
    """Every cell wrapped once: per row the lines of each cell, its height and whether it is shaded.

    Ledger cells repeat (states, services, clerks, places), so wrapping, font runs, widths and the PDF text
    of each distinct string are worked out once per document."""

    def __init__(self, columns: list[Column], rows: list[list[str]], shaded: list[bool], size: float,
                 leading: float):
        self.columns, self.size, self.leading, self.shaded = columns, size, leading, shaded
        self.widths, self._doc = _Widths(size), None
        self._wrapped: dict[tuple[str, int], list[str]] = {}
        self._lines: dict[str, tuple[float, list[tuple[str, str]]]] = {}
        self._blocks: dict[tuple[int, float, bool, int], str] = {}
        self.lefts = list(accumulate((c.width for c in columns), initial=0.0))
        self.header = [self.wrap(c.title, n, "台账表头") for n, c in enumerate(columns)]
        self.header_h = max(len(lines) for lines in self.header) * leading + 2 * PAD_Y
        self.cells = [[self.wrap(v, n, "台账") for n, v in enumerate(row)] for row in rows]
        self.heights = [max(len(lines) for lines in cells) * leading + 2 * PAD_Y for cells in self.cells]
        self.ends = list(accumulate(self.heights, initial=0.0))

    def wrap(self, text: str, column: int, where: str) -> list[str]:
        """The lines of a cell (every character checked against the fonts the first time it is seen)."""
        key = (text, column)
        lines = self._wrapped.get(key)
        if lines is None:
            if not fonts.all_printable(text):  # one C-speed search; the walk that names the character only then
                fonts.check(text, where)
            c = self.columns[column]
            lines = self._wrapped[key] = wrap(text, (c.width - 2 * PAD_X) / c.scale, self.widths)
        return lines

    def line(self, doc, text: str) -> tuple[float, list[tuple[str, str]]]:
        """A line's drawn width (unscaled) and its (PDF font resource, `(…) Tj` operator) pieces, as reportlab's
        text object would write them; the subset codes reportlab assigns are fixed for the document once
        assigned, so each distinct line is worked out once per document."""
        if doc is not self._doc:
            self._doc, self._lines, self._blocks = doc, {}, {}
        found = self._lines.get(text)
        if found is None:
            (runs, drawn), pieces = self.widths.measure(text), []
            for font, run in runs:
                face = pdfmetrics.getFont(font)
                pieces += [(face.getSubsetInternalName(subset, doc), f"({escapePDF(chunk)}) Tj")
                           for subset, chunk in face.splitString(run, doc)]
            found = self._lines[text] = (drawn, pieces)
        return found

    def block(self, doc, column: int, lines: list[str], height: float, center: bool) -> str:
        """The text operators of one cell in a row whose top is at y = 0 (its scale, fonts, positions)."""
        key = (id(lines), height, center, column)  # `lines` lists are kept alive by the wrap cache
        if doc is not self._doc:
            self._doc, self._lines, self._blocks = doc, {}, {}
        found = self._blocks.get(key)
        if found is None:
            found = self._blocks[key] = self._block(doc, column, lines, height, center)
        return found

    def _block(self, doc, column: int, lines: list[str], height: float, center: bool) -> str:
        c, leading = self.columns[column], self.leading
        x = self.lefts[column]
        y = -(height - len(lines) * leading) / 2 - leading / 2 - self.size * 0.35  # centred block
        ops = [f"{c.scale * 100:.0f} Tz"]
        for line in lines:
            if line:
                drawn, pieces = self.line(doc, line)
                dx = (c.width - drawn * c.scale) / 2 if center or c.align == "center" else PAD_X
                ops.append(f"1 0 0 1 {x + dx:.2f} {y:.2f} Tm")
                ops += [f"{name} {self.size:g} Tf {shown}" for name, shown in pieces]
            y -= leading
        return "\n".join(ops)


class LedgerTable(Flowable):
    """Rows start..end of a Prepared table; splits at page breaks and repeats the header on each part."""

    def __init__(self, prepared: Prepared, start: int = 0, end: int | None = None):
        super().__init__()
        self.p, self.start = prepared, start
        self.end = len(prepared.cells) if end is None else end
        self.width = sum(c.width for c in prepared.columns)

    def _height(self, end: int) -> float:
        return self.p.header_h + self.p.ends[end] - self.p.ends[self.start]

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self._height(self.end)

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        limit = self.p.ends[self.start] + avail_h - self.p.header_h
        cut = min(bisect.bisect_right(self.p.ends, limit) - 1, self.end)
        if cut <= self.start:
            return []
        return [LedgerTable(self.p, self.start, cut), LedgerTable(self.p, cut, self.end)]

    def draw(self) -> None:
        c, p = self.canv, self.p
        total = self._height(self.end)
        tops = [total] + [total - p.header_h - (p.ends[i] - p.ends[self.start]) for i in range(self.start, self.end + 1)]
        c.saveState()
        self._shade(tops)
        # Text written as PDF operators directly: through reportlab's text object, formatting the numbers
        # of ~200,000 text positions took most of the time of a 10,000-case ledger. Each row is moved into
        # place (cm) and its cells are operator blocks made once per distinct cell and row height.
        ops = [self._row(p.header, tops[0], p.header_h, center=True)]
        ops += [self._row(p.cells[i], tops[n + 1], p.heights[i]) for n, i in enumerate(range(self.start, self.end))]
        c._code.append("\n".join(ops))
        self._rules(tops)
        c.restoreState()

    def _shade(self, tops: list[float]) -> None:
        c, p = self.canv, self.p
        c.setFillColor(HEADER_SHADE)
        c.rect(0, tops[1], self.width, p.header_h, stroke=0, fill=1)
        c.setFillColor(ROW_SHADE)
        for n, i in enumerate(range(self.start, self.end)):
            if p.shaded[i]:
                c.rect(0, tops[n + 2], self.width, p.heights[i], stroke=0, fill=1)
        c.setFillColor(colors.black)

    def _row(self, cells: list[list[str]], top: float, height: float, *, center: bool = False) -> str:
        block = self.p.block
        return (f"q 1 0 0 1 0 {top:.2f} cm BT\n"
                + "\n".join([block(self.canv._doc, n, lines, height, center) for n, lines in enumerate(cells)])
                + "\nET Q")

    def _rules(self, tops: list[float]) -> None:
        c = self.canv
        c.setLineWidth(0.4)
        path = c.beginPath()
        for y in tops:
            path.moveTo(0, y)
            path.lineTo(self.width, y)
        x = 0.0
        for column in [None, *self.p.columns]:
            x += column.width if column else 0.0
            path.moveTo(x, tops[0])
            path.lineTo(x, tops[-1])
        c.drawPath(path, stroke=1, fill=0)
