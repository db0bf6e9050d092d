"""The supervisor's ledger (每日受理台账): filters, the table, totals, print preview, XLSX export, day close.

Queries may ask the county hub and PDFs of thousands of rows take seconds, so both run on a worker with
their own connection (desktop/ui/worker.py); the window only shows the results.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.accounts import roles
from desktop.domain.case import STATES
from desktop.storage import audit, settings
from desktop.storage.store import Store
from desktop.ui import worker
from desktop.ui.models import sized_by_sample
from desktop.ui.pagebase import hint_label, set_hint

if TYPE_CHECKING:  # the ledger's query (its row types) loads at the first query, not with the page (issue 16)
    from desktop.ledger import query as ledger

Index = QModelIndex | QPersistentModelIndex
OVERDUE = QBrush(QColor("#b00020"))
SERVICE_WIDTH = 300
MATERIALS_WIDTH = 220  # 补正 lists what was received and what is missing: elided, in full as the tooltip
ELIDED = (5, 8)  # the service name and the materials
ANSWERED = frozenset((Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole))
COLUMNS = (("序号", "serial"), ("受理编号", "number"), ("受理时间", "accepted_at"), ("申请人", "applicant"),
           ("身份证号", "id_number"), ("一件事", "service_name"), ("办理方式", "method"),
           ("申请方式", "applied_by_text"), ("材料", "materials_text"), ("状态", "state_label"),
           ("办结期限", "due_date"), ("超期", "overdue"), ("同步", "sync_label"), ("经办人", "clerk"),
           ("窗口/设备", "window"))


class LedgerModel(QAbstractTableModel):
    """Ledger rows (desktop.ledger.query.LedgerRow); ID numbers arrive masked; overdue rows in red.

    A year's ledger is 50,000 rows: each row's texts are made once, when first shown, and kept."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[ledger.LedgerRow] = []
        self._texts: list[tuple[str, ...] | None] = []

    def set_rows(self, rows: list[ledger.LedgerRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._texts = [None] * len(self.rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in ANSWERED or not index.isValid() or not 0 <= (n := index.row()) < len(self.rows):
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return OVERDUE if self.rows[n].overdue else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() not in ELIDED:
            return None
        texts = self._texts[n]
        if texts is None:
            texts = self._texts[n] = tuple(cell(self.rows[n], c) for c in range(len(COLUMNS)))
        return texts[index.column()]


def cell(row: ledger.LedgerRow, column: int) -> str:
    value = getattr(row, COLUMNS[column][1])
    if isinstance(value, bool):
        return "超期" if value else ""
    return (value or "—")[:16].replace("T", " ") if column == 2 else str(value or "")


def rated_text(result: ledger.LedgerResult) -> str:
    """好差评 and 整改 in one line: the range's totals, then each clerk's (the PDF and XLSX have each service)."""
    rs = result.ratings
    if not rs:
        return "好差评：该日期范围内没有评价"
    count, bad = sum(r.count for r in rs), sum(r.bad for r in rs)
    by_clerk: dict[str, list[int]] = {}
    for r in rs:
        entry = by_clerk.setdefault(r.clerk or "—", [0, 0, 0])
        entry[0], entry[1], entry[2] = entry[0] + r.count, entry[1] + r.bad, entry[2] + r.open
    clerks = "；".join(f"{c} 评价 {n} 差评 {b} 待整改 {o}" for c, (n, b, o) in by_clerk.items())
    return (f"好差评（{'全办理点' if result.ratings_source == 'hub' else '仅本机'}）：评价 {count} 条，"
            f"满意率 {(count - bad) / count:.1%}，差评 {bad} 条，已整改 {sum(r.rectified for r in rs)}，"
            f"待整改 {sum(r.open for r in rs)}（超期 {sum(r.overdue for r in rs)}）　按经办人：{clerks}")


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class LedgerPage(QWidget):
    """Ledger for a date range; what a person may do here follows their role (roles.md)."""

    def __init__(self, store: Store, session: roles.Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.session = store, session
        self.result: ledger.LedgerResult | None = None
        title = QLabel("每日受理台账")
        title.setProperty("role", "title")
        self.model = LedgerModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the service name gets a fixed share the clerk can drag wider: stretched, it shrank to one character
        # whenever the other columns filled 1366 px (the table scrolls sideways then)
        for column, width in ((5, SERVICE_WIDTH), (8, MATERIALS_WIDTH)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        sized_by_sample(self.table)
        self.source = hint_label()
        self.totals = hint_label()
        self.rated = hint_label()
        self.message = hint_label()
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(self._filters())
        layout.addWidget(self.source)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.rated)
        layout.addLayout(self._actions())
        layout.addWidget(self.message)

    def _filters(self) -> QGridLayout:
        today = dt.date.today()
        self.date_from, self.date_to = QDateEdit(qdate(today - dt.timedelta(days=1))), QDateEdit(qdate(today))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.window_code, self.clerk = QLineEdit(), QLineEdit()
        self.window_code.setPlaceholderText("全部")
        self.clerk.setPlaceholderText("全部（姓名）")
        self.township = QComboBox()
        self.township.addItems(["", *(t["name"] for t in settings.get(self.store.db, "townships") or [])])
        self.service = QComboBox()
        # sized for 24 characters, not by measuring every long service name at each layout (issue 16)
        self.service.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.service.setMinimumContentsLength(24)
        services = list(self.store.catalog.services.values())
        self.service.addItems(["全部", *(f"{s.number}. {s.name}" for s in services)])  # one insertion, not 30
        for n, s in enumerate(services, start=1):
            self.service.setItemData(n, s.number)
        self.state = QComboBox()
        self.state.addItem("全部", "")
        for key, label in STATES.items():
            if key != "draft":
                self.state.addItem(label, key)
        self.overdue_only = QCheckBox("只看超期")
        query = QPushButton("查询")
        query.setDefault(True)
        query.clicked.connect(self.run_query)
        grid = QGridLayout()
        cells = (("受理日期", self.date_from), ("至", self.date_to), ("窗口/设备", self.window_code),
                 ("经办人", self.clerk), ("乡镇", self.township), ("一件事", self.service), ("状态", self.state))
        for n, (label, widget) in enumerate(cells):
            grid.addWidget(QLabel(label), n // 4, (n % 4) * 2)
            grid.addWidget(widget, n // 4, (n % 4) * 2 + 1)
        grid.addWidget(self.overdue_only, 1, 6)
        grid.addWidget(query, 1, 7)
        return grid

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, slot, permission in (("打印预览…", self.preview, "ledger.view"),
                                       ("导出Excel…", self.export_xlsx, "ledger.export"),
                                       ("导出含完整身份证号…", self.export_personal, "export.personal_bulk"),
                                       ("日结（按开始日期）…", self.close_day, "day.close")):
            if roles.can(self.session, permission):
                button = QPushButton(text)
                button.clicked.connect(slot)
                row.addWidget(button)
        row.addStretch(1)
        return row

    def filters(self) -> ledger.Filters:
        from desktop.ledger import query as ledger

        return ledger.Filters(
            self.date_from.date().toPython(), self.date_to.date().toPython(), window=self.window_code.text().strip(),
            clerk=self.clerk.text().strip(), township=self.township.currentText().strip(),
            service=self.service.currentData(), state=self.state.currentData() or "",
            overdue_only=self.overdue_only.isChecked())

    # background work

    def _in_background(self, job, done, busy: str) -> None:
        set_hint(self.message, busy, error=False)
        def finished(result: Any, error: BaseException | None) -> None:
            if error is not None:
                set_hint(self.message, worker.known(error), error=True)
                return
            set_hint(self.message, "", error=False)
            done(result)

        worker.run_on_store(self.store.data_dir, self.store.catalog, job, finished)

    def run_query(self) -> None:
        from desktop.ledger import query as ledger

        filters = self.filters()
        self._in_background(lambda store: ledger.query(store, filters), self._show, "正在查询台账…")

    def _show(self, result: ledger.LedgerResult) -> None:
        self.result = result
        self.model.set_rows(result.rows)
        set_hint(self.source, f"范围：{result.source_label}" + (f"　⚠ {result.warning}" if result.warning else ""),
                 error=bool(result.warning))
        t = result.totals
        states = "、".join(f"{label} {n}" for label, n in t.by_state)
        set_hint(self.totals, f"共 {t.cases} 件（{states}）　超期 {t.overdue} 件　待上传 {t.unsynced} 件　"
                 f"补正中 {t.pending_materials} 件", error=bool(t.overdue))
        set_hint(self.rated, rated_text(result), error=any(r.overdue for r in result.ratings))

    def _need_result(self) -> ledger.LedgerResult | None:
        if self.result is None:
            set_hint(self.message, "请先查询", error=True)
        return self.result

    def preview(self) -> None:
        result = self._need_result()
        if result is None:
            return

        def shown(pdf: bytes) -> None:
            from desktop.ui.printing import PdfPreview

            audit.append(self.store.db, self.session.username, "ledger.print",
                         detail={"from": str(result.filters.date_from), "to": str(result.filters.date_to)})
            PdfPreview(pdf, f"每日受理台账 {result.filters.date_from}～{result.filters.date_to}", self).exec()

        from desktop.ledger import query as ledger

        self._in_background(lambda store: ledger.render_pdf(result), shown, "正在生成台账PDF…")

    def export_xlsx(self) -> None:
        result = self._need_result()
        if result is None:
            return
        path = self._ask_path(f"每日受理台账-{result.filters.date_from}-{result.filters.date_to}.xlsx")
        if path is not None:
            from desktop.ledger import xlsx as ledger_xlsx  # XlsxWriter loads with the first workbook

            self._in_background(lambda store: ledger_xlsx.write(result), lambda data: self._write(path, data, "xlsx"),
                                "正在导出…")

    def export_personal(self) -> None:
        path = self._ask_path(f"台账（含完整身份证号）-{self.filters().date_from}.xlsx")
        if path is None:
            return
        session, filters = self.session, self.filters()
        from desktop.ledger import xlsx as ledger_xlsx

        self._in_background(lambda store: ledger_xlsx.personal_xlsx(store, session, filters)[0],
                            lambda data: self._write(path, data, None), "正在导出…")

    def _ask_path(self, name: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "导出", name, "Excel (*.xlsx)")
        return Path(path) if path else None

    def _write(self, path: Path, data: bytes, audited: str | None) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            set_hint(self.message, f"无法写入 {path}：{exc.strerror or exc}", error=True)
            return
        if audited:
            audit.append(self.store.db, self.session.username, "ledger.export", detail={"format": audited})
        set_hint(self.message, f"已导出到 {path}", error=False)

    def close_day(self) -> None:
        """Close the start date's ledger: its PDF archived with a hash; later changes make a new version."""
        from desktop.ledger import close as ledger_close

        day = self.date_from.date().toPython()
        status = ledger_close.revisions(self.store, day)
        what = (f"{day} 已日结 {len(status.closures)} 次；此后变更 {len(status.changes)} 件，将作为第 "
                f"{len(status.closures) + 1} 版日结。" if status.closures else f"确认对 {day} 日结？日结后该日台账归档，之后的变更将列为修订。")
        if status.closures and not status.changes:
            set_hint(self.message, f"{day} 已日结，之后没有变更。", error=False)
            return
        if QMessageBox.question(self, "日结", what) != QMessageBox.StandardButton.Yes:
            return
        actor = self.session.username
        self._in_background(lambda store: ledger_close.close_day(store, day, actor=actor),
                            lambda c: set_hint(self.message, f"已日结 {c.day} 第 {c.revision} 版：{c.case_count} 件，"
                                               f"PDF 已归档（SHA-256 {c.pdf_sha256[:12]}…）", error=False),
                            "正在日结…")
