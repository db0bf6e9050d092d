"""A ruled table for thousands of rows: column headers repeated on every page, cells wrapped by width.

reportlab's Table re-measures every remaining row at each page break (10,000 rows took 18 s here); this one
wraps each cell once, keeps running heights, and splits by bisection. Text goes through the font chain
(fonts.runs) like every other form, so a rare character prints from the fallback face or stops the print.
Columns may be drawn condensed (`scale`), which keeps long case and ID numbers whole on one line.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, chain, filterfalse, repeat

from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from desktop.forms import fonts, pdftext
from desktop.forms.page import Decorations, StreamFrame, stream

HEAD_ROWS = 2000  # rows whose characters are coded in the order they show them (Prepared._assign)
SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")  # variation selectors (fontindex.is_selector)
TOKEN = re.compile(r"（[^（）\n]{1,6}）|[0-9A-Za-z*#.:/\-]+|.", re.S)
CANNOT_START = "，。、；：！？）》〉”’】〕"
PAD_X, PAD_Y = 1.6, 1.9
HEADER_SHADE = colors.HexColor("#E4E4E4")
ROW_SHADE = colors.HexColor("#F8E3E3")
# the operators reportlab's canvas writes for these colours and the rules' pen (setFillColor, setLineWidth)
_HEADER_FILL, _ROW_FILL, _BLACK_FILL = (f"{fp_str(c.red, c.green, c.blue)} rg" for c in (HEADER_SHADE, ROW_SHADE, colors.black))
_RULE_PEN = f"{fp_str(0.4)} w"


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
        self.plain: dict[str, float] = {}  # a line all in the main face → its width

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

    def forget_variants(self) -> None:
        """The variants' stand-ins were numbered anew (fonts.adopt_stand_ins): lines with a variation selector,
        and the stand-ins' widths, are worked out again when next asked."""
        self.measured = {text: found for text, found in self.measured.items() if not SELECTORS.search(text)}
        self.cache = {ch: w for ch, w in self.cache.items() if len(ch) != 1 or ord(ch) < fonts.STAND_INS}

    def learn(self, lines: Iterable[str]) -> None:
        """Measure many lines at once: those wholly in the main face go into `plain` at C speed (a year's
        ledger has 150,000 distinct lines); the others are measured run by run when asked."""
        new = list(set(lines).difference(self.plain))
        beyond = fonts.beyond_main()
        if beyond.search(" ".join(new)):
            new = list(filterfalse(beyond.search, new))
        advance, size = _advances(fonts.MAIN).__getitem__, self.size
        # as reportlab's stringWidth (its C helper makes a number object per character: slower than this)
        self.plain.update(zip(new, [sum(map(advance, line)) * size / 1000 for line in new], strict=True))

    def fits(self, text: str, room: float) -> bool:
        """Whether `text` is one run of the main face no wider than `room`."""
        drawn = self.plain.get(text)
        if drawn is not None:
            return drawn <= room
        runs, drawn = self.measure(text)
        return not runs or (len(runs) == 1 and runs[0][0] == fonts.MAIN and drawn <= room)


class _Advances(dict):
    """A face's characters → their advance widths in thousandths of the size (reportlab's charWidths, by
    character rather than code point), the face's default for the others."""

    def __init__(self, name: str):
        face = fonts.face(name).face
        super().__init__(zip(map(chr, face.charWidths), face.charWidths.values(), strict=True))
        self.default = face.defaultWidth

    def __missing__(self, ch: str) -> float:
        return self.default


