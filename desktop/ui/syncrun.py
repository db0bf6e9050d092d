"""Sync in the background: a pass when due (backoff is the core's), 立即同步 on demand, status for the status bar.

Each pass runs on a worker thread with its own database connection and its own SyncEngine: the pass waits
on the network, which the window must never do. The backoff and the last error live in the database, so
a fresh engine per pass continues where the last one stopped.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.domain.catalog import Catalog
from desktop.ui import worker


class SyncRunner(QObject):
    """`updated(status, report)` after each pass, on the GUI thread (report None when no pass was due);
    `changed(changes)` with what a pass committed ((what, case uuid) pairs), before `updated`."""

    updated = Signal(object, object)
    changed = Signal(object)

    def __init__(self, data_dir: Path, catalog: Catalog, parent: QObject | None = None, *, poll_seconds: int = 30):
        super().__init__(parent)
        self.data_dir, self.catalog = Path(data_dir), catalog
        self.running = False
        self.stopped = False
        self.force_again = False
        self.timer = QTimer(self, interval=poll_seconds * 1000)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.timer.start()
        self.tick()

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()

    def tick(self) -> None:
        self._run(force=False)

    def sync_now(self) -> None:
        self._run(force=True)

    def resolve(self, uuid: str, action: str, actor: str, done) -> None:
        """A clerk's decision on a conflict or rejection; it may ask the hub, so it runs like a pass.

        `done(message_or_None)` runs on the GUI thread: None when it worked, else the Chinese reason.
        """
        def decide(engine):
            engine.resolve(uuid, action, actor=actor)
            return None

        self._run(force=False, extra=decide, done=done)

    def _run(self, *, force: bool, extra=None, done=None) -> None:
        if self.running:
            if done is not None:
                done("正在同步，请稍后再试")
            elif force:
                self.force_again = True  # 立即同步 pressed during a pass: one more right after it
            return
        self.force_again = False
        self.running = True
        data_dir, catalog = self.data_dir, self.catalog

        def one_pass(store):
            from desktop.sync.engine import SyncEngine

            engine = SyncEngine(store)
            if extra is not None:
                extra(engine)
                return engine.status(), None
            configured = engine.status().configured
            report = (engine.sync_now() if force else engine.tick()) if configured else None
            return engine.status(), report

        def finished(result, error: BaseException | None) -> None:
            self._on_done(result, error)
            if done is not None:
                done(getattr(error, "message", None) if error is not None else None)

        worker.run_on_store(data_dir, catalog, one_pass, finished, changed=self._on_changes)

    def _on_changes(self, changes: worker.Changes) -> None:
        if not self.stopped:
            self.changed.emit(changes)

    def _on_done(self, result, error: BaseException | None) -> None:
        self.running = False
        if self.stopped:  # the window closed while the pass ran: its store is gone, and so is the interest
            return
        if error is not None:
            worker.known(error)  # a bug is raised; a known error is said by the caller's `done`
            return
        status, report = result
        self.updated.emit(status, report)
        if self.force_again:
            self.sync_now()
