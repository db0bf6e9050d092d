"""补正收件: the clerk ticks which missing materials the citizen brought, how (原件, 验原件收复印件…) and how many."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.case import RECEIVED, Case
from desktop.domain.catalog import Service


class SupplementDialog(QDialog):
    """One row per missing material: 未收 or how it was received, and the count (1 by default)."""

    def __init__(self, service: Service, case: Case, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记补正材料")
        self.ids = list(case.missing)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("请逐项选择本次收到的补正材料；未收到的保持“未收”，仍列为待补正。"))
        self.table = QTableWidget(len(self.ids), 3)
        self.table.setHorizontalHeaderLabels(["材料名称", "接收情况", "份数"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, mid in enumerate(self.ids):
            material = service.material(mid)
            self.table.setItem(row, 0, QTableWidgetItem(material.name))
            how, count = QComboBox(), QSpinBox()
            how.addItems(["未收", *RECEIVED.values()])
            count.setRange(0, 99)
            copies = max(1, material.copies)
            how.currentIndexChanged.connect(lambda i, c=count, n=copies: c.setValue(n if i else 0))
            self.table.setCellWidget(row, 1, how)
            self.table.setCellWidget(row, 2, count)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 120 + 36 * len(self.ids))

    def received(self) -> dict[str, tuple[str, int]]:
        """{material id: (how, count)} for the rows marked received."""
        out = {}
        for row, mid in enumerate(self.ids):
            how = self.table.cellWidget(row, 1).currentIndex()
            if how > 0:
                out[mid] = (list(RECEIVED)[how - 1], self.table.cellWidget(row, 2).value())
        return out
