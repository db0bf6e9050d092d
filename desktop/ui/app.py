"""Start the desk: fonts and style, one instance per data dir, first-run setup, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

UI_FACES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
            "WenQuanYi Micro Hei")  # a CJK sans for the interface, the first the system has
BASE_POINT_SIZE = 11  # a little larger than Qt's default 9pt: read across a counter at 1366×768

STYLE = """
QLabel[role="error"] { color: #b00020; }
QLabel[role="hint"] { color: #455a64; }
QLabel[role="title"] { font-size: 15pt; font-weight: bold; padding: 4px 0; }
QGroupBox { font-weight: bold; }
QGroupBox QLabel, QGroupBox QLineEdit, QGroupBox QComboBox, QGroupBox QRadioButton, QGroupBox QCheckBox,
QGroupBox QTableView, QGroupBox QTreeView { font-weight: normal; }
QLineEdit, QComboBox { min-height: 1.6em; }
"""


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the desk's fonts (bundled CJK faces when present), size and style."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("一件事帮代办工作台")
    families = _register_fonts()
    font = QFont(app.font())
    if families:
        # the system's UI face first (Microsoft YaHei UI on Windows); the bundled Song/Ming faces only
        # as fallbacks, for the rare characters (Ext A/B) that the system face lacks
        installed = set(QFontDatabase.families())
        ui = [f for f in UI_FACES if f in installed][:1]
        font.setFamilies([*ui, *font.families(), *families])
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLE)
    return app


def _register_fonts() -> list[str]:
    try:
        from desktop.ui.fonts import register_app_fonts
    except ImportError:  # the bundled fonts arrive with the printing module
        return []
    return register_app_fonts()


def run(data_dir: Path) -> int:
    from desktop.errors import DeskError
    from desktop.instance import InstanceLock
    from desktop.store import Store
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.setup import SettingsDialog, needs_setup

    app = make_app()
    try:
        lock = InstanceLock(data_dir).acquire()
    except DeskError as exc:
        QMessageBox.critical(None, "无法打开工作台", exc.message)
        return 1
    try:
        store = Store.open(data_dir)
    except DeskError as exc:
        lock.release()
        QMessageBox.critical(None, "无法打开工作台", exc.message)
        return 1
    try:
        if needs_setup(store) and not SettingsDialog(store, first_run=True).exec():
            return 0
        window = MainWindow(store)
        window.show()
        return app.exec()
    finally:
        store.close()
        lock.release()
