"""每日受理台账 on landscape A4: the office and date range on every page, column headers repeated, 第 x 页 共 y
页, totals with a bar chart of cases per service, a note on what the ledger covers, and signature lines.

    pdf: bytes = render(result, closure=None, printed_at=None)   # result: desktop.ledger.query.LedgerResult

Every string is checked against the bundled fonts before anything is drawn (fonts.check): a character no face
has raises ValidationError naming it. Columns and widths: COLUMNS; the cells: printed_columns().
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import partial

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from desktop.forms import fonts, layout, ledgerratings, pdftext
from desktop.forms.ledgerparts import chart_and_totals, revision_notes
from desktop.forms.ledgertable import Column, LedgerTable, Prepared
from desktop.forms.page import PagedCanvas

PAGE_W, PAGE_H = landscape(A4)
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 10 * mm, 19 * mm, 13 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
SIZE, LEADING = 7.5, 9.4
COLUMNS = [
    Column("序号", 9 * mm, "center"),
    Column("受理编号", 28 * mm, scale=0.84),
    Column("受理时间", 14 * mm, "center", 0.9),
    Column("申请人\n身份证号（脱敏）", 24 * mm, scale=0.88),
    Column("人群类别", 13 * mm),
    Column("一件事（事项数）", 38 * mm),
    Column("办理\n方式", 11 * mm, "center"),
    Column("申请方式", 21 * mm),
    Column("材料\n（补正：已收、尚缺）", 32 * mm, scale=0.9),  # what was received, how and how many; what is missing
    Column("状态", 12 * mm, "center"),
    Column("预计办结\n日期", 16 * mm, "center", 0.9),
    Column("超期", 8 * mm, "center"),
    Column("同步", 12 * mm, "center"),
    Column("经办人", 12 * mm, "center"),
    Column("窗口", 9 * mm, "center"),
    Column("乡镇\n村（社区）", 18 * mm),
]
TITLE = "每日受理台账"


@dataclass(frozen=True)
class ClosureStamp:
    """A day close printed on its ledger: the version, when and by whom, and (for version 2 on) the changes."""

    revision: int
    closed_at: str
    closed_by: str
    changes: tuple[tuple[str, str, str], ...] = ()  # (case number, what changed, when)
    previous_at: str = ""


def date_range(result) -> str:
    f = result.filters
    if f.date_from == f.date_to:
        return layout.fmt_date(f.date_from)
    return f"{layout.fmt_date(f.date_from)}至{layout.fmt_date(f.date_to)}"


def accepted(at: str, one_day: bool) -> str:
    """受理时间: HH:MM, or MM-DD over HH:MM when the ledger covers several days."""
    if not at:
        return ""
    if len(at) >= 16 and at[10] in "T " and at[13] == ":":  # ISO as stored: sliced, 50,000 times a year
        return at[11:16] if one_day else f"{at[5:10]}\n{at[11:16]}"
    moment = dt.datetime.fromisoformat(at)
    return f"{moment:%H:%M}" if one_day else f"{moment:%m-%d}\n{moment:%H:%M}"


def applied_by(row) -> str:
    """本人申请, or 代办：name over the kind of proxy (two short lines fit the column)."""
    if row.applied_by != "proxy":
        return row.applied_by_text
    return f"代办：{row.proxy_name or '（未填姓名）'}" + (f"\n{row.proxy_kind}" if row.proxy_kind else "")


def printed_columns(result) -> tuple[list[list[str]], list[str]]:
    """Every column's cells as they print (the cells() of every row, made column by column: a year's 50,000
    rows are 800,000 cells), and the numbers of the cases with a character no font draws: printed as its
    code point ([U+E000]) so that one name never stops the whole ledger or the day close."""
    one_day = result.filters.date_from == result.filters.date_to
    rows = result.rows
    columns = [[f"＊{r.serial}" if r.changed_after_close else str(r.serial) for r in rows],
               [r.number for r in rows],
               [accepted(r.accepted_at, one_day) for r in rows],
               [f"{r.applicant}\n{r.id_number}" for r in rows],
               [r.group for r in rows],
               [f"{r.service} {r.service_name}（{len(r.items)}项）" for r in rows],
               [r.method for r in rows],
               [r.applied_by_text if r.applied_by != "proxy" else applied_by(r) for r in rows],
               ["\n".join(r.materials_lines) for r in rows],
               [r.state_label for r in rows],
               [r.due_date or "—" for r in rows],
               ["超期" if r.overdue else "" for r in rows],
               [r.sync_label for r in rows],
               [r.clerk for r in rows],
               [r.window for r in rows],
               [f"{r.township}\n{r.village}".strip() for r in rows]]
    if fonts.all_printable("\n".join(map("\n".join, columns))):  # one C-speed search for the whole ledger
        return columns, []
    numbers = []
    for n, row in enumerate(zip(*columns, strict=True)):
        if not fonts.all_printable("\n".join(row)):
            for column, cell in zip(columns, row, strict=True):
                column[n] = fonts.printable(cell)[0]
            numbers.append(rows[n].number)
    return columns, numbers


# an empty page's frame, its height as platypus's Frame works it out (so the pages break where they did)
PAGE = (MARGIN_X, MARGIN_BOTTOM + FRAME_H, (MARGIN_BOTTOM + FRAME_H) - MARGIN_BOTTOM)


def prepared(columns: list[list[str]], shaded: list[bool], personal: bool = False) -> Prepared:
    """The table's cells (printed_columns) wrapped and measured; `shaded`: each row's overdue mark."""
    titles = COLUMNS
    if personal:
        titles = [*COLUMNS[:3], Column("申请人\n身份证号", 24 * mm, scale=0.88), *COLUMNS[4:]]
    return Prepared(titles, columns, shaded, SIZE, LEADING)


def table(result, columns: list[list[str]]) -> LedgerTable:
    return LedgerTable(prepared(columns, [r.overdue for r in result.rows], result.personal), page=PAGE)


@dataclass
class Made:
    """The table made elsewhere (desktop/ledger/pdfsplit.py: from the rows two processes read), with the numbers
    of the cases printed with code points and whether any row is marked changed after its day's close."""

    prepared: Prepared
    unprintable: list[str]
    changed: bool


