"""Start the desk: one instance per data dir, the store opened once, the main window shown."""

from __future__ import annotations

import sys
from pathlib import Path


def run(data_dir: Path) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.errors import DeskError
    from desktop.instance import InstanceLock
    from desktop.store import Store
    from desktop.ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("一件事帮代办工作台")
    try:
        lock = InstanceLock(data_dir).acquire()
        store = Store.open(data_dir)
    except DeskError as exc:
        QMessageBox.critical(None, "无法打开工作台", exc.message)
        return 1
    window = MainWindow(store)
    window.show()
    try:
        return app.exec()
    finally:
        store.close()
        lock.release()
