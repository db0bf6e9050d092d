"""The scheduled backup in the desk (storage/backupplan.py): checked every minute on the GUI thread (a settings
read), run on a worker with its own connection, its progress and result as signals for the status bar and the
maintenance dialog. A failure waits RETRY_MS before the next try, so a missing USB disk is said once, not every
minute; a running backup is never started twice.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.storage import backupplan, settings
from desktop.storage.store import Store

CHECK_MS = 60_000
RETRY_MS = 30 * 60_000


class Percent(QObject):
    """Carries the worker's percent to the GUI thread (a signal emitted on another thread is queued)."""

    percent = Signal(int)


class ScheduledBackup(QObject):
    """`progressed(percent)` while a backup runs; `finished(result, message)`: the result dict, or None and the
    Chinese sentence saying why it failed."""

    progressed = Signal(int)
    finished = Signal(object, object)

    def __init__(self, store: Store, actor: str, parent: QObject | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.running = self.stopped = False
        self.retry_after: dt.datetime | None = None
        self._relay = Percent(self)
        self._relay.percent.connect(self.progressed)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.check()
        self.timer.start(CHECK_MS)

    def check(self) -> None:
        """Start a backup if one is due (and the last failure is not too recent)."""
        now = dt.datetime.now().astimezone()
        if self.retry_after is not None and now < self.retry_after:
            return
        values = settings.get_all(self.store.db)
        if not values["backup_folder"]:  # no folder, no schedule: not even the audit trail is read
            return
        if backupplan.due(values, backupplan.last(self.store.db), now):
            self.run_now()

    def run_now(self) -> bool:
        """Back up now (the maintenance dialog's button); False if one is already running."""
        from desktop.ui import worker

        if self.running or self.stopped or self.store.data_dir is None:
            return False
        self.running = True
        self.progressed.emit(0)
        actor, tell = self.actor, self._relay.percent.emit
        worker.run_on_store(self.store.data_dir, self.store.catalog,
                            lambda store: backupplan.run(store.db, store.data_dir, actor, tell), self._on_done)
        return True

    def _on_done(self, result, error: BaseException | None) -> None:
        from desktop.ui import worker

        self.running = False
        if self.stopped:
            return
        message = worker.known(error) if error is not None else None
        self.retry_after = dt.datetime.now().astimezone() + dt.timedelta(milliseconds=RETRY_MS) if message else None
        self.finished.emit(result, message)

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()


def summary(result: dict | None, message: str | None) -> str:
    """The result in one line for the status bar."""
    if message:
        return f"定时备份失败：{message}"
    return f"已备份并校验：{result['file']}（{result['cases']} 件案件）" if result else ""
