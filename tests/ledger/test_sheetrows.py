"""The ledger's case rows written into the XlsxWriter-made sheet (desktop/ledger/sheetrows.py), read back with
openpyxl: awkward text intact, dates and numbers typed, styles on, the sheet's dimension covering the rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel

from desktop.ledger import query as ledger, sheetrows, xlsx as ledger_xlsx
from tests import ledgerdata
from tests.ledgerdata import END, START, TODAY

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures

AWKWARD = [" 张&<三> ", "䶮𠈌", "=1+1", "0012"]


def test_awkward_text_dates_and_styles_survive_the_round_trip(month):
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    rows = [dataclasses.replace(r, applicant=name, due_date=None if n == 1 else r.due_date)
            for n, (r, name) in enumerate(zip(result.rows, AWKWARD, strict=False))]
    result = dataclasses.replace(result, rows=rows)
    ws = load_workbook(io.BytesIO(ledger_xlsx.write(result)))["台账"]
    got = list(ws.iter_rows(min_row=3, values_only=True))
    assert [g[3] for g in got] == AWKWARD  # escaped, spaces kept, no formula, no number
    assert ws.max_row == 2 + len(rows) and ws.max_column == len(ledger_xlsx.HEADINGS)
    assert ws.calculate_dimension() == f"A1:W{2 + len(rows)}"
    first = rows[0]
    assert got[0][0] == 1 and got[0][1] == first.number and got[0][9] == len(first.items)
    assert got[0][2] == dt.datetime.fromisoformat(first.accepted_at).replace(tzinfo=None)
    assert got[1][14] is None and ws.cell(4, 15).number_format == "yyyy-mm-dd"  # an empty date keeps its format
    assert ws.cell(3, 5).number_format == "@" and ws.cell(3, 3).number_format == "yyyy-mm-dd hh:mm"
    assert ws.freeze_panes == "A3" and ws["A1"].value.startswith("演示县政务服务中心")


def test_serials_match_openpyxls():
    for value in (dt.datetime(2026, 11, 2, 9, 41, 7), dt.datetime(1900, 3, 1), dt.date(2027, 1, 15)):
        assert sheetrows.excel_serial(value) == to_excel(value)
    for iso in ("2026-11-02T09:41:07+08:00", "2026-11-02T23:59:59.999999-05:00", "1900-03-01T00:00:00"):
        wall = dt.datetime.fromisoformat(iso).replace(tzinfo=None)  # the time as recorded, without its zone
        assert sheetrows.serial_of(iso) == sheetrows.excel_serial(wall) == to_excel(wall)


def test_a_row_writes_empty_cells_bare_and_escapes_what_xml_cannot_hold():
    cells = sheetrows.RowWriter([None, 7, None, None])
    values = ["", None, "x&y", "a\x01b_x0041_c"]
    expected = ('<c r="A{n}"/><c r="B{n}" s="7"/><c r="C{n}" t="inlineStr"><is><t>x&amp;y</t></is></c>'
                '<c r="D{n}" t="inlineStr"><is><t>a_x0001_b_x005F_x0041_c</t></is></c>')  # as Excel escapes them
    assert cells.row(5, values) == f'<row r="5">{expected.format(n=5)}</row>'
    assert cells.row(12, values) == f'<row r="12">{expected.format(n=12)}</row>'  # the same cells, seen before
    assert cells.row(13, [7, 2.5, None, " a "]) == (
        '<row r="13"><c r="A13"><v>7</v></c><c r="B13" s="7"><v>2.5</v></c><c r="C13"/>'
        '<c r="D13" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c></row>')
