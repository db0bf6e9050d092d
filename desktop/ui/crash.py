"""The desk's crash path, after qutebrowser's: a bug anywhere is logged (redacted), the open draft is saved,
and one Chinese dialog says what happened, that the work is kept, and where the log is.

`sys.excepthook` catches exceptions in slots and on the GUI thread, `threading.excepthook` those of worker
threads (handed to the GUI thread for the dialog), and faulthandler writes the stacks of a hard crash
(a segfault in Qt) to logs/fatal.log. The log holds the traceback's frames and the exception's type; its
message only with digits masked by `logs.redact` and Chinese characters blanked, so no ID number, phone or
name can reach it.
"""

from __future__ import annotations

import faulthandler
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.domain.errors import DeskError

# logging and storage.logs (logging.handlers, traceback) are imported where a bug is logged, and early by the start's preparation
# (ui/start.py): the crash handler is installed before the login window, which must paint as soon as a bare window

FATAL_LOG = "fatal.log"


class CrashHandler(QObject):
    """Installs the hooks; `save_draft()` (from the main window) saves the open draft and returns its UUID."""

    crashed = Signal(str)  # the dialog's text, after it is shown (tests wait on it)
    _from_thread = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.save_draft: Callable[[], str | None] = lambda: None
        self.window: QWidget | None = None
        self.dialog: QMessageBox | None = None
        self._fatal = None
        self._previous = (sys.excepthook, threading.excepthook)
        self._from_thread.connect(self._show)

    def install(self) -> CrashHandler:
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception
        try:
            (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
            self._fatal = open(self.data_dir / "logs" / FATAL_LOG, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
            faulthandler.enable(self._fatal)
        except OSError:
            faulthandler.enable()  # the console at least: a hard crash must leave some trace
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous
        faulthandler.disable()
        if self._fatal is not None:
            self._fatal.close()
            self._fatal = None

    def _on_exception(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous[0](exc_type, exc, tb)
            return
        if isinstance(exc, DeskError):  # a known error no screen caught (the disk filled during a redraw): say it
            self._known(exc)
            return
        self._show(self._log(exc_type, exc, tb))

    def _known(self, exc: DeskError) -> None:
        import logging

        logging.getLogger("desktop").warning("known error outside a screen's handling: %s", type(exc).__name__)
        box = QMessageBox(QMessageBox.Icon.Warning, "无法完成操作", f"{exc.message}\n\n{self._saved()}",
                          QMessageBox.StandardButton.Ok, self.window)
        box.open()
        self.dialog = box
        self.crashed.emit(box.text())

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        where = self._log(args.exc_type, args.exc_value, args.exc_traceback)
        self._from_thread.emit(where)  # queued to the GUI thread: widgets live there only

    def _log(self, exc_type, exc, tb) -> str:
        import logging

        from desktop.storage import logs

        try:
            path = logs.setup(self.data_dir)
        except OSError:
            return "（日志无法写入）"
        logging.getLogger("desktop").error("bug\n%s", logs.redacted_report(exc_type, exc, tb))
        return str(path)

    def _saved(self) -> str:
        try:
            uuid = self.save_draft()
        except Exception:  # the bug may be in saving itself: say so rather than crash in the crash path
            import logging

            from desktop.storage import logs

            logging.getLogger("desktop").error("saving the draft after a bug failed\n%s",
                                               logs.redacted_report(*sys.exc_info()))
            return "正在填写的草稿未能自动保存，请核对后重新保存。"
        return "正在填写的草稿已保存，可从首页“未完成的草稿”继续。" if uuid else "已保存的数据不受影响。"

    def _show(self, where: str) -> None:
        text = f"工作台出现了一个内部错误。{self._saved()}\n\n详细情况已记录到：{where}\n请把此文件交给管理员。"
        if self.dialog is not None and self.dialog.isVisible():  # one dialog, however many errors follow
            self.crashed.emit(text)
            return
        self.dialog = QMessageBox(QMessageBox.Icon.Critical, "内部错误", text, QMessageBox.StandardButton.Ok,
                                  self.window)
        self.dialog.open()
        self.crashed.emit(text)