@cache
def _advances(name: str) -> _Advances:
    return _Advances(name)


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
                if token[0] in CANNOT_START and len(line) > 1:  # carry the last character (and the
                    cut = len(line) - 1                            # marks before it: "份）、") over
                    while cut > 1 and line[cut] in CANNOT_START:
                        cut -= 1
                    token, line = line[cut:] + token, line[:cut]
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
    """Every distinct cell wrapped once: the rows as columns of strings, each row's height, whether it is shaded.

    Ledger cells repeat (states, services, clerks, places), and the ones that do not (numbers, names) are
    short: the table is kept column by column, each column's distinct strings are wrapped, measured and turned
    into PDF operators once per document, and the rows are put together from them with C-speed maps."""

    varied: list[list[str]] | None  # set by `join`: the cells with variation selectors, per column

    def __init__(self, columns: list[Column], values: list[list[str]], shaded: list[bool], size: float,
                 leading: float):
        self.shaded = shaded
        self._columns(columns, _Widths(size), leading)
        self.header = [self.wrap(c.title, n, "台账表头") for n, c in enumerate(columns)]
        self.header_h = max(len(lines) for lines in self.header) * leading + 2 * PAD_Y
        self.values: list[list[str]] = values if values and values[0] else [[] for _ in columns]  # column by column
        self.rewrapped: list[dict[str, list[str]]] = []
        self.characters: dict[str, None] = {}  # every character of every cell, column by column as first met
        self.by_column: list[dict[str, None]] = []  # the same, each column's own
        self.wrapped = [self._wrap_column(n, values) for n, values in enumerate(self.values)]
        self.heights = self._heights(self.values)
        self.ends = list(accumulate(self.heights, initial=0.0))

    def _heights(self, values: list[list[str]]) -> list[float]:
        """Each row's height: its tallest cell's lines. A column whose distinct cells all have as many lines
        (most: a number, a state, a clerk; a time over its date) counts once, not row by row."""
        counts, floor = [], 1
        for wrapped, v in zip(self.wrapped, values, strict=True):
            sizes = set(map(len, wrapped.values())) if not isinstance(wrapped, _Lines) else ()
            if len(sizes) == 1:
                floor = max(floor, *sizes)
            else:
                counts.append(map(len, map(wrapped.__getitem__, v)))
        rows = len(values[0]) if values else 0
        tallest = list(map(max, *counts, repeat(floor, rows))) if counts else [floor] * rows
        height = {n: n * self.leading + 2 * PAD_Y for n in set(tallest)}
        return list(map(height.__getitem__, tallest))

    def part(self) -> dict:
        """What another process needs of this one's rows to lay out and code a document made of both
        (`join`): the rows' heights and shading, and the characters and varied cells of each column in the
        order they are first met. Small, plain values."""
        return {"heights": array("d", self.heights), "shaded": bytes(self.shaded),
                "characters": ["".join(found) for found in self.by_column],
                "varied": [[text for text in wrapped if SELECTORS.search(text)] if SELECTORS.search(chars) else []
                           for wrapped, chars in zip(self.wrapped, map("".join, self.by_column), strict=True)]}

    def join(self, start: int, theirs: dict) -> None:
        """Take rows start.. (heights, shading) from another process's `part` of the same table, whose cells
        this one does not hold (its values there are blanks, or rows it also read): the layout is then the whole
        table's, and the characters are coded as one process would code them, column by column in the order
        first met (this one's rows first, then theirs: the same order, as theirs are the rows after)."""
        self.heights[start:] = theirs["heights"]
        self.shaded[start:] = map(bool, theirs["shaded"])
        for column in self.values:  # blank cells in place of theirs beyond this one's rows (`fill` puts some)
            column.extend(repeat("", len(self.heights) - len(column)))
        self.ends = list(accumulate(self.heights, initial=0.0))
        self.characters = {}
        for mine, more in zip(self.by_column, theirs["characters"], strict=True):
            self.characters.update(mine)
            self.characters.update(dict.fromkeys(more))
        # a column none of whose characters is a selector has no varied cell: not searched cell by cell (a
        # year's distinct cells took 0.05 s here, while the other process waited for the pages)
        self.varied = [list(dict.fromkeys([*(t for t in wrapped if SELECTORS.search(t)), *more]))
                       if SELECTORS.search("".join(chars)) else list(more)
                       for wrapped, chars, more in zip(self.wrapped, self.by_column, theirs["varied"], strict=True)]

    def fill(self, start: int, values: list[list[str]]) -> list[float]:
        """Put rows start.. (column by column) in place of blanks, their cells wrapped (their characters are
        known from `join`); returns their heights as this process works them out."""
        for n, (column, more) in enumerate(zip(self.values, values, strict=True)):
            column[start:start + len(more)] = more
            wrapped, rewrapped, _ = self._wrapped(n, more)
            self.wrapped[n].update(wrapped)
            self.rewrapped[n].update(rewrapped)
        return self._heights([column[start:start + len(values[0])] for column in self.values])

    def shifted(self, start: int, top: float) -> None:
        """This table's rows renumbered to start at `start` (the rows before it blank), `top` the whole table's
        running height there: another process's part, drawn with the whole table's row numbers and the very
        same running heights (summed on from `top`, so the positions round as in one process)."""
        self.values = [[""] * start + v for v in self.values]
        self.heights, self.shaded = [0.0] * start + self.heights, [False] * start + self.shaded
        self.ends = [0.0] * start + list(accumulate(self.heights[start:], initial=top))

    def _columns(self, columns: list[Column], widths: _Widths, leading: float) -> None:
        """What the columns fix: where each starts, its scale operator, its centred lines' starts."""
        self.columns, self.size, self.leading, self.widths = columns, widths.size, leading, widths
        self._doc: object = None
        self.varied = None
        self._fresh: list[list[str]] | None = None  # a restored part's distinct cells, to prepare
        self._shows: _Shows | None = None
        self._blocks: list[_Blocks] = []
        self._header: str | None = None
        self.lefts = list(accumulate((c.width for c in columns), initial=0.0))
        self._ys: dict[int, list[str]] = {}
        self._lefts = [f"1 0 0 1 {left + PAD_X:.2f} " for left in self.lefts]
        self._centred = [_Centred(c, left) for c, left in zip(columns, self.lefts, strict=False)]
        scales = [c.scale for c in columns]
        self._tz = [f"{now * 100:.0f} Tz\n" if now != before else "" for before, now in zip([1.0, *scales], scales, strict=False)]

    def state(self, start: int, end: int) -> dict:
        """What drawing rows start..end needs (the cells' lines, their widths and font runs, the heights, the
        header's operators), as plain values another process can take: `Prepared.restored` makes it whole."""
        assert self._header is not None, "header_row(doc) first"
        values = [v[start:end] for v in self.values]
        # each column's distinct cells and, per row, the number of its cell: a fifth of the strings to send,
        # and the other process knows its distinct cells without hashing every row's again
        cells = [list(dict.fromkeys(v)) for v in values]
        rows = [array("I", map(dict(zip(mine, range(len(mine)), strict=True)).__getitem__, v)) for mine, v in zip(cells, values, strict=True)]
        rewrapped = [{text: r[text] for text in r.keys() & set(mine)} for r, mine in zip(self.rewrapped, cells, strict=True)]
        lines = list(set(chain.from_iterable(chain.from_iterable(
            map(w.__getitem__, mine) for w, mine in zip(self.wrapped, cells, strict=True)))))
        plain = dict(zip(lines, map(self.widths.plain.get, lines), strict=True))
        measured = {line: self.widths.measure(line) for line, drawn in plain.items() if drawn is None and line}
        return {"columns": self.columns, "size": self.size, "leading": self.leading, "start": start,
                "cells": cells, "rows": rows, "rewrapped": rewrapped, "heights": self.heights[start:end],
                "ends": self.ends[start:end + 1], "shaded": self.shaded[start:end], "header_h": self.header_h,
                "plain": {line: w for line, w in plain.items() if w is not None}, "measured": measured,
                "header": self._header}

    @classmethod
    def restored(cls, state: dict, encoder: pdftext.Encoder) -> Prepared:
        """The rows of `state` (from `state`), drawn with `encoder`'s codes: another process's part of a
        document. Rows keep their numbers (the lists start with blanks), so parts are drawn as in the first."""
        p = cls.__new__(cls)
        widths = _Widths(state["size"])
        widths.plain, widths.measured = state["plain"], state["measured"]
        p._columns(state["columns"], widths, state["leading"])
        blank, start = [""] * state["start"], state["start"]
        p.values = [blank + list(map(cells.__getitem__, rows)) for cells, rows in zip(state["cells"], state["rows"], strict=True)]
        p.wrapped = list(map(_Lines, state["rewrapped"]))
        p._fresh = state["cells"]
        p.heights, p.shaded = [0.0] * start + state["heights"], [False] * start + state["shaded"]
        p.ends, p.header_h = [0.0] * start + state["ends"], state["header_h"]
        p._use(encoder)
        p._doc, p._header = encoder, state["header"]
        return p

    def __len__(self) -> int:
        return len(self.heights)

    def wrap(self, text: str, column: int, where: str) -> list[str]:
        """The lines of a cell (every character checked against the fonts first)."""
        if not fonts.all_printable(text):  # one C-speed search; the walk that names the character only then
            fonts.check(text, where)
        c = self.columns[column]
        return wrap(text, (c.width - 2 * PAD_X) / c.scale, self.widths)

    def _wrap_column(self, column: int, values: list[str]) -> dict[str, list[str]]:
        """Each distinct cell of a column → its lines (its characters noted, its rewrapped cells kept)."""
        wrapped, rewrapped, characters = self._wrapped(column, values)
        self.by_column.append(characters)
        self.characters.update(characters)
        self.rewrapped.append(rewrapped)
        return wrapped

    def _wrapped(self, column: int, values: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, None]]:
        """Each distinct cell of `values` → its lines; those not simply cut at their line breaks; the cells'
        characters in the order first met. Lines in the main face that fit are measured together at C speed;
        only the others are wrapped character by character."""
        distinct = list(dict.fromkeys(values))
        joined = "".join(distinct)
        if not fonts.all_printable(joined):
            for text in distinct:
                fonts.check(text, "台账")
        characters = dict.fromkeys(joined)
        parts = list(map(str.split, distinct, repeat("\n")))
        self.widths.learn(chain.from_iterable(parts))
        c = self.columns[column]
        room = (c.width - 2 * PAD_X) / c.scale
        lines = list(dict.fromkeys(chain.from_iterable(parts)))
        too_wide = {line for line, w in zip(lines, map(self.widths.plain.get, lines), strict=True) if w is None or w > room}
        wrapped = dict(zip(distinct, parts, strict=True))
        rewrapped = {}  # the cells not simply cut at their line breaks (Prepared.state sends only these)
        if too_wide:
            for text, cut in zip(distinct, parts, strict=True):
                if not too_wide.isdisjoint(cut):
                    rewrapped[text] = wrap(text, room, self.widths)
            wrapped.update(rewrapped)
        return wrapped, rewrapped, characters

    def blocks(self, doc) -> list[_Blocks]:
        """Per column: cell text → its text operators (made on first use; subset codes belong to `doc`)."""
        if doc is not self._doc:
            self._assign(pdftext.Encoder.of(doc))
            self._use(pdftext.Encoder.of(doc))
            self._doc, self._header = doc, None
        return self._blocks

    def _assign(self, encoder: pdftext.Encoder) -> None:
        """Give every character of the cells its code in the embedded subsets now, not as pages first draw
        it: every page's operators are then known before any is drawn, whichever process draws it, and the
        document is the same whether one process draws it or two. The order is as the first HEAD_ROWS rows
        show them, then column by column: the office's common words in the first subset of 256 glyphs, as
        drawing them in order would put them (in code point order a line switched subsets every few
        characters: 7 % more bytes, and slower). A character followed by a variation selector prints as a
        stand-in for its variant glyph: those lines' runs are coded after."""
        encoder.literal_start(fonts.MAIN, f"{self.size:g}")  # whether ASCII has its own codes, known now too
        head = "".join(chain.from_iterable(self.header)) + "".join(  # the column headings come first on a page
            chain.from_iterable(zip(*(v[:HEAD_ROWS] for v in self.values), strict=True)))
        for ch in dict.fromkeys(head + "".join(self.characters)):  # ASCII too: a line that mixes it with
            if ch == "\n" or SELECTORS.match(ch):                     # Chinese is hex throughout
                continue
            font = fonts.font_for(ch)
            if font is not None:
                encoder.learn(font, ch)
        if SELECTORS.search("".join(self.characters)):
            varied = (chain.from_iterable(self.varied) if self.varied is not None else
                      (text for wrapped in self.wrapped for text in wrapped if SELECTORS.search(text)))
            for line in chain.from_iterable(map(str.split, varied, repeat("\n"))):
                for font, run in fonts.runs(line):
                    for ch in run:
                        encoder.learn(font, ch)

    def prepare_rows(self, doc, start: int, end: int) -> None:
        """Make the operators of rows start..end's new distinct cells in bulk, those of printable ASCII at C
        speed, before a run of pages draws the rows one by one (each process its own rows)."""
        blocks = self.blocks(doc)
        assert self._shows is not None
        if end - start > 0.9 * len(self) and not isinstance(self.wrapped[0], _Lines):
            # (nearly) every row, in the process that wrapped them: every distinct cell and line, as known
            self._shows.prepare(self.widths.plain)
            for b, wrapped in zip(blocks, self.wrapped, strict=True):
                b.prepare(list(wrapped))
            return
        if self._fresh is not None:  # restored: its rows' distinct cells came with them, none made yet
            cells, self._fresh = self._fresh, None
        else:
            cells = [list(set(v[start:end]).difference(b)) for v, b in zip(self.values, blocks, strict=True)]
        self._shows.prepare(set(chain.from_iterable(chain.from_iterable(
            map(b.wrapped.__getitem__, new) for b, new in zip(blocks, cells, strict=True)))))
        for b, new in zip(blocks, cells, strict=True):
            b.prepare(new)

    def encoder(self) -> pdftext.Encoder:
        """The encoder of the document being drawn (blocks(doc) first)."""
        assert self._shows is not None, "blocks(doc) first"
        return self._shows.encoder

    def _use(self, encoder: pdftext.Encoder) -> None:
        self._shows = _Shows(encoder, self.widths)
        self._blocks = [_Blocks(self, n, self.wrapped[n]) for n in range(len(self.columns))]

    def header_row(self, doc) -> str:
        """The column headings' operators, centred in a row whose middle is at y = 0 (the same on every page)."""
        self.blocks(doc)
        if self._header is None:
            self._header = "".join(self.block(n, lines, center=True) for n, lines in enumerate(self.header))
        return self._header

    def block(self, column: int, lines: list[str], *, center: bool = False) -> str:
        """The text operators of one cell in a row whose middle is at y = 0: its horizontal scale where it
        differs from the column before (a row starts at 100), its lines centred as a block. Numbers are
        formatted once per column and line count, or per width when centred: a cell is only joined."""
        shows, out = self._shows, self._tz[column]
        assert shows is not None, "blocks(doc) first"
        ys = self._ys.get(len(lines)) or self._baselines(len(lines))
        if center or self.columns[column].align == "center":
            xs = self._centred[column]
            for line, y in zip(lines, ys, strict=True):
                drawn, ops = shows[line]
                if ops:
                    out += f"{xs.get(drawn) or xs.add(drawn)}{y} Tm {ops}\n"
            return out
        x = self._lefts[column]
        for line, y in zip(lines, ys, strict=True):
            ops = shows[line][1]
            if ops:
                out += f"{x}{y} Tm {ops}\n"
        return out

    def _baselines(self, count: int) -> list[str]:
        """The baselines of `count` lines centred on y = 0, as PDF numbers."""
        found = self._ys.get(count)
        if found is None:
            top = (count - 1) * self.leading / 2 - self.size * 0.35
            found = self._ys[count] = [f"{top - i * self.leading:.2f}" for i in range(count)]
        return found


