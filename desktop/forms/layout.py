"""Layout shared by every form: paragraph styles, ruled tables, field grids, signature lines, tick boxes.

Every piece of text goes through fonts.markup / fonts.draw, so every character is checked against the
font chain while the story is built, before a single page is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab import platypus
from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Paragraph,
    Spacer,
    TableStyle,
    paragraph,
)

from desktop.forms import fonts
from desktop.forms.flowables import (  # noqa: F401 (the forms reach these through layout)
    QR,
    Box,
    CutLine,
    DateBlank,
    Line,
    date_blank,
    heading,
    qr,
    time_blank,
    title,
)
from desktop.forms.page import (  # noqa: F401
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    build,
    fmt_date,
    fmt_time,
)

# reportlab's list of marks that may not start a line (textsplit.ALL_CANNOT_START) is the Japanese one: it
# lacks the Chinese full-width ，；：！？ and closing quotes, so a line could begin with a comma. Extend the
# copies its CJK line breakers read (process-wide; only adds marks, so it cannot hurt other users).
_CHINESE_CANNOT_START = "，；：！？》〉”’】〕"
for _module in (textsplit, paragraph):  # wordSplit (one-font paragraphs) and cjkFragSplit (mixed fonts)
    _module.ALL_CANNOT_START += "".join(ch for ch in _CHINESE_CANNOT_START if ch not in _module.ALL_CANNOT_START)

SHADE = colors.HexColor("#EDEDED")


class Table(platypus.Table):
    """A Table whose plain-string cells (even empty ones) use the main face: reportlab's default is
    Helvetica, which would sit in the PDF unembedded."""

    def __init__(self, data, *args, style=None, **kw):
        super().__init__(data, *args, **kw)
        self.setStyle([("FONT", (0, 0), (-1, -1), fonts.MAIN, 9.5, 12.5)])
        if style is not None:
            self.setStyle(style)


def _style(name: str, size: float, leading: float, **kw) -> ParagraphStyle:
    # CJK line breaking hangs a closing mark (。，、）) past the line's end rather than start a line with
    # it; the right indent of one character keeps that mark inside the box and the page margins.
    kw.setdefault("rightIndent", size)
    return ParagraphStyle(name, fontName=fonts.MAIN, fontSize=size, leading=leading, wordWrap="CJK", **kw)


BODY = _style("body", 10.5, 16)
LETTER = _style("letter", 10.5, 16, firstLineIndent=21)
CELL = _style("cell", 9.5, 12.5)
CELL_C = _style("cell_c", 9.5, 12.5, alignment=TA_CENTER)
SMALL = _style("small", 9, 12.5)
SMALL_R = _style("small_r", 9, 12.5, alignment=TA_RIGHT)
NOTE = _style("note", 9, 13, textColor=colors.HexColor("#333333"))
SIGN_R = _style("sign_r", 10.5, 18, alignment=TA_RIGHT, spaceBefore=6, rightIndent=6 * mm)
SECTION = _style("section", 10.5, 16, spaceBefore=4)
TITLE_WRAP = _style("title_wrap", 18, 25, alignment=TA_CENTER)


def para(text: str, style: ParagraphStyle = BODY, where: str = "") -> Paragraph:
    """A paragraph of plain text (escaped, font runs resolved, every character checked)."""
    return Paragraph(fonts.markup(text, where), style)


def cell(value, style: ParagraphStyle = CELL):
    """Table cell content: strings become checked paragraphs, flowables pass through."""
    return para(str(value), style) if isinstance(value, str | int) else value


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def _cell(value, width: float, style: ParagraphStyle):
    """A short one-font string stays a plain table string (a Paragraph costs ten times more to lay out)."""
    if isinstance(value, str) and fonts.fits_plain(value, style.fontSize, width - 8):
        return value
    return cell(value, style)


def grid(rows: Sequence[Sequence], widths: Sequence[float], *, header: bool = False,
         label_cols: Sequence[int] = (), spans: Sequence[tuple] = (), shade: Sequence[tuple[int, int]] = (),
         style: ParagraphStyle = CELL) -> Table:
    """A ruled table; strings become wrapped paragraphs; a header row repeats on every page."""
    data = [[_cell(v, w, CELL_C if header and r == 0 else style) for v, w in zip(row, widths, strict=True)]
             for r, row in enumerate(rows)]
    commands = [
        ("FONT", (0, 0), (-1, -1), fonts.MAIN, style.fontSize, style.leading),
        ("ALIGN", (0, 0), (-1, 0), "CENTER" if header else "LEFT"),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        *(("BACKGROUND", (c, 0), (c, -1), SHADE) for c in label_cols),
        *(("BACKGROUND", at, at, SHADE) for at in shade),
        *(("SPAN", *s) for s in spans),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    return Table(data, colWidths=list(widths), repeatRows=1 if header else 0, style=TableStyle(commands),
                 hAlign="LEFT")


def fields(rows: Sequence[Sequence[str]], widths: Sequence[float] = (24 * mm, 62 * mm, 24 * mm)) -> Table:
    """Label/value pairs, two per row; a row of one pair spans the whole width."""
    rest = CONTENT_W - sum(widths)
    data, spans, shade = [], [], []
    for r, row in enumerate(rows):
        shade.append((0, r))
        if len(row) == 2:
            data.append([row[0], row[1], "", ""])
            spans.append(((1, r), (3, r)))
        else:
            data.append(list(row))
            shade.append((2, r))
    return grid(data, [*widths, rest], spans=spans, shade=shade)


def signatures(pairs: Sequence[tuple], *, line_w: float = 44 * mm, after_w: float = 72 * mm) -> Table:
    """Signature lines: each row `label ______  时间：  年  月  日`, filled by hand."""
    rows = [[cell(label), "", cell(after)] for label, after in pairs]
    label_w = CONTENT_W - line_w - after_w
    return Table(rows, colWidths=[label_w, line_w, after_w], hAlign="LEFT", style=TableStyle([
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]))


def choices(options: Sequence[tuple[bool, str]], *, columns: int = 2, width: float = CONTENT_W,
            style: ParagraphStyle = CELL) -> Table:
    """Tick boxes in columns: ☑ for what applies, ☐ for the citizen or clerk to tick by hand."""
    cells = [para(f"{'☑' if on else '☐'} {text}", style) for on, text in options]
    cells += [""] * (-len(cells) % columns)
    rows = [cells[i:i + columns] for i in range(0, len(cells), columns)]
    return Table(rows, colWidths=[width / columns] * columns, hAlign="LEFT", style=TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("VALIGN", (0, 0), (-1, -1), "TOP")]))


def side_by_side(left, right, left_w: float) -> Table:
    """Two flowables next to each other without rules (e.g. text beside a QR code)."""
    return Table([[left, right]], colWidths=[left_w, CONTENT_W - left_w], hAlign="LEFT", style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
