"""Start the desk: fonts and style, one instance per data dir, first-run setup, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
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


ENV_PASSWORD = "DESK_PASSWORD"  # with --user: log in without the dialog (scripts, bench/startup.py), as the CLI does
ENV_FIRST_PAINT = "DESK_EXIT_AT_FIRST_PAINT"  # bench/startup.py: quit once the main window has painted


def run(data_dir: Path, user: str | None = None) -> int:
    from desktop.domain.errors import DeskError
    from desktop.storage.instance import InstanceLock
    from desktop.storage.store import Store
    from desktop.ui.mainwindow import MainWindow

    app = make_app(bundled_fonts=False)
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
        session = log_in(store, user)
        if session is None:
            return 0
        window = MainWindow(store, session)
        # the print fonts once the window has painted: a zero timer set before show() fired before the paint
        on_first_paint(window, lambda: add_bundled_fonts(app), delay_ms=50)
        if os.environ.get(ENV_FIRST_PAINT):
            on_first_paint(window, app.quit)
        window.show()
        code = app.exec()
        QThreadPool.globalInstance().waitForDone()  # a background count or check still running finishes first
        return code
    finally:
        store.close()
        lock.release()


def on_first_paint(window, callback, *, delay_ms: int = 0) -> None:
    """Call `callback` from the event loop `delay_ms` after `window` (or a widget in it) first paints."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.window() is window:
                QApplication.instance().removeEventFilter(self)
                QTimer.singleShot(delay_ms, callback)
            return False

    hook = FirstPaint(window)
    QApplication.instance().installEventFilter(hook)


def log_in(store, user: str | None = None):
    """The first administrator on a fresh device, else a login; the first-run settings; the audit check."""
    from desktop.accounts import roles
    from desktop.accounts.staff import Accounts
    from desktop.storage import audit
    from desktop.ui.auth import FirstAdminDialog, LoginDialog
    from desktop.ui.setup import SettingsDialog, needs_setup

    accounts = Accounts(store.db)
    if user and ENV_PASSWORD in os.environ and accounts.any_users():
        session = _log_in_from_environment(accounts, user)
    else:
        dialog = LoginDialog(accounts, username=user or "") if accounts.any_users() else FirstAdminDialog(accounts)
        session = dialog.session if dialog.exec() else None
    if session is None:
        return None
    if needs_setup(store) and roles.can(session, "settings.edit"):
        save = lambda key, value: accounts.change_setting(session, key, value)  # noqa: E731
        SettingsDialog(store, first_run=True, save=save).exec()
    broken = audit.verify(store.db)
    if broken is not None:
        QMessageBox.warning(None, "审计记录异常", f"{broken.message}\n请立即通知审计员。")
    return session


def _log_in_from_environment(accounts, user: str):
    """--user with DESK_PASSWORD: the same login (argon2, lockout, audit) without the dialog, as the CLI logs in.
    A refusal is a known error: one Chinese line on stderr and exit 1 (desktop/domain/errors.py), no window."""
    from desktop.domain.errors import ValidationError

    session = accounts.login(user, os.environ[ENV_PASSWORD])
    if session.must_change:
        raise ValidationError("初始密码须先修改：请不设 DESK_PASSWORD 启动工作台，在登录窗口中修改", field="password")
    return session
