"""Idle maintenance: the database's integrity check, off the GUI thread and off every open, its result in sight.

`PRAGMA quick_check` reads every page (≈1 s at 100,000 cases), so it no longer runs on each open (issue 16):
the desk runs it a while after start and then daily, on its own connection in the thread pool, and says
the result in the status bar; a damaged file gets a warning that cannot be missed.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.storage.store import Store

FIRST_CHECK_MS = 5 * 60_000  # after start-up, sync and intake have settled
EVERY_MS = 24 * 3600_000


class Maintenance(QObject):
    """`checked(problem)` after each integrity check: None when the file is whole, else the Chinese sentence."""

    checked = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None, *, first_ms: int = FIRST_CHECK_MS):
        super().__init__(parent)
        self.store = store
        self.last: tuple[dt.datetime, str | None] | None = None
        self.running = self.stopped = False
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.check_now)
        self.timer.start(first_ms)

    def check_now(self) -> None:
        """Start a check in the background (at most one at a time); the timer then waits a day."""
        from desktop.storage.db import check_integrity
        from desktop.ui import worker

        if self.running or self.store.data_dir is None:
            return
        self.running = True
        worker.run_on_store(self.store.data_dir, self.store.catalog, lambda s: check_integrity(s.db), self._on_done)

    def _on_done(self, problem: str | None, error: BaseException | None) -> None:
        from desktop.ui import worker

        self.running = False
        if self.stopped:  # the window closed while the check ran
            return
        if error is not None:
            problem = worker.known(error)
        self.last = (dt.datetime.now(), problem)
        self.timer.start(EVERY_MS)
        self.checked.emit(problem)

    def summary(self) -> str:
        if self.last is None:
            return ""
        at, problem = self.last
        return f"数据库检查：{'有问题' if problem else '正常'}（{at:%H:%M}）"

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()


def warm_up() -> None:
    """Load pypinyin's dictionaries in the thread pool soon after start: the first name written would load
    them on the GUI thread during the first save (≈0.4 s of JSON parsing, issue 16). In a worker the GUI
    thread still gets the interpreter between the dictionaries' parses."""
    from desktop.storage import searchkeys
    from desktop.ui import worker

    worker.run(lambda: searchkeys.initials("单德发"), lambda _result, error: error and worker.known(error))