def heading(result, closure: ClosureStamp | None, unprintable: list[str] | None = None) -> list:
    """The first page's title block: office, title, dates, what the ledger covers, warnings."""
    title = TITLE + (f"（日结 第 {closure.revision} 版）" if closure else "")
    parts = [layout.Line(result.office or "（未设置办理点名称）", 12, space_after=1), layout.Line(title, 17, space_after=3)]
    scope = result.source_label + (f"（{result.window} 窗口/设备）" if result.source == "local" and result.window else "")
    line = f"受理日期：{date_range(result)}　　数据范围：{scope}"
    if described := result.filters.describe():
        line += f"　　筛选：{described}"
    parts.append(layout.para(line, layout.SMALL))
    if closure:
        parts.append(layout.para(f"日结时间：{layout.fmt_time(closure.closed_at)}　　日结人：{closure.closed_by}", layout.SMALL))
    if result.warning:
        parts.append(layout.para(f"注意：{result.warning}", layout.NOTE))
    if unprintable:
        parts.append(layout.para(f"注意：以下案件含无法打印的字符，已以编码（如 [U+E000]）代替，请核对：{'、'.join(unprintable)}",
                                 layout.NOTE))
    return [*parts, layout.gap(1.5)]


def story(result, closure: ClosureStamp | None, made: Made | None = None) -> list:
    if made is None:
        columns, unprintable = printed_columns(result)
    else:
        unprintable = made.unprintable
    parts = heading(result, closure, unprintable)
    if made is not None:
        parts.append(LedgerTable(made.prepared, page=PAGE))
    elif result.rows:
        parts.append(table(result, columns))
    else:
        parts.append(layout.para("该日期范围内没有受理的案件。", layout.BODY))
    if closure and closure.revision > 1:
        parts += revision_notes(closure, CONTENT_W)
    parts += ledgerratings.section(result, CONTENT_W)
    parts.append(chart_and_totals(result, CONTENT_W, made.changed if made is not None else None))
    return parts


