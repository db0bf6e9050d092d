"""The main window (a minimal shell until the desk issue lands: cases of today and the catalog)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QSplitter

from desktop.store import Store


class MainWindow(QMainWindow):
    """Lists the 20 services and today's cases of this data dir."""

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.setWindowTitle("一件事帮代办工作台")
        self.resize(1366, 768)
        services = QListWidget()
        for s in store.catalog.services.values():
            services.addItem(f"{s.number}. {s.name}（{s.group}）")
        cases = QListWidget()
        for row in store.rows("state != 'draft'", limit=200):
            cases.addItem(f"{row['number']}  {row['applicant_name']}  {row['state']}")
        splitter = QSplitter()
        splitter.addWidget(services)
        splitter.addWidget(cases)
        self.setCentralWidget(splitter)
        self.statusBar().addWidget(QLabel(f"待同步：{store.outbox_pending()} 件"))
