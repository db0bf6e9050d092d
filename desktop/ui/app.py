"""Start the desk: fonts and style, one instance per data dir, first-run setup, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
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


def make_app(argv: list[str] | None = None, *, bundled_fonts: bool = True) -> QApplication:
    """The QApplication with the desk's UI face, size and style; the bundled fonts now or (desk start) later."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("一件事帮代办工作台")
    installed = set(QFontDatabase.families())
    font = QFont(app.font())
    font.setFamilies([*[f for f in UI_FACES if f in installed][:1], *font.families()])
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLE)
    if bundled_fonts:
        add_bundled_fonts(app)
    return app


def add_bundled_fonts(app: QApplication) -> None:
    """Register the print fonts (≈0.3 s) and add them as fallbacks after the UI face, for Ext A/B names.

    The desk calls this just after its window first shows, so the wait is not part of start-up.
    """
    from desktop.ui.fonts import register_app_fonts

    font = QFont(app.font())
    font.setFamilies([*font.families(), *register_app_fonts()])
    app.setFont(font)


def run(data_dir: Path) -> int:
    from desktop.domain.errors import DeskError
    from desktop.storage.instance import InstanceLock
    from desktop.ui.mainwindow import MainWindow

    app = make_app(bundled_fonts=False)
    try:
        lock = InstanceLock(data_dir).acquire()
    except DeskError as exc:
        QMessageBox.critical(None, "无法打开工作台", exc.message)
        return 1
    try:
        store, session = unlock(data_dir)
        if store is None:
            lock.release()
            return 0
    except DeskError as exc:
        lock.release()
        QMessageBox.critical(None, "无法打开工作台", exc.message)
        return 1
    try:
        session = log_in(store, session)
        if session is None:
            return 0
        window = MainWindow(store, session)
        window.show()
        QTimer.singleShot(0, lambda: add_bundled_fonts(app))
        return app.exec()
    finally:
        store.close()
        lock.release()


def unlock(data_dir: Path):
    """(store, None) for a plain data dir; for an encrypted one the login that unlocks it: (store, session),
    or (None, None) if cancelled."""
    from desktop.storage import crypto
    from desktop.storage.store import Store

    if not crypto.is_encrypted(data_dir):
        return Store.open(data_dir), None
    from desktop.ui.unlock import UnlockDialog

    dialog = UnlockDialog(data_dir)
    if not dialog.exec() or dialog.session is None:
        dialog.close_store()
        return None, None
    return dialog.store, dialog.session


def log_in(store, session=None):
    """The first administrator on a fresh device, else a login (unless `unlock` logged in already); the
    first-run settings; the audit check."""
    from desktop.accounts import roles
    from desktop.accounts.staff import Accounts
    from desktop.storage import audit
    from desktop.ui.auth import FirstAdminDialog, LoginDialog
    from desktop.ui.setup import SettingsDialog, needs_setup

    accounts = Accounts(store.db)
    if session is None:
        dialog = LoginDialog(accounts) if accounts.any_users() else FirstAdminDialog(accounts)
        if not dialog.exec() or dialog.session is None:
            return None
        session = dialog.session
    if needs_setup(store) and roles.can(session, "settings.edit"):
        save = lambda key, value: accounts.change_setting(session, key, value)  # noqa: E731
        SettingsDialog(store, first_run=True, save=save).exec()
    broken = audit.verify(store.db)
    if broken is not None:
        QMessageBox.warning(None, "审计记录异常", f"{broken.message}\n请立即通知审计员。")
    return session
