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
from desktop.ui.hints import hint_label, set_hint


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
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)  # 验原件收复印件 whole
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
        self.error = hint_label(error=True)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(640, 150 + 36 * len(self.ids))

    def accept(self) -> None:
        """OK only with something received, each at least one 份: else it stays open, naming and focusing the row,
        so the choices made are not lost to a warning after it closed."""
        counts = [(row, self.table.cellWidget(row, 2)) for row in range(len(self.ids))
                  if self.table.cellWidget(row, 1).currentIndex() > 0]
        zero = next(((row, spin) for row, spin in counts if spin.value() < 1), None)
        if counts and zero is None:
            super().accept()
            return
        message, widget = (("请至少选择一种收到的补正材料", self.table.cellWidget(0, 1)) if not counts else
                           (f"材料“{self.table.item(zero[0], 0).text()}”的份数应为1–99", zero[1]))
        set_hint(self.error, message, error=True)
        self.error.setVisible(True)
        widget.setFocus()

    def received(self) -> dict[str, tuple[str, int]]:
        """{material id: (how, count)} for the rows marked received."""
        out = {}
        for row, mid in enumerate(self.ids):
            how = self.table.cellWidget(row, 1).currentIndex()
            if how > 0:
                out[mid] = (list(RECEIVED)[how - 1], self.table.cellWidget(row, 2).value())
        return out