class _Lines(dict):
    """A column's cells → their lines, where only the cells not simply cut at their line breaks are kept."""

    def __missing__(self, text: str) -> list[str]:
        return text.split("\n")


class _Centred(dict):
    """A column's centred lines: drawn width → the start of the text matrix (`1 0 0 1 x `)."""

    def __init__(self, column: Column, left: float):
        super().__init__()
        self.middle, self.half = left + column.width / 2, column.scale / 2

    def add(self, drawn: float) -> str:
        found = self[drawn] = f"1 0 0 1 {self.middle - drawn * self.half:.2f} "
        return found


class _Shows(dict):
    """One document's lines → (drawn width, the operators that show the line), made on first use."""

    def __init__(self, encoder: pdftext.Encoder, widths: _Widths):
        super().__init__()
        self.encoder, self.widths, self.size = encoder, widths, f"{widths.size:g}"
        self.start = encoder.literal_start(fonts.MAIN, self.size)

    def prepare(self, lines: Iterable[str]) -> None:
        """Lines of printable ASCII (case numbers, ID numbers, times: most distinct lines) made all at once,
        their codes being their own: nothing is assigned out of order."""
        start, plain = self.start, self.widths.plain
        if start:
            new = [s for s in lines if s and s.isascii() and s.isprintable() and s in plain and s not in self]
            # most lines have no character to escape: a check at C speed instead of a translation by dict
            escaped = [s.translate(pdftext.LITERAL) if "(" in s or ")" in s or "\\" in s else s for s in new]
            shown = [f"{start}{s}) Tj" for s in escaped]
            self.update(zip(new, zip(map(plain.__getitem__, new), shown, strict=True), strict=True))

    def __missing__(self, line: str) -> tuple[float, str]:
        if not line:
            return 0.0, ""
        drawn = self.widths.plain.get(line)
        if drawn is not None:
            runs = [(fonts.MAIN, line)]
        else:
            runs, drawn = self.widths.measure(line)
        found = self[line] = (drawn, self.encoder.show(runs, self.size))
        return found


