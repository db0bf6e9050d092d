"""Start the desk: fonts and style, one instance per data dir, first-run setup, the main window."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QThreadPool, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.ui.firstpaint import on_first_paint

UI_FACES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
            "WenQuanYi Micro Hei")  # a CJK sans for the interface, the first the system has
BASE_POINT_SIZE = 11  # a little larger than Qt's default 9pt: read across a counter at 1366×768

STYLE = """
QLabel[role="error"] { color: #b00020; }
QLabel[role="hint"] { color: #455a64; }
QLabel[role="title"] { font-size: 15pt; font-weight: bold; padding: 4px 0; }
QGroupBox { font-weight: bold; }
QGroupBox[role="notice"] { background: #fff8e1; border: 1px solid #f9a825; border-radius: 4px; margin-top: 1.4em; }
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
    install_translations(app)
    if bundled_fonts:
        add_bundled_fonts(app)
    return app


def install_translations(app: QApplication) -> bool:
    """Qt's own dialogs in Chinese (是/否, 确定/取消, the print and file dialogs): the qtbase translations that
    ship with PySide6 (and that PyInstaller's Qt hooks bundle), and the Chinese locale for numbers and dates."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if getattr(app, "_desk_translator", None) is not None:
        return True
    translator = QTranslator(app)
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", where):
        return False  # an incomplete install: the desk still works, Qt's buttons stay English (self-check says so)
    app.installTranslator(translator)
    app._desk_translator = translator  # the application must keep it alive
    return True


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


FULL_CHECK_DELAY_MS = 10_000


def run(data_dir: Path, user: str | None = None) -> int:
    """The desk: one per data dir (the instance lock), the login window as soon as Qt can paint it (ui/start.py),
    then the main window. With --user and DESK_PASSWORD the login is done without a window (scripts)."""
    from desktop.domain.errors import DeskError
    from desktop.storage.instance import InstanceLock
    from desktop.ui.crash import CrashHandler

    app = make_app(bundled_fonts=False)
    crash = CrashHandler(data_dir).install()
    try:
        lock = InstanceLock(data_dir).acquire()
    except DeskError as exc:
        QMessageBox.critical(None, "无法打开工作台", exc.message)
        return 1
    store = None
    try:
        scripted = bool(user and ENV_PASSWORD in os.environ)
        try:
            store, session = _scripted_start(data_dir, user) if scripted else _login_first(data_dir, user)
        except OpenError as failure:
            QMessageBox.critical(None, "无法打开工作台", failure.message)
            return 1
        if session is None:
            return 0
        if not scripted:  # scripts never meet a dialog they cannot answer
            store, go_on = _offer_encryption(store, session)
            if not go_on:
                return 0
        return _open_window(app, crash, store, session)
    finally:
        crash.uninstall()
        if store is not None:
            store.close()
        lock.release()


class OpenError(Exception):
    """The data could not be opened (unlocked, migrated): said in a box, since no window is there yet."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _open_window(app, crash, store, session) -> int:
    from desktop.ui.auditcheck import FullCheck
    from desktop.ui.mainwindow import MainWindow  # prepared while the clerk typed (ui/start.py)

    window = MainWindow(store, session)
    crash.window, crash.save_draft = window, window.save_open_draft
    # the whole chain, off the GUI thread, once the desk is in use: a walk started before the first paint
    # competed with it for the interpreter (the start grew with the trail: 25x a bare window at 100k)
    on_first_paint(window, lambda: _start_full_check(window, store, FullCheck), delay_ms=FULL_CHECK_DELAY_MS)
    # the print fonts once the window has painted: a zero timer set before show() fired before the paint
    on_first_paint(window, lambda: add_bundled_fonts(app), delay_ms=50)
    if os.environ.get(ENV_FIRST_PAINT):
        on_first_paint(window, lambda: _first_painted(app))
    window.show()
    code = app.exec()
    QThreadPool.globalInstance().waitForDone()  # a background count or check still running finishes first
    return code


def _first_painted(app) -> None:
    print("first paint", flush=True)  # bench/startup.py times the start to this line, not to the exit
    app.quit()


def _offer_encryption(store, session):
    """An administrator of a data dir that should be encrypted is offered it (ui/keysetup.py); the dialog's module
    (reportlab for the recovery paper, the PDF viewer) is imported only then. Returns (store, go on?)."""
    from desktop.accounts import keysetup as plan, roles

    if store.data_dir is None or not plan.wanted(store.data_dir) or not roles.can(session, "user.manage"):
        return store, True
    from desktop.ui import keysetup

    return keysetup.offer(store, session)


def _scripted_start(data_dir: Path, user: str | None):
    """--user with DESK_PASSWORD: unlock and open the store, then the same login without a window. A refused login
    is a known error: one Chinese line on stderr and exit 1 (desktop/domain/errors.py), no window."""
    from desktop.domain.errors import DeskError

    try:
        store = unlock(data_dir, user or "")
    except DeskError as exc:
        raise OpenError(exc.message) from None
    try:
        return store, log_in(store, user)
    except BaseException:
        store.close()
        raise


def _login_first(data_dir: Path, user: str | None):
    """The login window before anything else, the rest prepared while the clerk types (ui/start.py); returns
    (store, session), or (store or None, None) if cancelled. A data dir with no staff yet (a new device) creates
    its first administrator instead."""
    from desktop.storage import layout  # not crypto (hashlib, json, sqlite3): its names only
    from desktop.ui.start import Preparation, type_when_prepared

    encrypted = layout.is_encrypted(data_dir)
    prep = Preparation(data_dir, open_store=not encrypted)
    if not encrypted and not layout.has_database(data_dir):  # a new device: its first administrator
        _opened(prep.finish)
        return prep.store, _first_admin(prep.store)
    dialog = _login_dialog(data_dir, user, encrypted, prep)
    prep.dialog = dialog
    failed: list[str] = []

    def on_failed(message: str) -> None:
        failed.append(message)
        dialog.reject()

    prep.failed.connect(on_failed)
    prep.found_no_staff.connect(dialog.reject)
    type_when_prepared(dialog, prep)
    on_first_paint(dialog, prep.start)  # not before: a step run ahead of the first paint delays it
    accepted = dialog.exec()
    if failed:
        prep.close_store()
        raise OpenError(failed[0])
    store = dialog.store if encrypted else prep.store
    if prep.no_staff:
        return store, _first_admin(store)
    if not accepted or dialog.session is None:
        if encrypted:
            dialog.close_store()
        return (None if encrypted else store), None
    _opened(prep.finish)  # nothing is left, unless the password check itself was quicker than the preparation
    return store, _after_login(store, dialog.accounts, dialog.session)


def _login_dialog(data_dir: Path, user: str | None, encrypted: bool, prep):
    if encrypted:
        from desktop.ui.unlock import UnlockDialog

        dialog = UnlockDialog(data_dir, ready=prep.ready)
        dialog.fields["username"].setText(user or "")
        return dialog
    from desktop.ui.auth import LoginDialog

    return LoginDialog(None, username=user or "", ready=prep.ready)


def _opened(step) -> None:
    """Run a step that opens the store; its known error is said in a box (run), no window being there yet."""
    from desktop.domain.errors import DeskError

    try:
        step()
    except DeskError as exc:
        raise OpenError(exc.message) from None


def _first_admin(store):
    """A device with no staff: its first administrator, who is then logged in (None if cancelled)."""
    from desktop.accounts.staff import Accounts
    from desktop.ui.auth import FirstAdminDialog, LoginDialog

    accounts = Accounts(store.db)
    # staff made meanwhile by the command line (`user add`): log in as usual
    dialog: FirstAdminDialog | LoginDialog = LoginDialog(accounts) if accounts.any_users() else FirstAdminDialog(accounts)
    session = dialog.session if dialog.exec() else None
    return None if session is None else _after_login(store, accounts, session)


def unlock(data_dir: Path, user: str):
    """--user with DESK_PASSWORD: the store, its data unlocked first if encrypted (log_in then logs in)."""
    from desktop.storage import crypto
    from desktop.storage.store import Store

    if crypto.is_encrypted(data_dir):
        crypto.unlock_password(data_dir, user, os.environ[ENV_PASSWORD])
    return Store.open(data_dir)


def _start_full_check(window, store, full_check) -> None:
    import shiboken6

    from desktop.storage import auditverify

    # not for a desk closed within the delay, and once a working day: every login checks from the checkpoint
    if shiboken6.isValid(window) and window.isVisible() and auditverify.full_walk_due(store.db):
        window.audit_check = full_check(window, store)


def log_in(store, user: str | None = None, session=None):
    """--user with DESK_PASSWORD: the login without a dialog (unless `unlock` logged in already), or the first
    administrator on a device with no staff; then what follows every login. None if cancelled."""
    from desktop.accounts.staff import Accounts
    from desktop.ui.auth import FirstAdminDialog

    accounts = Accounts(store.db)
    if session is None and accounts.any_users():
        session = _log_in_from_environment(accounts, user or "")
    elif session is None:
        dialog = FirstAdminDialog(accounts)
        session = dialog.session if dialog.exec() else None
    return None if session is None else _after_login(store, accounts, session)


def _after_login(store, accounts, session):
    """What follows every login: the first-run settings (for those who may edit them), the audit check from its
    checkpoint (the full walk follows in the background: FullCheck)."""
    from desktop.accounts import roles
    from desktop.ui.auditcheck import login_check
    from desktop.ui.setup import SettingsDialog, needs_setup

    if needs_setup(store) and roles.can(session, "settings.edit"):
        save = lambda key, value: accounts.change_setting(session, key, value)  # noqa: E731
        SettingsDialog(store, first_run=True, save=save).exec()
    if (warning := login_check(store)) is not None:
        QMessageBox.warning(None, "审计记录异常", warning)
    return session


def _import_window() -> None:
    """The main window's modules (every screen shown at start): imported while argon2 checks the password on
    another thread, so the two overlap instead of following each other (issue 16: the start ≤ 1.5× a bare
    window). Imports stay on the GUI thread: PySide6 crashed now and then importing from two threads at once."""
    importlib.import_module("desktop.ui.mainwindow")


def _log_in_from_environment(accounts, user: str):
    """--user with DESK_PASSWORD: the same login (argon2, lockout, audit) without the dialog, as the CLI logs in.
    A refusal is a known error: one Chinese line on stderr and exit 1 (desktop/domain/errors.py), no window."""
    from desktop.domain.errors import ValidationError

    session = accounts.login(user, os.environ[ENV_PASSWORD], meanwhile=_import_window)
    if session.must_change:
        raise ValidationError("初始密码须先修改：请不设 DESK_PASSWORD 启动工作台，在登录窗口中修改", field="password")
    return session
