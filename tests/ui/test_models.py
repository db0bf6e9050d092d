"""Models and counts at scale (issue 16): a row's texts made once, columns sized from a sample, the pending
count worked out off the GUI thread and refreshed after every change."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from desktop.domain.case import Case
from desktop.ui import models
from desktop.ui.home import case_table
from desktop.ui.models import CaseTableModel
from tests.ui.test_desk import accepted_case


def _rows(count: int) -> list[dict]:
    due = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    return [{"uuid": f"u{n}", "number": f"439901-W03-20261201-{n:04d}", "service": 3, "state": "accepted",
             "due_date": due, "applicant_name": "欧阳䶮𠈌", "id_number": "430124199001011236", "clerk": "李晓兰"}
            for n in range(count)]


def test_a_row_is_worked_out_once_however_often_the_view_asks(qtbot, store, monkeypatch):
    made: list[str] = []
    texts_of = CaseTableModel._texts_of
    monkeypatch.setattr(CaseTableModel, "_texts_of", lambda self, row: made.append(row["uuid"]) or texts_of(self, row))
    model = CaseTableModel(store.catalog)
    view = case_table(model)
    qtbot.addWidget(view)
    view.resize(1000, 400)
    model.set_rows(_rows(5000))
    view.show()
    qtbot.waitExposed(view)
    for _ in range(3):
        view.viewport().repaint()
    assert len(made) == len(set(made)), "no row's texts made twice"
    assert len(made) <= models.SAMPLE_ROWS + 50, "only the sampled and the visible rows are worked out"
    assert model.index(0, 2).data() == "430124********1236"
    assert model.index(0, 5).data().endswith(" 超期")
    assert model.index(0, 5).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, 4).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_home_tables_are_sized_from_the_rows_in_view(qtbot, store, monkeypatch):
    """The search is redone at every typing pause: its columns are measured on the rows a clerk sees, not on all
    fifty (each measured cell is laid out on the GUI thread; issue 16)."""
    made: list[str] = []
    texts_of = CaseTableModel._texts_of
    monkeypatch.setattr(CaseTableModel, "_texts_of", lambda self, row: made.append(row["uuid"]) or texts_of(self, row))
    model = CaseTableModel(store.catalog)
    view = case_table(model)
    qtbot.addWidget(view)
    view.resize(1000, 300)
    view.show()
    qtbot.waitExposed(view)
    model.set_rows(_rows(50))
    qtbot.waitUntil(lambda: view.columnWidth(2) > 100)  # the columns are sized after the reset, from the event loop
    view.viewport().repaint()
    in_view = view.rowAt(view.viewport().height() - 1) + 1 or model.rowCount()
    assert in_view < 20 and len(made) <= in_view + 1, (in_view, len(made))
    assert view.columnWidth(2) >= view.fontMetrics().horizontalAdvance("430124********1236")


def test_the_ledger_table_is_sized_from_a_sample(qtbot, store):
    view = QTableView()
    models.sized_by_sample(view)
    assert view.horizontalHeader().resizeContentsPrecision() == models.SAMPLE_ROWS


def test_the_pending_count_arrives_from_the_background_and_follows_each_change(qtbot, store, main_window, catalog):
    accepted_case(store, 3, "单德发")
    window = main_window()
    if window.pending.value is None:
        with qtbot.wait_signal(window.pending.changed, timeout=10000):
            pass
    assert window.pending.value == 1 and "待上传 1 件" in window.status.text()
    with qtbot.wait_signal(window.pending.changed, timeout=10000):
        accepted_case(store, 13, "曾小红")
    assert "待上传 2 件" in window.status.text()
    store.save_draft(Case(service=3))  # a draft is not sent: the count stays
    qtbot.wait_until(lambda: not window.pending._running)
    assert window.pending.value == 2
