"""Work deferred until a window has first painted: the desk's start shows its home screen first (bench/startup.py
times the start to that paint), and what a clerk does not need yet comes after it, from the event loop."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication


def on_first_paint(window, callback, *, delay_ms: int = 0) -> None:
    """Call `callback` from the event loop `delay_ms` after `window` (or a widget in it) first paints; never once
    the window is gone."""

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.window() is window:
                _app().removeEventFilter(self)
                QTimer.singleShot(delay_ms, window, callback)
            return False

    hook = FirstPaint(window)
    _app().installEventFilter(hook)


def _app() -> QCoreApplication:
    app = QApplication.instance()
    assert app is not None, "on_first_paint needs the QApplication"
    return app
