"""The desk's start as a clerk pays it (issue 16): the login window first, everything else while they type.

Before the login window only Qt, the instance lock and the dialog itself are loaded, so it paints about as soon as
a bare window would. Then, one step per turn of the event loop (none blocks typing for long), `Preparation` imports
the store, the accounts and the main window's modules and opens the store; Enter then costs the password check
and building the home screen. A clerk quicker than the preparation gets the rest done at Enter (`finish`).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from desktop.ui.firstpaint import on_first_paint

if TYPE_CHECKING:
    from desktop.accounts.staff import Accounts
    from desktop.storage.store import Store
    from desktop.ui.auth import LoginDialog

# Imported in this order while the login window is up, leaves before what needs them, so that each step is one
# module's own work (the biggest ≈40 ms on a loaded 2-core VM, bench/startup.py prints the longest).
MODULES = (
    "desktop.storage.logs", "desktop.domain.idnumber", "desktop.domain.states", "desktop.domain.case",
    "desktop.domain.catalog", "desktop.storage.migrations", "desktop.storage.db", "argon2",
    "desktop.storage.audit", "desktop.accounts.staff", "desktop.storage.store",
    # then the main window's: imported during the login's password check before (app.py `_import_window`)
    "desktop.ui.models", "desktop.ui.pagebase", "desktop.ui.worker", "desktop.ui.home", "desktop.ui.counts",
    "desktop.ui.lock", "desktop.ui.signals", "desktop.ui.mainwindow", "desktop.ui.auditcheck", "desktop.ui.setup",
)

ENV_TYPED = "DESK_TYPED_PASSWORD"  # bench/startup.py, tests: typed into the login window once it is prepared


class Preparation(QObject):
    """The start's remaining work as steps on zero timers; `prepared` once all ran, `failed(message)` if the
    store could not be opened (the login window then closes and the desk says why)."""

    prepared = Signal()
    failed = Signal(str)
    found_no_staff = Signal()  # the store has no accounts: a new device, whose first administrator is made instead

    def __init__(self, data_dir: Path, *, open_store: bool, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.store: Store | None = None
        self.accounts: Accounts | None = None
        self.no_staff = False
        self.longest = 0.0  # the longest step, seconds: what typing may wait for at worst
        self.steps: list[Callable[[], object]] = []
        for name in MODULES:
            if name not in sys.modules:
                self.steps.append(_importer(name))
            if name == "desktop.storage.store" and open_store:
                self.steps += [self._upgrade, self._open_store, self._load_catalog]
        self.dialog: QDialog | None = None  # the login window, which says so while the data is upgraded
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        self._timer.start()

    def done(self) -> bool:
        return not self.steps

    def finish(self):
        """Run what is left now; returns the accounts if this opened the store. A DeskError from opening the store
        is raised to the caller."""
        self._timer.stop()
        while self.steps:
            self.steps.pop(0)()
        return self.accounts

    def ready(self):
        """`finish` for the login window (Enter came first): its DeskError shows in the window; a store with no
        staff closes the window for the first administrator's."""
        from desktop.domain.errors import DeskError

        accounts = self.finish()
        if self.no_staff:
            self.found_no_staff.emit()
            raise DeskError("本机还没有任何账号：请先创建管理员", field="username")
        return accounts

    def _step(self) -> None:
        from desktop.domain.errors import DeskError

        if not self.steps:
            return
        started = time.perf_counter()
        try:
            self.steps.pop(0)()
        except DeskError as exc:
            self.steps.clear()
            self.failed.emit(exc.message)
            return
        self.longest = max(self.longest, time.perf_counter() - started)
        if self.no_staff:
            self.steps.clear()
            self.found_no_staff.emit()
        elif self.steps:
            self._timer.start()
        else:
            self.prepared.emit()

    def _upgrade(self) -> None:
        upgrade(self.data_dir, self.dialog)

    def _open_store(self) -> None:
        from desktop.accounts.staff import Accounts
        from desktop.storage.store import Store

        store = self.store = Store.open(self.data_dir)
        accounts = self.accounts = Accounts(store.db)
        self.no_staff = not accounts.any_users()

    def _load_catalog(self) -> None:
        """The active catalog, which the store loads at first use (the home screen's service tree needs it)."""
        if self.store is not None and not self.no_staff:
            self.store.catalog  # noqa: B018 - loading it is the point

    def close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def _importer(name: str) -> Callable[[], Any]:
    return lambda: importlib.import_module(name)


UPGRADING = "正在升级本机数据库（软件更新后仅此一次，案件多时需要几十秒），请稍候……"


def upgrade(data_dir: Path, dialog: QDialog | None) -> None:
    """Apply the pending migrations of `data_dir` on a worker thread while the event loop turns, the login window
    saying so with its OK button off (a second Enter cannot open the store half-upgraded). Nothing pending (every
    start but the first after an update) costs one look at the schema. A migration's DeskError is raised here,
    on the GUI thread; a failed migration leaves the database as it was (each runs in its transaction)."""
    from desktop.storage import db

    if not db.pending_migrations(data_dir):
        return
    ok = dialog.findChild(QDialogButtonBox) if dialog is not None else None
    label = getattr(dialog, "error", None)
    if label is not None:
        from desktop.ui.hints import set_hint

        set_hint(label, UPGRADING, error=False)
        label.setVisible(True)
    if ok is not None:
        ok.setEnabled(False)
    from desktop.ui import worker

    outcome: list[BaseException | None] = []
    loop = QEventLoop()

    def finished(_result, error: BaseException | None) -> None:
        outcome.append(error)
        loop.quit()

    worker.run(lambda: db.open_db(data_dir).close(), finished)  # the pool; Qt waits for it before the app exits
    try:
        if not outcome:
            loop.exec()
    finally:
        if ok is not None:
            ok.setEnabled(True)
        if label is not None:
            label.setVisible(False)
    if outcome[0] is not None:
        raise outcome[0]


def type_when_prepared(dialog: LoginDialog, preparation: Preparation) -> None:
    """DESK_TYPED_PASSWORD (the bench): at the login window's first paint print `login paint`; once the preparation
    is done (the clerk's typing, excluded from the measured start) print `prepared` and the longest step, then
    type the password, print `enter` and press Enter. Lines on stdout, timed by bench/startup.py."""
    password = os.environ.get(ENV_TYPED)
    if password is None:
        return
    painted: list[bool] = []

    def submit() -> None:
        if not (painted and preparation.done()):
            return
        print(f"prepared {preparation.longest * 1000:.0f}", flush=True)
        dialog.fields["password"].setText(password)
        print("enter", flush=True)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    def on_paint() -> None:
        print("login paint", flush=True)
        painted.append(True)
        submit()

    on_first_paint(dialog, on_paint)
    preparation.prepared.connect(submit)
