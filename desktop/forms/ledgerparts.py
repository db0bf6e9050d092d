"""The ledger's closing parts: totals beside a bar chart of cases per service, notes, revision list, signatures."""

from __future__ import annotations

from itertools import zip_longest

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, TableStyle

from desktop.forms import fonts, layout

BAR = colors.HexColor("#5B7DB1")
NOTE = ParagraphStyle("ledger_note", parent=layout.NOTE, fontSize=8, leading=11)


def summary_line(result) -> str:
    t = result.totals
    applied = "，".join(f"{label} {n} 件" for label, n in t.by_applied)
    line = (f"共受理 {t.cases} 件" + (f"（{applied}）" if applied else "") + f"；材料齐全 {t.cases - t.pending_materials} 件，"
            f"需补正 {t.pending_materials} 件；超期 {t.overdue} 件；尚未同步到县级汇聚服务器 {t.unsynced} 件。")
    if result.elsewhere_pending:
        others = "、".join(f"{d['device']} {d['pending_reported']} 件" for d in result.elsewhere_pending)
        line += f"另有其他设备报告尚待上传（不在本表中）：{others}。"
    return line


def breakdown(result, width: float) -> layout.Table:
    """人群类别 / 办理方式 / 状态 with their counts, side by side."""
    t = result.totals
    columns = [t.by_group, t.by_method, t.by_state]
    rows = [["人群类别", "件数", "办理方式", "件数", "状态", "件数"]]
    for parts in zip_longest(*columns, fillvalue=("", "")):
        rows.append([str(v) for pair in parts for v in pair])
    label_w = (width - 3 * 12 * mm) / 3
    table = layout.grid(rows, [label_w, 12 * mm] * 3, header=True, style=layout.SMALL)
    table.setStyle([("ALIGN", (c, 1), (c, -1), "RIGHT") for c in (1, 3, 5)])
    return table


def _label(name: str) -> str:
    """A chart label: '3 办理残疾人证', short, and only characters of the main face (the chart draws one font)."""
    number, _, title = name.partition(". ")
    title = title.removeprefix("我要")
    title = title if len(title) <= 13 else title[:12] + "…"
    text = f"{number} {title}"
    return text if all(fonts.font_for(ch) == fonts.MAIN for ch in text) else f"一件事 {number}"


def chart(result, width: float) -> Drawing:
    """A horizontal bar per service that has cases, first service at the top, counts at the bar ends."""
    pairs = list(result.totals.by_service)
    labels = [_label(name) for name, _ in pairs]
    for text in labels:
        fonts.check(text, "台账图表")
    bar_h = 4.3 * mm
    height = len(pairs) * bar_h + 12 * mm
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.MAIN  # the renderer's default is Helvetica, which would sit unembedded
    c = HorizontalBarChart()
    c.x, c.y, c.width, c.height = 44 * mm, 8 * mm, width - 54 * mm, len(pairs) * bar_h
    c.data = [[n for _, n in pairs]]
    c.categoryAxis.categoryNames = labels
    c.categoryAxis.reverseDirection = 1
    c.categoryAxis.labels.fontName, c.categoryAxis.labels.fontSize = fonts.MAIN, 7.5
    c.categoryAxis.labels.boxAnchor, c.categoryAxis.labels.dx = "e", -(c.categoryAxis.tickLeft + 2)  # clear of the ticks
    c.valueAxis.valueMin = 0
    c.valueAxis.labels.fontName, c.valueAxis.labels.fontSize = fonts.MAIN, 7
    c.valueAxis.visibleGrid, c.valueAxis.gridStrokeColor = 1, colors.HexColor("#DDDDDD")
    top = max((n for _, n in pairs), default=1)
    c.valueAxis.valueMax = max(top + max(1, top // 8), 5)
    c.valueAxis.valueStep = _step(c.valueAxis.valueMax)
    c.bars[0].fillColor, c.bars[0].strokeColor = BAR, None
    c.barLabelFormat, c.barLabels.fontName, c.barLabels.fontSize = "%d", fonts.MAIN, 7
    c.barLabels.boxAnchor, c.barLabels.dx = "w", 2
    drawing.add(c)
    return drawing


def _step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if top / step <= 8:
            return step
    return 10000


def chart_and_totals(result, width: float, changed: bool | None = None) -> KeepTogether:
    """合计: the summary line, the breakdowns and the notes, the chart of cases per service beside them,
    then the signatures, kept on one page."""
    left_w = width * 0.5
    left = [layout.para(summary_line(result), layout.SMALL), layout.gap(1.5), breakdown(result, left_w),
            *notes(result, changed)]
    right = [layout.para("各一件事受理件数", layout.SMALL)]
    right.append(chart(result, width - left_w - 6 * mm) if result.totals.by_service else layout.para("（无）", layout.SMALL))
    body = layout.Table([[left, right]], colWidths=[left_w, width - left_w], hAlign="LEFT", style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, 0), 6 * mm), ("RIGHTPADDING", (1, 0), (1, 0), 0)]))
    return KeepTogether([layout.gap(3), layout.heading("合计"), layout.gap(1), body, signature_row(width)])


def notes(result, changed: bool | None = None) -> list:
    """What the ledger covers and what its marks mean; `changed`: whether a row is marked changed after its
    day's close, when the rows are not all in `result` (desktop/ledger/pdfsplit.py)."""
    if result.source == "hub":
        scope = "数据范围：全办理点，即县级汇聚服务器已收到的各窗口、各设备的案件（含本机未上传的），其他设备未上传的不在表中。"
    else:
        scope = "数据范围：仅本机，即本窗口（设备）受理的案件，不含其他窗口和设备。"
    ids = "身份证号为完整号码，属个人敏感信息，不得外传。" if result.personal else "身份证号已脱敏（隐去出生日期）。"
    items = [scope, ids, "超期：预计办结日（未办结事项中最早的期限）已过而事项未办结、未终止；中止期间不计。"]
    if changed if changed is not None else any(r.changed_after_close for r in result.rows):
        items.append("序号前标“＊”的案件在该日日结后有变动，见日结修订。")
    text = "说明：" + "".join(f"{'①②③④⑤'[n]}{t}" for n, t in enumerate(items))
    return [layout.gap(1.5), layout.para(text, NOTE)]


def revision_notes(closure, width: float) -> list:
    """For a revised close: what changed since the previous version."""
    head = (f"修订说明：本版为第 {closure.revision} 版，列出自第 {closure.revision - 1} 版"
            f"（{layout.fmt_time(closure.previous_at)}日结）以来的变动，共 {len(closure.changes)} 件。")
    rows = [["受理编号", "变动", "变动时间"], *([n, t, layout.fmt_time(at) if at else "—"] for n, t, at in closure.changes)]
    return [layout.gap(3), layout.para(head, layout.SECTION),
            layout.grid(rows, [52 * mm, width - 52 * mm - 42 * mm, 42 * mm], header=True, style=layout.SMALL)]


def signature_row(width: float) -> layout.Table:
    """制表人 and 负责人 sign by hand, with the date."""
    blank_w = 50 * mm
    rest = width - 2 * blank_w - 24 * mm - 44 * mm
    row = [layout.Line("制表人：", 10.5, align="left", bold=False), "",
           layout.Line("负责人（签字）：", 10.5, align="right", bold=False), "", layout.DateBlank("日期：", size=10.5)]
    return layout.Table([row], colWidths=[24 * mm, blank_w, 44 * mm, blank_w, rest], hAlign="LEFT", style=TableStyle([
        ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black), ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 14),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("LEFTPADDING", (4, 0), (4, 0), 14 * mm)]))
