"""The XLSX export read back with openpyxl: same rows, Chinese intact, dates as dates; the audited personal export."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from desktop.accounts.staff import Accounts, PermissionDeniedError
from desktop.intake.demo import DEMO_PASSWORD
from desktop.ledger import query as ledger, xlsx as ledger_xlsx
from desktop.storage import audit
from tests import ledgerdata
from tests.ledgerdata import END, START, TODAY

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures


def read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_the_workbook_has_the_same_rows_with_dates_as_dates(month):
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    wb = read(ledger_xlsx.write(result))
    ws = wb["台账"]
    assert "演示县政务服务中心 每日受理台账" in ws["A1"].value and "仅本机" in ws["A1"].value
    assert [c.value for c in ws[2]] == [h for h, _, _ in ledger_xlsx.HEADINGS]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(result.rows)
    for got, row in zip(rows, result.rows, strict=True):
        values = dict(zip([h for h, _, _ in ledger_xlsx.HEADINGS], got, strict=True))
        assert values["受理编号"] == row.number and values["申请人"] == row.applicant
        assert values["身份证号（脱敏）"] == row.id_number and "*" in row.id_number
        assert values["一件事"] == row.service_name and values["事项"] == "；".join(row.items)
        assert values["状态"] == row.state_label and values["申请方式"] == row.applied_by_text
        assert isinstance(values["受理时间"], dt.datetime)
        assert values["受理时间"] == dt.datetime.fromisoformat(row.accepted_at).replace(tzinfo=None)
        if row.due_date:
            assert isinstance(values["预计办结日期"], dt.datetime)  # Excel keeps dates as date-times
            assert values["预计办结日期"].date().isoformat() == row.due_date
        assert values["经办人"] == row.clerk and values["超期"] == ("是" if row.overdue else None)
    assert ws.cell(3, 3).number_format == "yyyy-mm-dd hh:mm" and ws.cell(3, 15).number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A3"


def test_the_totals_sheet_matches_the_totals(month):
    result = ledger.query(month, ledger.Filters(START, END), today=dt.date(2027, 1, 15))
    ws = read(ledger_xlsx.write(result))["合计"]
    cells = {row[0]: row[1] for row in ws.iter_rows(min_row=3, values_only=True) if row and row[0]}
    t = result.totals
    assert (cells["受理件数"], cells["超期件数"], cells["未同步件数"]) == (t.cases, t.overdue, t.unsynced)
    for label, count in (*t.by_service, *t.by_group, *t.by_method, *t.by_state):
        assert cells[label] == count
    assert isinstance(cells["生成时间"], dt.datetime)


def test_full_id_numbers_need_the_permission_and_the_export_is_audited(month):
    accounts = Accounts(month.db)
    filters = ledger.Filters(START, START)
    clerk = accounts.login("lixiaolan", DEMO_PASSWORD)
    with pytest.raises(PermissionDeniedError):
        ledger_xlsx.personal_xlsx(month, clerk, filters, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        ledger_xlsx.personal_xlsx(month, None, filters, today=TODAY)
    before = month.db.execute("SELECT max(id) FROM audit").fetchone()[0]
    supervisor = accounts.login("zhangli", DEMO_PASSWORD)
    data, result = ledger_xlsx.personal_xlsx(month, supervisor, filters, today=TODAY)
    ws = read(data)["台账"]
    full = {month.load(r.uuid).applicant.id_number for r in result.rows}
    assert ws.cell(2, 5).value == "身份证号" and {row[4] for row in ws.iter_rows(min_row=3, values_only=True)} == full
    entries = [e for e in audit.export(month.db, since_id=before) if e["action"] == "export.personal_bulk"]
    assert len(entries) == 1 and entries[0]["username"] == "zhangli"
    assert entries[0]["detail"] == {"format": "xlsx", "date_from": "2026-11-02", "date_to": "2026-11-02",
                                    "rows": len(result.rows), "source": "local"}
    assert not any(number in json.dumps(entries, ensure_ascii=False) for number in full)
    assert audit.verify(month.db) is None
    masked = read(ledger_xlsx.write(ledger.query(month, filters, today=TODAY)))["台账"]
    assert not {row[4] for row in masked.iter_rows(min_row=3, values_only=True)} & full


def test_the_xlsx_export_does_not_load_the_pdf_library():
    """The XLSX path needs the ratings headings, not reportlab (≈0.2 s of a CLI export, issue 16)."""
    code = "import sys, desktop.ledger.xlsx; print(sorted(m for m in sys.modules if m.startswith('reportlab')))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