def decoration(fixed: list[str], encoder: pdftext.Encoder, number: int, total: int) -> list[str]:
    """A page's running header and footer: `fixed` (_Canvas.fixed) and 第 x 页 共 y 页 in `encoder`'s codes
    (the canvas's, or a helper process's copy of them: desktop/ledger/pdfsplit.py)."""
    # 第 x 页 共 y 页 as operators (a text object per page cost a twentieth of a year's ledger), stroked
    # like the rest of the header and footer: the bold of the office's name (text render mode 2) carries
    # on to all text drawn after it in that state, with the rule's 0.5 pt pen, and the pages have always
    # looked so
    text = f"第 {number} 页  共 {total} 页"
    x = PAGE_W - MARGIN_X - fonts.width(text, 8.5)
    shown = encoder.show(fonts.runs(text), "8.5")
    return [*fixed, f"q .4 .4 .4 RG .266667 .266667 .266667 rg .5 w BT 1 0 0 1 {fp_str(x, MARGIN_BOTTOM - 8 * mm)} Tm "
            f"2 Tr {shown} ET Q"]


class _Canvas(PagedCanvas):
    """The ledger's running header (office, range, source) and 第 x 页 共 y 页 on every page."""

    flate_level = 3

    def __init__(self, *args, header: tuple[str, str, str], footer: str, helper=None, **kw):
        super().__init__(*args, **kw)
        self._header, self._footer = header, footer
        self.helper = helper  # a ledgerpages.Helper draws some of the full table pages (DrawnParts.streams)
        # The header and footer text are the same on every page: drawn once, their operators copied onto
        # the other pages (thousands of pages in a year's ledger). A list, shared by every page's snapshot
        # of the canvas's attributes (PagedCanvas keeps those per page).
        self._fixed: list[str] = []

    def _decorate(self, number: int, total: int) -> None:
        self._code.extend(self._decoration(number, total))

    def _decoration(self, number: int, total: int) -> list[str]:
        return decoration(self.fixed(), pdftext.Encoder.of(self._doc), number, total)

    def fixed(self) -> list[str]:
        """The operators of the running header and footer without the page number (the same on every page)."""
        if not self._fixed:
            start = len(self._code)
            self._draw_fixed()
            self._fixed.extend(self._code[start:])
            del self._code[start:]
        return self._fixed

    def _draw_fixed(self) -> None:
        left, middle, right = self._header
        top = PAGE_H - MARGIN_TOP + 5 * mm
        self.saveState()
        fonts.draw(self, MARGIN_X, top, left, 9.5, bold=True)
        fonts.draw(self, PAGE_W / 2, top, middle, 9)
        fonts.draw(self, PAGE_W - MARGIN_X, top, right, 8.5, align="right")
        self.setStrokeColor(colors.HexColor("#666666"))
        self.setLineWidth(0.5)
        self.line(MARGIN_X, top - 2 * mm, PAGE_W - MARGIN_X, top - 2 * mm)
        self.setFillColor(colors.HexColor("#444444"))
        fonts.draw(self, MARGIN_X, MARGIN_BOTTOM - 8 * mm, self._footer, 7.5)
        self.restoreState()


def render(result, *, closure: ClosureStamp | None = None, printed_at: dt.datetime | None = None,
           helper=None, made: Made | None = None) -> bytes:
    """The ledger of `result` (desktop.ledger.query.LedgerResult) as PDF bytes; with `helper`
    (desktop.forms.ledgerpages.Helper, or anything with its `streams`), a second process draws some of the full
    table pages; with `made`, the table is that one (its rows need not all be in `result`)."""
    fonts.ensure_registered()
    printed_at = printed_at or dt.datetime.now().astimezone()
    office = result.office or "（未设置办理点名称）"
    header = (f"{office}　{TITLE}", f"受理日期：{date_range(result)}",
              "数据范围：" + ("全办理点（县级汇聚服务器）" if result.source == "hub" else "仅本机"))
    for text in header:
        fonts.check(text, "台账页眉")
    footer = f"打印于 {layout.fmt_time(printed_at)}" + (
        f"　　日结第 {closure.revision} 版　{layout.fmt_time(closure.closed_at)}　{closure.closed_by}" if closure else "")
    fonts.check(footer, "台账页脚")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=TITLE,
                          subject=date_range(result), creator="一件事帮代办工作台", author="")
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, FRAME_H, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", frames=[frame])])
    flowables = story(result, closure, made)
    # Page streams compressed but not also ASCII85-armoured: a quarter smaller, and the pure-Python encoder
    # took a third of a 400-page ledger's time. rl_config is process-wide, so it is set back at once; a form
    # rendered on another thread meanwhile would merely get binary streams too (valid PDF either way).
    armoured, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(flowables, canvasmaker=partial(_Canvas, header=header, footer=footer, helper=helper))
    finally:
        rl_config.useA85 = armoured
    return buffer.getvalue()
