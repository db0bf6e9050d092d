"""The ledger as an XLSX workbook (XlsxWriter, streaming): the same columns as the paper, Chinese intact, dates as dates.

Sheet 台账: a title row, the column headings (frozen), one row per case; sheet 合计: the totals. Plain cell
styles only (bold headings, number formats, column widths), so Excel and WPS open it alike.
ID numbers are masked; `personal_xlsx` gives full ones to a role with export.personal_bulk and audits it
(action export.personal_bulk, with the range and the row count, never a value).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterator
from typing import Any

from desktop.domain import catalog, feedback
from desktop.ledger import query as ledger, sheetrows
from desktop.storage import audit

HEADINGS = [  # (heading, width in characters, number format)
    ("序号", 6, None), ("受理编号", 26, None), ("受理时间", 17, "yyyy-mm-dd hh:mm"), ("申请人", 10, None),
    ("身份证号（脱敏）", 21, "@"), ("人群类别", 14, None), ("一件事编号", 8, None), ("一件事", 40, None),
    ("事项", 50, None), ("事项数", 7, None), ("办理方式", 9, None), ("申请方式", 26, None), ("材料", 13, None),
    ("状态", 9, None), ("预计办结日期", 13, "yyyy-mm-dd"), ("超期", 6, None), ("同步", 13, None),
    ("经办人", 9, None), ("窗口/设备", 10, None), ("乡镇", 10, None), ("村（社区）", 12, None),
    ("上报设备", 16, None), ("日结后有变动", 10, None),
]
FIRST_ROW = 3  # row 1: title; row 2: headings


def local_time(iso: str | None) -> dt.datetime | None:
    """The wall-clock time as recorded (Excel has no time zones)."""
    return dt.datetime.fromisoformat(iso).replace(tzinfo=None) if iso else None


def values(row: ledger.LedgerRow) -> list[Any]:
    """One case's cells in HEADINGS order; the two dates as Excel's serial numbers (the columns' formats show
    them as dates), the acceptance time as recorded on the wall clock."""
    return [row.serial, row.number, sheetrows.serial_of(row.accepted_at) if row.accepted_at else None, row.applicant,
            row.id_number, row.group, row.service, row.service_name, "；".join(row.items), len(row.items), row.method,
            row.applied_by_text, row.materials_text, row.state_label, _due(row.due_date), "是" if row.overdue else "",
            row.sync_label, row.clerk, row.window, row.township, row.village, row.device,
            "是" if row.changed_after_close else ""]


OWN = 5  # 序号, 受理编号, 受理时间, 申请人, 身份证号: each row's own; the other columns repeat across a year


def _keys(row: ledger.LedgerRow) -> tuple[Any, ...]:
    """For each column after OWN, what decides its cell in `values` (equal keys, equal cells): the field itself,
    or what a derived cell is made from (the items for their joined names and their count, the due date's ISO
    text for its serial). 材料 is keyed by its text only while materials are missing (else always 齐全)."""
    return (row.group, row.service, row.service_name, row.items, row.items, row.method, row.applied_by_text,
            row.materials_complete or row.materials_text, row.state_label, row.due_date, row.overdue, row.sync,
            row.clerk, row.window, row.township, row.village, row.device, row.changed_after_close)


def _case_rows(cells: sheetrows.RowWriter, rows: list[ledger.LedgerRow]) -> Iterator[str]:
    """The case rows' XML: `values` of each row, the repeated columns looked up by `_keys` (values made only for
    a key not seen yet), so that a year's rows skip most of `values`' joins and conversions (issue 16)."""
    serial_of = sheetrows.serial_of
    for r, row in enumerate(rows, start=FIRST_ROW):
        own = (row.serial, row.number, serial_of(row.accepted_at) if row.accepted_at else None, row.applicant,
               row.id_number)
        yield cells.keyed_row(r, own, _keys(row), functools.partial(_repeated, row))


def _repeated(row: ledger.LedgerRow) -> list[Any]:
    return values(row)[OWN:]


@functools.lru_cache(maxsize=4096)
def _due(iso: str | None) -> float | None:
    """A due date as Excel's serial number (a year's cases share a few hundred dates)."""
    return sheetrows.excel_serial(dt.date.fromisoformat(iso)) if iso else None


def title(result: ledger.LedgerResult) -> str:
    f = result.filters
    days = f.date_from.isoformat() + ("" if f.date_from == f.date_to else f" 至 {f.date_to.isoformat()}")
    extra = f"  筛选：{f.describe()}" if f.describe() else ""
    return f"{result.office} 每日受理台账  受理日期：{days}  数据范围：{result.source_label}{extra}"


def write(result: ledger.LedgerResult) -> bytes:
    """The workbook's bytes. XlsxWriter makes the workbook (styles, widths, frozen headings, the totals sheets);
    the case rows go into its XML directly (desktop/ledger/sheetrows.py): through XlsxWriter's per-cell calls a
    year's 50,000 cases took 11–14 s, written as one string per cell about a second (docs/decisions.md)."""
    with ledger.bulk():
        return _write(result)