class _Blocks(dict):
    """One column's cell text → text operators, made when a page first draws the cell."""

    def __init__(self, prepared: Prepared, column: int, wrapped: dict[str, list[str]]):
        super().__init__()
        self.prepared, self.column, self.wrapped = prepared, column, wrapped

    def prepare(self, cells: Iterable[str]) -> None:
        """`cells` made all at once, their lines' operators made as needed (the codes of every character are
        assigned before any is drawn: Prepared._assign); those with an empty line, which shows nothing, are
        left to `block` (a cell at a time, as first drawn). A year's 45,000 distinct cells of names and
        places cost a call each otherwise."""
        p, n, shows = self.prepared, self.column, self.prepared._shows
        assert shows is not None
        cuts = list(zip(cells, map(self.wrapped.__getitem__, cells), strict=True))
        lines = [(text, cut[0]) for text, cut in cuts if len(cut) == 1 and cut[0]]
        # two lines (a name over its ID number, a date over a time, a township over a village): the most
        # common cells after one line, made without a list per cell
        pairs = [(text, cut) for text, cut in cuts if len(cut) == 2 and cut[0] and cut[1]]
        more = [(text, cut) for text, cut in cuts if len(cut) > 2 and all(cut)]
        start, y, (y0, y1) = p._tz[n], p._baselines(1)[0], p._baselines(2)
        firsts = map(shows.__getitem__, [cut[0] for _, cut in pairs])
        seconds = map(shows.__getitem__, [cut[1] for _, cut in pairs])
        if p.columns[n].align == "center":
            xs = p._centred[n]
            made = [f"{start}{xs.get(drawn) or xs.add(drawn)}{y} Tm {ops}\n"
                    for drawn, ops in map(shows.__getitem__, (line for _, line in lines))]
            made += [f"{start}{xs.get(d0) or xs.add(d0)}{y0} Tm {o0}\n{xs.get(d1) or xs.add(d1)}{y1} Tm {o1}\n"
                     for (d0, o0), (d1, o1) in zip(firsts, seconds, strict=True)]
            made += [start + "".join([f"{xs.get(drawn) or xs.add(drawn)}{at} Tm {ops}\n" for (drawn, ops), at
                                      in zip(map(shows.__getitem__, cut), p._baselines(len(cut)), strict=True)])
                     for _, cut in more]
        else:
            x = p._lefts[n]
            made = [f"{start}{x}{y} Tm {ops}\n" for _, ops in map(shows.__getitem__, (line for _, line in lines))]
            made += [f"{start}{x}{y0} Tm {o0}\n{x}{y1} Tm {o1}\n"
                     for (_, o0), (_, o1) in zip(firsts, seconds, strict=True)]
            made += [start + "".join([f"{x}{at} Tm {ops}\n" for (_, ops), at
                                      in zip(map(shows.__getitem__, cut), p._baselines(len(cut)), strict=True)])
                     for _, cut in more]
        self.update(zip([text for text, _ in chain(lines, pairs, more)], made, strict=True))

    def __missing__(self, text: str) -> str:
        found = self[text] = self.prepared.block(self.column, self.wrapped[text])
        return found


