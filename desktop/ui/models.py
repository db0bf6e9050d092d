"""Qt models over plain rows: cases (lists, search, today) and the service tree (groups → services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from desktop.domain import overdue
from desktop.domain.case import STATES
from desktop.domain.catalog import Catalog
from desktop.domain.idnumber import mask_id

Index = QModelIndex | QPersistentModelIndex
OVERDUE = QColor("#b00020")
SAMPLE_ROWS = 200  # column widths are measured on this many rows, not on all of them (issue 16)


VISIBLE_ROWS = 0  # Qt's resize precision for "the rows in view only"


def sized_by_sample(view, rows: int = SAMPLE_ROWS) -> None:
    """Size a table view's columns to their contents as seen in the first `rows` rows (VISIBLE_ROWS: the rows in
    view): a view calls `data` for every row of every column to size them otherwise, at each reset (thousands of
    rows: a frozen window). Each sampled cell is laid out in C++ too: the home page's search, redone at every
    typing pause, measured 50 rows × 6 columns for ≈50 ms of the GUI thread at 100k cases (issue 16)."""
    view.horizontalHeader().setResizeContentsPrecision(rows)


DISPLAY, TOOLTIP, FOREGROUND = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole
ANSWERED = frozenset((DISPLAY, TOOLTIP, FOREGROUND, Qt.ItemDataRole.UserRole + 1))
OVERDUE_BRUSH = QBrush(OVERDUE)


class CaseTableModel(QAbstractTableModel):
    """Case summary rows (desktop.storage.store.Store.rows); ID numbers masked, overdue due dates in red.

    A row's texts are worked out once, when the view first asks for it (views ask per cell and per role,
    again at every repaint), and kept until the rows change."""

    COLUMNS = ("受理编号", "申请人", "身份证号", "一件事", "状态", "办结期限", "经办人")
    UUID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, catalog: Catalog, parent=None):
        super().__init__(parent)
        self.catalog = catalog
        self._rows: list[dict[str, Any]] = []
        self._texts: list[tuple[str, ...] | None] = []
        self.today = dt.date.today().isoformat()

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [None] * len(self._rows)
        self.today = dt.date.today().isoformat()  # a desk left open overnight shows tomorrow's overdue cases
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        # views ask for about ten roles per cell at every paint: the roles not answered return first
        if role not in ANSWERED or not index.isValid() or not 0 <= (n := index.row()) < len(self._rows):
            return None
        column = index.column()
        if role == DISPLAY:
            return self._row_texts(n)[column]
        if role == self.UUID_ROLE:
            return self._rows[n]["uuid"]
        if role == TOOLTIP and column == 3:  # the whole name; the cell drops the leading 我要
            service = self.catalog.services.get(self._rows[n]["service"])
            return service.name if service else None
        return OVERDUE_BRUSH if column == 5 and self._row_texts(n)[5].endswith(" 超期") else None

    def _row_texts(self, n: int) -> tuple[str, ...]:
        texts = self._texts[n]
        if texts is None:
            texts = self._texts[n] = self._texts_of(self._rows[n])
        return texts

    def _overdue(self, row: dict[str, Any]) -> bool:
        return overdue.is_overdue(row["state"], row["due_date"], dt.date.fromisoformat(self.today))  # as the ledger

    def _texts_of(self, row: dict[str, Any]) -> tuple[str, ...]:
        service = self.catalog.services.get(row["service"])
        return (
            row["number"] or "（草稿）",
            row["applicant_name"] or "（未填姓名）",
            mask_id(row["id_number"]) if row["id_number"] else "",
            # 我要申请… / 我要办理…: the words after 我要 tell services apart in a narrow column (whole in the tooltip)
            service.name.removeprefix("我要") if service else str(row["service"]),
            STATES.get(row["state"], row["state"]),
            (row["due_date"] or "—") + (" 超期" if self._overdue(row) else ""),
            row["clerk"],
        )

    def uuid_at(self, row: int) -> str:
        return self._rows[row]["uuid"]


def service_tree(catalog: Catalog, text: str = "") -> QStandardItemModel:
    """Groups with their services, filtered by name, pinyin initials, keywords or item code."""
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["一件事"])
    for group in catalog.groups:
        services = [s for s in catalog.services.values() if s.group == group and s.matches(text)]
        if not services:
            continue
        parent = QStandardItem(f"{group}（{len(services)}）")
        parent.setEditable(False)
        parent.setSelectable(False)
        for s in services:
            item = QStandardItem(f"{s.number}. {s.name}")
            item.setData(s.number, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            item.setToolTip("、".join(i.name for i in s.items))
            parent.appendRow(item)
        model.appendRow(parent)
    return model