def _write(result: ledger.LedgerResult) -> bytes:
    import xlsxwriter  # loaded by the export only

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"author": "一件事帮代办工作台", "title": "每日受理台账"})
    styles = _cases_sheet(wb, wb.add_worksheet("台账"), result)  # the first sheet: xl/worksheets/sheet1.xml
    _totals_sheet(wb, wb.add_worksheet("合计"), result)
    _ratings_sheet(wb, wb.add_worksheet("好差评"), result)
    wb.close()
    cells = sheetrows.RowWriter(styles)
    rows = _case_rows(cells, result.rows)
    return sheetrows.add_rows(buffer.getvalue(), "xl/worksheets/sheet1.xml", FIRST_ROW, rows, len(result.rows),
                              len(HEADINGS))


def _cases_sheet(wb, ws, result: ledger.LedgerResult) -> list[int | None]:
    """Title, headings (frozen) and column widths; the style (xf index) of each column's case cells, for
    sheetrows: each typed column's cells carry its number format."""
    formats = [wb.add_format({"num_format": fmt}) if fmt else None for _, _, fmt in HEADINGS]
    for n, (_, width, _) in enumerate(HEADINGS):
        ws.set_column(n, n, width)
    ws.freeze_panes(FIRST_ROW - 1, 0)
    ws.write_string(0, 0, title(result))
    headings = [h for h, _, _ in HEADINGS]
    if result.personal:
        headings[4] = "身份证号"
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    ws.write_row(1, 0, headings, bold)
    # what XlsxWriter does when a cell is written with a format: give it its index in the styles part
    return [f._get_xf_index() if f is not None else None for f in formats]


def _totals_sheet(wb, ws, result: ledger.LedgerResult) -> None:
    t = result.totals
    bold, stamp = wb.add_format({"bold": True}), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, 18)
    lines: list[tuple[Any, ...]] = [(title(result),), ()]
    lines += [(label, value) for label, value in (("受理件数", t.cases), ("超期件数", t.overdue),
                                                  ("未同步件数", t.unsynced), ("需补正件数", t.pending_materials))]
    for heading, pairs in (("按一件事", t.by_service), ("按人群类别", t.by_group), ("按办理方式", t.by_method),
                           ("按状态", t.by_state), ("按申请方式", t.by_applied)):
        lines += [(), (heading, "件数", bold), *pairs]
    lines += [(f"其他设备待上传：{d['device']}", d["pending_reported"]) for d in result.elsewhere_pending]
    lines += [(), ("生成时间", local_time(result.generated_at), None, stamp)]
    for r, (label, value, label_format, value_format) in enumerate(line + (None,) * (4 - len(line)) for line in lines):
        if label is not None:
            ws.write(r, 0, label, label_format)
        if value is not None:
            ws.write(r, 1, value, value_format)


def _ratings_sheet(wb, ws, result: ledger.LedgerResult) -> None:
    """好差评与整改 per clerk and service (rated in the range), numbers as numbers, the rate as a percentage."""
    bold, percent = wb.add_format({"bold": True}), wb.add_format({"num_format": "0.0%"})
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 44)
    ws.set_column(2, len(feedback.TOTALS_HEAD), 11)
    scope = "全办理点" if result.ratings_source == "hub" else "仅本机"
    ws.write_string(0, 0, f"{title(result)}  好差评与整改（评价日期在上述范围内；{scope}）")
    ws.write_row(1, 0, feedback.TOTALS_HEAD, bold)
    names = {n: s.name for n, s in catalog.load().services.items()}
    for r, t in enumerate(result.ratings, start=2):
        ws.write_string(r, 0, t.clerk or "—")
        ws.write_string(r, 1, names.get(t.service, f"一件事 {t.service}"))
        ws.write_row(r, 2, [t.count, *(t.levels[k] for k in feedback.LEVELS)])
        if t.count:
            ws.write_number(r, 3 + len(feedback.LEVELS), t.satisfaction, percent)
        ws.write_row(r, 4 + len(feedback.LEVELS), [t.rectified, t.open, t.overdue])
    if not result.ratings:
        ws.write_string(2, 0, "该日期范围内没有评价。")


def personal_xlsx(store, session, filters: ledger.Filters, *, hub: str = "auto",
                  today: dt.date | None = None) -> tuple[bytes, ledger.LedgerResult]:
    """The ledger with full ID numbers, for a role with export.personal_bulk; the export is audited.

    `session` may be None only on a device that has no accounts yet (it works unauthenticated, docs/roles.md)."""
    from desktop.accounts.staff import Accounts

    accounts = Accounts(store.db)
    if session is not None or accounts.any_users():
        accounts.require(session, "export.personal_bulk")
    result = ledger.query(store, filters, hub=hub, personal=True, today=today)
    data = write(result)
    audit.append(store.db, session.username if session else "", "export.personal_bulk", detail={
        "format": "xlsx", "date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat(),
        "rows": len(result.rows), "source": result.source})
    return data, result
