"""The screen lock: an idle timer over all input, and the lock page that replaces the window's content."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.accounts.roles import Session
from desktop.accounts.staff import Accounts
from desktop.domain.errors import DeskError
from desktop.ui.auth import LoginDialog, password_field
from desktop.ui.pagebase import hint_label, set_hint

INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}


class IdleWatcher(QObject):
    """Emits `idle` after `minutes` without keyboard or mouse input anywhere in the application."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in INPUT_EVENTS:
            self.timer.start()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockPage(QWidget):
    """Shown instead of the desk's content: unlock with the same password, or let another person log in."""

    unlocked = Signal(object)  # the session, the same person's
    switched = Signal(object)  # another person's session

    def __init__(self, accounts: Accounts, parent: QWidget | None = None):
        super().__init__(parent)
        self.accounts = accounts
        self.session: Session | None = None
        self.who = QLabel()
        self.who.setProperty("role", "title")
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = password_field("输入密码解锁")
        self.password.setMaximumWidth(360)
        self.password.returnPressed.connect(self.try_unlock)
        self.error = hint_label(error=True)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        unlock = QPushButton("解锁")
        unlock.clicked.connect(self.try_unlock)
        other = QPushButton("其他人员登录")
        other.clicked.connect(self._other_login)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password)
        row.addWidget(unlock)
        row.addWidget(other)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.who)
        note = QLabel("屏幕内容已隐藏；正在填写的内容已自动保存为草稿，解锁后原样继续。")
        note.setProperty("role", "hint")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(note)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch(3)

    def show_for(self, session: Session) -> None:
        self.session = session
        self.who.setText(f"已锁定　{session.display_name}（{session.role_label}）")
        self.password.clear()
        self.error.setText("")
        self.password.setFocus()

    def try_unlock(self) -> None:
        try:
            session = self.accounts.unlock(self.session, self.password.text())
        except DeskError as exc:
            set_hint(self.error, exc.message, error=True)
            self.password.selectAll()
            return
        self.unlocked.emit(session)

    def _other_login(self) -> None:
        dialog = LoginDialog(self.accounts, parent=self)
        if dialog.exec() and dialog.session is not None:
            if dialog.session.username == self.session.username:
                self.unlocked.emit(dialog.session)
            else:
                self.switched.emit(dialog.session)
