"""Counts the status bar shows, worked out off the GUI thread: at 100,000 cases a count reads megabytes.

`PendingCount` counts the cases still to send (Store.outbox_pending) on its own connection in the thread
pool after every change; changes arriving while a count runs make one more count, not one each.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.storage.store import Store
from desktop.ui import worker


class PendingCount(QObject):
    """`changed()` when a new count has arrived; `value` is None until the first one."""

    changed = Signal()

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.value: int | None = None
        self.error = ""
        self._running = self._again = self._stopped = False

    def stop(self) -> None:
        """The window is closing: a count still running is dropped (the store may be closed by then)."""
        self._stopped = True

    def refresh(self) -> None:
        if self._stopped:
            return
        if self._running:
            self._again = True
            return
        if self.store.data_dir is None:  # a store without a data dir (tests in memory): count here
            self._on_counted(self.store.outbox_pending(), None)
            return
        self._running = True
        worker.run_on_store(self.store.data_dir, self.store.catalog, lambda s: s.outbox_pending(), self._on_counted)

    def text(self) -> str:
        if self.error:
            return f"待上传件数未知（{self.error}）"
        return "待上传 … 件" if self.value is None else f"待上传 {self.value} 件"

    def _on_counted(self, value: int | None, error: BaseException | None) -> None:
        self._running = False
        if self._stopped:
            return
        self.value, self.error = (value, "") if error is None else (self.value, worker.known(error))
        self.changed.emit()
        if self._again:
            self._again = False
            self.refresh()