class LedgerTable(Flowable):
    """Rows start..end of a Prepared table; splits at page breaks and repeats the header on each part.

    With `page` (the frame of an empty page: left, top, height), the full pages between the first part and
    the last are laid out here rather than by platypus, one flowable for all of them (_FullPages)."""

    def __init__(self, prepared: Prepared, start: int = 0, end: int | None = None,
                 page: tuple[float, float, float] | None = None):
        super().__init__()
        self.p, self.start, self.page = prepared, start, page
        self.end = len(prepared) if end is None else end
        self.width = sum(c.width for c in prepared.columns)

    def _height(self, end: int) -> float:
        return self.p.header_h + self.p.ends[end] - self.p.ends[self.start]

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self._height(self.end)

    def _cut(self, start: int, avail_h: float) -> int:
        """Where the part that starts at row `start` ends in `avail_h` (≤ start: not even one row fits)."""
        limit = self.p.ends[start] + avail_h - self.p.header_h
        return min(bisect.bisect_right(self.p.ends, limit) - 1, self.end)

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        cut = self._cut(self.start, avail_h)
        if cut <= self.start:
            return []
        first = LedgerTable(self.p, self.start, cut)
        if self.page is None:
            return [first, LedgerTable(self.p, cut, self.end)]
        full = []  # the rows of each full page, cut as platypus would cut them on empty pages
        while (end := self._cut(cut, self.page[2])) < self.end and end > cut:
            full.append((cut, end))
            cut = end
        middle = [_FullPages(self.p, full, self.page)] if full else []
        return [first, *middle, LedgerTable(self.p, cut, self.end, self.page)]

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c._code += self.body(c._doc)
        c.restoreState()

    def body(self, doc) -> list[str]:
        """This part's operators, its bottom left at the origin: shading, text, rules; as the canvas would
        write them (the colours and pen set by operators: formatted by reportlab, tens of thousands of times
        in a year's ledger otherwise)."""
        p = self.p
        total = self._height(self.end)
        tops = [total] + [total - p.header_h - (p.ends[i] - p.ends[self.start]) for i in range(self.start, self.end + 1)]
        w = f"{self.width:.2f}"
        code = [_HEADER_FILL, f"n 0 {tops[1]:.2f} {w} {p.header_h:.2f} re f*", _ROW_FILL]
        code += [f"n 0 {tops[n + 2]:.2f} {w} {p.heights[i]:.2f} re f*"
                 for n, i in enumerate(range(self.start, self.end)) if p.shaded[i]]
        code.append(_BLACK_FILL)
        # Text written as PDF operators directly: each distinct cell's operators are made once per document
        # (pdftext encodes them), and a row is its cells' operators moved to the row's middle with one `cm`.
        blocks = p.blocks(doc)
        cells = zip(*(map(b.__getitem__, v[self.start:self.end]) for b, v in zip(blocks, p.values, strict=True)), strict=True)
        middles = [top - h / 2 for top, h in zip(tops[1:], p.heights[self.start:self.end], strict=False)]
        ops = [f"q 1 0 0 1 0 {tops[0] - p.header_h / 2:.2f} cm BT\n{p.header_row(doc)}ET Q"]
        ops += [f"q 1 0 0 1 0 {middle:.2f} cm BT\n{''.join(row)}ET Q" for middle, row in zip(middles, cells, strict=True)]
        code.append("\n".join(ops))
        top, bottom = f"{tops[0]:.2f}", f"{tops[-1]:.2f}"
        across = [f"0 {y:.2f} m {w} {y:.2f} l" for y in tops]
        down = [f"{x:.2f} {top} m {x:.2f} {bottom} l" for x in self.p.lefts]
        code += [_RULE_PEN, " ".join(across + down) + " S"]
        return code


