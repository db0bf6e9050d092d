"""The audit trail's full walk after login, in the background, with its result in the status bar (docs/audit.md).

The login itself only checks from the stored checkpoint (desktop/storage/auditverify.py), so desk start does not
grow with the trail; the walk over every entry runs here on its own connection, and a break is shown at once.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from desktop.storage import audit
from desktop.ui import worker


class FullCheck(QObject):
    """Starts the full walk; `finished(report)` when it is done (None when the walk itself failed)."""

    finished = Signal(object)

    def __init__(self, window: QMainWindow, store):
        super().__init__(window)
        self.window = window
        worker.run_on_store(store.data_dir, store.catalog, lambda s: audit.check(s.db, full=True), self._on_done)

    def _on_done(self, report, error) -> None:
        if not shiboken6.isValid(self) or not shiboken6.isValid(self.window):
            return  # the desk was closed during the walk: nobody to tell
        if error is not None:
            message = worker.known(error)  # a bug is re-raised to the crash dialog
            self.window.statusBar().showMessage(f"审计记录全链校验未能完成：{message}", 30000)
        elif report.broken is not None:
            QMessageBox.warning(self.window, "审计记录异常", f"{report.broken.message}\n请立即通知审计员。")
        else:
            self.window.statusBar().showMessage(f"审计记录全链校验通过：共 {report.entries} 条", 15000)
        self.finished.emit(report)


def login_check(store) -> str | None:
    """The quick check at login (from the checkpoint): the warning to show, or None."""
    broken = audit.check(store.db).broken
    return None if broken is None else f"{broken.message}\n请立即通知审计员。"
