"""The ledger screen as a supervisor uses it: query a day, see totals and overdue, export, preview, close."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from desktop.accounts.roles import Session
from desktop.ledger import close as ledger_close
from desktop.storage import audit
from desktop.ui.ledgerpage import LedgerPage
from tests import ledgerdata

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures: the generated month the core tests use
SUPERVISOR = Session("zhangli", "张丽", "supervisor")
DAY = dt.date(2026, 11, 18)


def page_for(qtbot, store, session=SUPERVISOR) -> LedgerPage:
    page = LedgerPage(store, session)
    qtbot.addWidget(page)
    return page


def query(qtbot, page: LedgerPage, day_from: dt.date, day_to: dt.date) -> None:
    page.date_from.setDate(QDate(day_from.year, day_from.month, day_from.day))
    page.date_to.setDate(QDate(day_to.year, day_to.month, day_to.day))
    page.run_query()
    qtbot.waitUntil(lambda: page.result is not None and page.result.filters.date_from == day_from, timeout=20_000)


def test_supervisor_queries_exports_previews_and_closes_a_day(qtbot, month, tmp_path, monkeypatch, qtmodeltester):
    page = page_for(qtbot, month)
    query(qtbot, page, DAY, DAY)
    rows = page.result.rows
    assert page.model.rowCount() == len(rows) > 0 and "仅本机" in page.source.text()
    assert f"共 {len(rows)} 件" in page.totals.text() and "超期" in page.totals.text()
    assert all("********" in page.model.index(r, 4).data() for r in range(page.model.rowCount()))
    qtmodeltester.check(page.model)
    query(qtbot, page, dt.date(2026, 11, 2), dt.date(2026, 11, 27))
    assert page.result.totals.overdue > 0, "a month holds overdue cases, shown in red"

    out = tmp_path / "台账.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page.export_xlsx()
    qtbot.waitUntil(out.exists, timeout=20_000)
    sheet = load_workbook(out).worksheets[0]
    assert sheet.max_row >= len(page.result.rows) + 1
    assert audit.export(month.db)[-1]["action"] == "ledger.export"

    shown = []
    monkeypatch.setattr("desktop.ui.printing.PdfPreview.exec", lambda self: shown.append(self.doc.pageCount()))
    page.preview()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert shown[0] >= 1 and audit.export(month.db)[-1]["action"] == "ledger.print"

    query(qtbot, page, DAY, DAY)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.close_day()
    qtbot.waitUntil(lambda: "已日结" in page.message.text(), timeout=30_000)
    (closure,) = ledger_close.closures(month, DAY, DAY)
    assert closure.revision == 1 and closure.closed_by == "zhangli"


@pytest.mark.parametrize(("session", "buttons"), [
    (Session("lixiaolan", "李晓兰", "clerk"), ["打印预览…"]),
    (SUPERVISOR, ["打印预览…", "导出Excel…", "导出含完整身份证号…", "日结（按开始日期）…"]),
])
def test_the_buttons_follow_the_role(qtbot, month, session, buttons):
    page = page_for(qtbot, month, session)
    assert [b.text() for b in page.findChildren(QPushButton) if b.text() != "查询"] == buttons


def test_a_reversed_date_range_is_named(qtbot, month):
    page = page_for(qtbot, month)
    page.date_from.setDate(QDate(2026, 11, 20))
    page.date_to.setDate(QDate(2026, 11, 10))
    page.run_query()
    qtbot.waitUntil(lambda: "结束日期" in page.message.text(), timeout=10_000)


def test_a_case_in_supplement_shows_what_was_received_elided_with_the_whole_as_tooltip(qtbot, month):
    from PySide6.QtCore import Qt

    page = page_for(qtbot, month)
    query(qtbot, page, dt.date(2026, 11, 2), dt.date(2026, 11, 27))
    n = next(i for i, r in enumerate(page.result.rows) if not r.materials_complete)
    cell = page.model.index(n, 8)
    assert cell.data().startswith("补正，已收：") and "；尚缺：" in cell.data()
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == page.result.rows[n].materials_text
    assert page.table.columnWidth(8) < page.table.fontMetrics().horizontalAdvance(cell.data())  # elided, not a wall


def test_the_ledger_screen_shows_the_days_ratings_and_rectifications(qtbot, store, tmp_path):
    import random

    from desktop.storage import feedback
    from tests.hub.deskside import new_case

    for seed, level in ((1, "very_satisfied"), (2, "dissatisfied"), (3, "satisfied")):
        feedback.rate(store, new_case(store, random.Random(seed), service=3), level,
                      reasons=["waiting"] if level == "dissatisfied" else [])
    page = page_for(qtbot, store)
    page.resize(1366, 768)
    today = dt.date.today()
    query(qtbot, page, today, today)
    text = page.rated.text()
    assert "评价 3 条" in text and "满意率 66.7%" in text and "差评 1 条" in text and "待整改 1（超期 0）" in text
    assert "测试 评价 3 差评 1 待整改 1" in text  # per clerk (new_case accepts as 测试)
    page.grab().save(str(tmp_path / "ledger-ratings.png"))
    query(qtbot, page, today - dt.timedelta(days=5), today - dt.timedelta(days=5))
    assert "没有评价" in page.rated.text()


def test_opening_the_page_leaves_the_ledger_query_to_the_first_query(tmp_path):
    """The page's first opening is a switch of screens (≤ 100 ms of the GUI thread at 100k cases, issue 16): the
    query module and its row types load with the first query, in the background, not with the page."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom pathlib import Path\nfrom desktop.ui.app import make_app\nmake_app([], bundled_fonts=False)\n"
            "from desktop.storage.store import Store\nfrom desktop.accounts.roles import Session\n"
            "from desktop.ui.ledgerpage import LedgerPage\n"
            "page = LedgerPage(Store.open(Path(sys.argv[1])), Session('zhangli', '张丽', 'supervisor'))\n"
            "page.show()\nprint('desktop.ledger.query' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          encoding="utf-8", env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout.strip() == "False", proc.stderr[-2000:]


def test_the_desk_prepares_the_ledger_page_after_start_for_those_who_may_open_it(qtbot, store, main_window):
    """Its widgets took the GUI thread > 100 ms at the first opening (issue 16): built once, just after the home
    screen's first paint (not on a timer seconds later, nor before the paint), the opening is a switch; a role
    without the ledger (the village agent) gets no page built."""
    from PySide6.QtCore import QEvent, QObject

    window = main_window(SUPERVISOR)
    built_at_paint = []

    class Paints(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and watched is window.home and not built_at_paint:
                built_at_paint.append(getattr(window, "_ledger", None) is not None)
            return False

    paints = Paints(window)
    window.home.installEventFilter(paints)
    window.show()
    qtbot.waitUntil(lambda: getattr(window, "_ledger", None) is not None, timeout=3000)  # a 4 s timer did it before
    assert built_at_paint == [False]  # home painted first
    prepared = window._ledger
    window.open_ledger()
    assert window.stack.currentWidget() is prepared  # the same page, not a second one
    from tests.ui.test_area_search import AGENT

    agent = main_window(AGENT)
    agent.show()
    agent._prepare_ledger()  # as its timer does
    assert getattr(agent, "_ledger", None) is None