class _FullPages(Flowable):
    """Full pages of table rows, taking one whole frame: every page but the last is drawn as platypus would
    draw its part (LedgerTable.drawOn at the top of an empty frame) and handed to the canvas as drawn pages
    (PagedCanvas.add_drawn_pages, `DrawnParts`), written once the page count is known, by this process or
    two (desktop/forms/ledgerpages.py); the last is drawn on the page platypus gave. A year's 3,700 pages
    cost platypus's per-flowable and per-page work and reportlab's page objects otherwise."""

    def __init__(self, prepared: Prepared, parts: list[tuple[int, int]], page: tuple[float, float, float]):
        super().__init__()
        self.p, self.parts, self.page = prepared, parts, page
        self.width = sum(c.width for c in prepared.columns)

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.page[2]

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        return []  # not on a page begun: on the next, empty one

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803 (reportlab's names)
        # every part drawn where platypus would put it on an empty page (x, y: this flowable's frame, the same)
        left, top, height = self.page
        if len(self.parts) > 1:
            self.p.header_row(canvas._doc)
            drawn = DrawnParts(self.p, self.parts[:-1], self.page)
            canvas.add_drawn_pages(drawn)
            begin = getattr(getattr(canvas, "helper", None), "begin", None)
            if begin is not None:  # a helper that starts on its pages now, while the last pages are laid out
                begin(drawn, canvas.frame())
        part = LedgerTable(self.p, *self.parts[-1])
        part.drawOn(canvas, left, top - part.wrap(self.width, height)[1])


class DrawnParts:
    """Full table pages drawn without a canvas, each part at the top of an empty frame, as LedgerTable.drawOn
    would put it there (`code`), made into content streams by `draw`, or by `canvas.helper` (a second
    process, desktop/forms/ledgerpages.py) for some of them."""

    def __init__(self, prepared: Prepared, parts: list[tuple[int, int]], page: tuple[float, float, float]):
        self.p, self.parts, self.page = prepared, parts, page

    def __len__(self) -> int:
        return len(self.parts)

    def streams(self, first: int, total: int, canvas) -> list[bytes]:
        decorations = Decorations(canvas, first, total, len(self.parts))  # made as the pages are drawn
        helper = getattr(canvas, "helper", None)
        if helper is not None:
            return helper.streams(self, decorations, canvas.frame())
        return self.draw(self.parts, decorations, canvas.frame())

    def draw(self, parts: list[tuple[int, int]], decorations: Iterable[list[str]], frame: StreamFrame) -> list[bytes]:
        return list(map(stream, repeat(frame), self.codes(parts), decorations))

    def codes(self, parts: list[tuple[int, int]]) -> list[list[str]]:
        """The parts' operators (`code`), their rows' distinct cells made in bulk first."""
        if parts:
            self.p.prepare_rows(self.p._doc, parts[0][0], parts[-1][1])
        return list(map(self.code, parts))

    def code(self, part: tuple[int, int]) -> list[str]:
        """A part's operators on an empty page: drawOn's state saved and moved to the part's bottom left,
        draw's own state saved, the body."""
        table = LedgerTable(self.p, *part)
        left, top, height = self.page
        at = fp_str(left, top - table.wrap(table.width, height)[1])
        return ["q", f"1 0 0 1 {at} cm", "q", *table.body(self.p._doc), "Q", "Q"]
