"""The ledger's case rows written into the XlsxWriter-made sheet (desktop/ledger/sheetrows.py), read back with
openpyxl: awkward text intact, dates and numbers typed, styles on, the sheet's dimension covering the rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import pytest
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


def _by_values(cells: sheetrows.RowWriter, rows: list[ledger.LedgerRow]):
    """The case rows as before keyed_row: every cell from `values` of its LedgerRow."""
    return (cells.row(r, ledger_xlsx.values(row)) for r, row in enumerate(rows, start=ledger_xlsx.FIRST_ROW))


def test_keyed_rows_write_the_same_cells_as_the_ledger_rows_values(month, monkeypatch):
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    odd = [{"applicant": " 张&<三> ", "changed_after_close": True, "device": "LAPTOP-07"},
           {"items": (), "due_date": None, "sync": "conflict", "number": ""},
           {"applied_by": "proxy", "proxy_name": "罗德明", "proxy_kind": "村级代办员", "overdue": True},
           {"materials_complete": False, "missing": 2, "missing_names": ("户口簿", "残疾证"),
            "received": (("身份证", "原件", 1),), "applicant": "", "accepted_at": ""}]
    rows = [dataclasses.replace(r, **odd[n % len(odd)]) if n < 2 * len(odd) else r for n, r in enumerate(result.rows)]
    result = dataclasses.replace(result, rows=rows)
    assert {r.state for r in rows} >= {"accepted", "completed"} and any(not r.materials_complete for r in rows[8:])

    def sheet(data: bytes) -> tuple[bytes, list[tuple]]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("xl/worksheets/sheet1.xml")
        ws = load_workbook(io.BytesIO(data))["台账"]
        return xml, [tuple((c.value, c.data_type, c.number_format) for c in row) for row in ws.iter_rows()]

    keyed = sheet(ledger_xlsx.write(result))
    monkeypatch.setattr(ledger_xlsx, "_case_rows", _by_values)
    before = sheet(ledger_xlsx.write(result))
    assert keyed[1] == before[1] and len(keyed[1]) == 2 + len(rows)  # the same values, types and formats
    assert keyed[0] == before[0]  # and the same XML, byte for byte


def test_a_keyed_row_is_the_row_of_its_values_and_makes_them_only_for_new_keys():
    cells, made = sheetrows.RowWriter([None, 7, None, 3]), []

    def make(values):
        return lambda: made.append(values) or values

    assert cells.keyed_row(5, [1, "x&y"], ("a", 2), make(["A", 2.5])) == sheetrows.RowWriter(
        [None, 7, None, 3]).row(5, [1, "x&y", "A", 2.5])
    assert cells.keyed_row(6, [2, ""], ("a", 2), make(["never", "made"])) == (
        '<row r="6"><c r="A6"><v>2</v></c><c r="B6" s="7"/><c r="C6" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="D6" s="3"><v>2.5</v></c></row>')
    assert made == [["A", 2.5]]
    plain = sheetrows.RowWriter([None, 7, None, 3])
    for own in ([12345678901234567, "张三"], [2.5, " a "], [None, "a\x01b"], [True, "x<y"], [1 / 3, "0012"]):
        assert cells.keyed_row(8, own, ("a", 2), make(["A", 2.5])) == plain.row(8, [*own, "A", 2.5])
    with pytest.raises(ValueError):
        cells.keyed_row(7, [1], ("a", 2), make(["A", 2.5]))
