"""回访与整改: the return visits due (overdue in red, like overdue cases) and, for the supervisor, the 差评 to
rectify; the outcome of a call or a 整改 recorded here (desktop/storage/feedback.py)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.accounts import roles
from desktop.domain import feedback as words
from desktop.domain.errors import DeskError
from desktop.storage import feedback
from desktop.storage.store import Store
from desktop.ui.hints import hint_label, set_hint

OVERDUE = QColor("#b3261e")
VISIT_COLUMNS = ("回访期限", "受理编号", "一件事", "申请人", "回访类型", "未接通", "受理人", "状态")
SHOWN = 500  # the most urgent first; a table of thousands of rows would hold up the GUI thread
RECTIFY_COLUMNS = ("整改期限", "受理编号", "一件事", "申请人", "评价", "评价时间", "受理人", "状态")


class FollowUpPage(QWidget):
    """The two lists; `case_chosen(uuid)` on a double click (the phone number is revealed in the case view)."""

    case_chosen = Signal(str)

    def __init__(self, store: Store, session: roles.Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.session = store, session
        self.visits_table, self.rectify_table = _table(VISIT_COLUMNS), _table(RECTIFY_COLUMNS)
        self.visits: list[dict] = []
        self.rectifications: list[dict] = []
        layout = QVBoxLayout(self)
        self.visits_title = QLabel()
        self.visits_title.setProperty("role", "title")
        layout.addWidget(self.visits_title)
        layout.addWidget(self.visits_table, 3)
        self.visit_button = QPushButton("记录回访结果…")
        self.visit_button.clicked.connect(self._on_visit)
        layout.addLayout(_row(self.visit_button))
        self.rectify_title = QLabel()
        self.rectify_title.setProperty("role", "title")
        self.rectify_button = QPushButton("登记整改情况…")
        self.rectify_button.clicked.connect(self._on_rectify)
        may_rectify = roles.can(session, "case.rectify")
        for widget in (self.rectify_title, self.rectify_table):
            layout.addWidget(widget, 2 if widget is self.rectify_table else 0)
            widget.setVisible(may_rectify)
        layout.addLayout(_row(self.rectify_button))
        self.rectify_button.setVisible(may_rectify)
        for table, rows in ((self.visits_table, "visits"), (self.rectify_table, "rectifications")):
            table.cellDoubleClicked.connect(lambda r, _c, n=rows: self.case_chosen.emit(getattr(self, n)[r]["case_uuid"]))

    def reload(self, today: dt.date | None = None) -> None:
        area = self.session.area if self.session.role in roles.AREA_LIMITED else None
        where = (area.township, area.villages) if area else None
        self.visits = feedback.due_visits(self.store, today, limit=SHOWN, area=where)
        self.visits_title.setText(_title("待回访", *feedback.visit_counts(self.store, today, area=where)))
        self.rectifications = feedback.open_rectifications(self.store, today) if roles.can(self.session, "case.rectify") else []
        self.rectify_title.setText(_title("差评待整改", len(self.rectifications),
                                          sum(r["overdue"] for r in self.rectifications)))
        self.rectifications = self.rectifications[:SHOWN]
        _fill(self.visits_table, [self._visit_cells(r) for r in self.visits], self.visits)
        _fill(self.rectify_table, [self._rectify_cells(r) for r in self.rectifications], self.rectifications)

    def _service(self, number: int) -> str:
        return self.store.catalog.service(number).name

    def _visit_cells(self, r: dict) -> list[str]:
        return [r["due_date"], r["number"], self._service(r["service"]), r["applicant_name"],
                words.VISIT_REASONS[r["reason"]], str(r["tries"] or ""), r["clerk"], "超期" if r["overdue"] else "待回访"]

    def _rectify_cells(self, r: dict) -> list[str]:
        return [r["rectify_due"], r["number"], self._service(r["service"]), r["applicant_name"],
                words.LEVELS[r["level"]], r["rated_at"][:16].replace("T", " "), r["clerk"],
                "超期" if r["overdue"] else "待整改"]

    def _chosen(self, table: QTableWidget, rows: list[dict], what: str) -> dict | None:
        index = table.currentRow()
        if 0 <= index < len(rows):
            return rows[index]
        QMessageBox.information(self, what, "请先在列表中选中一件。")
        return None

    def _on_visit(self) -> None:
        row = self._chosen(self.visits_table, self.visits, "回访")
        if row is None:
            return
        dialog = VisitDialog(row, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._save("回访", lambda: feedback.record_visit(self.store, row["case_uuid"], row["reason"],
                                                       actor=self.session.username, **dialog.outcome()))

    def _on_rectify(self) -> None:
        row = self._chosen(self.rectify_table, self.rectifications, "整改")
        if row is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "登记整改情况", "核实情况和整改措施（将反馈给评价人）：")
        if ok:
            self._save("整改", lambda: feedback.rectify(self.store, row["case_uuid"], row["seq"], text,
                                                       actor=self.session.username))

    def _save(self, what: str, write) -> None:
        try:
            write()
        except DeskError as exc:
            QMessageBox.warning(self, what, exc.message)
        self.reload()


class VisitDialog(QDialog):
    """One call's outcome: reached or not; if reached, satisfied or not; a note."""

    def __init__(self, row: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"回访：{row['number']}")
        self.reached, self.not_reached = QRadioButton("已联系上"), QRadioButton("未联系上（稍后再打）")
        self.satisfied, self.unsatisfied = QRadioButton("满意"), QRadioButton("不满意")
        self.notes = QLineEdit()
        self.notes.setMaxLength(words.NOTE_LIMIT)
        form = QFormLayout(self)
        for label, pair in (("联系结果", (self.reached, self.not_reached)), ("群众意见", (self.satisfied, self.unsatisfied))):
            group = QButtonGroup(self)
            line = QHBoxLayout()
            for button in pair:
                group.addButton(button)
                line.addWidget(button)
            form.addRow(label, line)
        form.addRow("回访记录", self.notes)
        self.not_reached.toggled.connect(lambda on: [b.setEnabled(not on) for b in (self.satisfied, self.unsatisfied)])
        self.error = hint_label(error=True)
        self.error.setVisible(False)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def accept(self) -> None:
        """OK only once the call's outcome is chosen: the dialog stays open, naming what is missing, notes kept."""
        missing = (("联系结果：请选择已联系上或未联系上", self.reached)
                   if not (self.reached.isChecked() or self.not_reached.isChecked())
                   else ("群众意见：联系上了，请选择满意或不满意", self.satisfied)
                   if self.reached.isChecked() and not (self.satisfied.isChecked() or self.unsatisfied.isChecked())
                   else None)
        if missing is None:
            super().accept()
            return
        set_hint(self.error, missing[0], error=True)
        self.error.setVisible(True)
        missing[1].setFocus()

    def outcome(self) -> dict:
        reached = self.reached.isChecked()
        satisfied = (True if self.satisfied.isChecked() else False if self.unsatisfied.isChecked() else None)
        return {"reached": reached, "satisfied": satisfied if reached else None, "notes": self.notes.text()}


def _title(what: str, count: int, late: int) -> str:
    return (f"{what} {count} 件" + (f"，其中超期 {late} 件" if late else "")
            + (f"（列出最紧急的 {SHOWN} 件）" if count > SHOWN else ""))


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, cells: list[list[str]], rows: list[dict]) -> None:
    table.setRowCount(len(cells))
    for r, (values, row) in enumerate(zip(cells, rows, strict=True)):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if row["overdue"]:
                item.setForeground(OVERDUE)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _row(button: QPushButton) -> QHBoxLayout:
    line = QHBoxLayout()
    line.addWidget(button)
    line.addStretch(1)
    return line

