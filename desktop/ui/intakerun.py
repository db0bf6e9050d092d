"""Runs the scanner-folder intake in the background: on watcher hints, on a poll while files settle, and by rescan.

QFileSystemWatcher events are only hints (they get dropped on network shares and on Windows buffer
overflows); the listing is the truth, so the folder is also rescanned at start and every few minutes.
Each pass runs on a worker thread with its own database connection (desktop.intake.folder does file I/O, PDF
checks and QR decoding that must not block the window); SQLite serialises it with the desk's writes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from desktop.domain.catalog import Catalog
from desktop.intake import folder as intake
from desktop.ui import worker

HINT_DELAY_MS = 500  # let a burst of watcher events settle into one pass
POLL_MS = 2_000  # while some file is still being written
RESCAN_MS = 120_000  # the safety net
STABILITY_DELAY = 5.0  # seconds a file's size and time must hold (paperless-ngx's default)


class IntakeRunner(QObject):
    """`passed(report)` after each pass, on the GUI thread; `failed(message)` when the folder cannot be read;
    `changed(changes)` with what a pass committed ((what, case uuid) pairs), before `passed`."""

    started = Signal()
    passed = Signal(object)
    failed = Signal(str)
    changed = Signal(object)

    def __init__(self, data_dir: Path, catalog: Catalog, folder: str, *, actor: str = "",
                 stability_delay: float = STABILITY_DELAY, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir, self.catalog, self.actor = Path(data_dir), catalog, actor
        self.folder = Path(folder) if folder else None
        self.stability_delay = stability_delay
        self.state = intake.IntakeState()
        self.running = False
        self.stopped = False
        self.again = False
        self.last: intake.ScanReport | None = None
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._on_hint)
        self.hint = QTimer(self, singleShot=True, interval=HINT_DELAY_MS)
        self.hint.timeout.connect(self.scan_now)
        self.poll = QTimer(self, singleShot=True, interval=POLL_MS)
        self.poll.timeout.connect(self.scan_now)
        self.rescan = QTimer(self, interval=RESCAN_MS)
        self.rescan.timeout.connect(self.scan_now)

    def start(self) -> None:
        """First pass now; the folder is watched once a pass has reached it. Nothing here touches the folder on
        the GUI thread: a scanner folder on an unreachable share (\\\\server\\scans) can take half a minute to
        answer, and the window must not freeze meanwhile."""
        if self.folder is None:
            return
        self.rescan.start()
        self.scan_now()

    def stop(self) -> None:
        self.stopped = True
        for timer in (self.hint, self.poll, self.rescan):
            timer.stop()

    def _on_hint(self, _path: str) -> None:
        self.hint.start()

    def scan_now(self) -> None:
        """One pass now (or right after the one under way)."""
        if self.folder is None:
            return
        if self.running:
            self.again = True
            return
        self.running, self.again = True, False
        self.started.emit()
        data_dir, catalog, folder, state = self.data_dir, self.catalog, self.folder, self.state
        delay, actor = self.stability_delay, self.actor

        def one_pass(store) -> intake.ScanReport:
            return intake.scan_once(store, folder, stability_delay=delay, state=state, actor=actor)

        worker.run_on_store(data_dir, catalog, one_pass, self._on_done, changed=self._on_changes)

    def _on_changes(self, changes: worker.Changes) -> None:
        if not self.stopped:
            self.changed.emit(changes)

    def _on_done(self, report: intake.ScanReport | None, error: BaseException | None) -> None:
        self.running = False
        if self.stopped:  # the window closed while the pass ran: its store is gone, and so is the interest
            return
        if error is not None:
            self.failed.emit(worker.known(error))
            return
        self.last = report
        if self.folder is not None and str(self.folder) not in self.watcher.directories():
            self.watcher.addPath(str(self.folder))  # the pass just reached it (scan_once checks it on the worker)
        self.passed.emit(report)
        if self.again or report.waiting or report.busy:
            self.poll.start()
