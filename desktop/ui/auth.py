"""Logging in: the first administrator, the login, the forced change of an initial password."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DeskError, ValidationError
from desktop.ui.hints import hint_label, set_hint

if TYPE_CHECKING:  # the login window paints before the accounts (argon2) and the store are imported (issue 16)
    from desktop.accounts.roles import Session
    from desktop.accounts.staff import Accounts


def password_field(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class FormDialog(QDialog):
    """A small form with an error line; `attempt()` runs on OK and keeps the dialog open on a DeskError."""

    def __init__(self, title: str, intro: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.error = hint_label(error=True)
        self.error.setVisible(False)
        # buttons added one by one: the constructor taking them resolves an overload with Qt.Orientation, which makes
        # PySide6 build every enum of the Qt namespace (≈90 Python enums, 30-45 ms) before the login window paints
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            layout.addWidget(hint_label(intro))
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.fields: dict[str, QLineEdit] = {}

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Open with the cursor in the first empty field, so typing starts where it should."""
        super().showEvent(event)
        empty = next((e for e in self.fields.values() if not e.text()), None)
        (empty or next(iter(self.fields.values()), self)).setFocus()

    def add(self, key: str, label: str, edit: QLineEdit | None = None) -> QLineEdit:
        edit = edit or QLineEdit()
        self.fields[key] = edit
        self.form.addRow(label, edit)
        return edit

    def _on_ok(self) -> None:
        try:
            self.attempt()
        except DeskError as exc:
            set_hint(self.error, exc.message, error=True)
            self.error.setVisible(True)
            widget = self.fields.get(exc.field or "")
            if widget is not None:
                widget.setFocus()
                widget.selectAll()
            return
        self.accept()

    def attempt(self) -> None:
        """Subclasses do the work here, raising DeskError with the field named."""


class LoginDialog(FormDialog):
    """Username and password; an initial password must be changed before the session may do anything.

    At the desk's start it shows before the store is open (ui/start.py): `ready`, called at the first attempt,
    finishes what the start still had to prepare and returns the accounts (None: they are set already)."""

    def __init__(self, accounts: Accounts | None, *, username: str = "", parent: QWidget | None = None,
                 meanwhile: Callable[[], object] | None = None, ready: Callable[[], Accounts | None] | None = None):
        super().__init__("登录 一件事帮代办工作台", "请使用本人账号登录。离开窗口时请锁屏（Ctrl+L）。", parent)
        self.accounts, self.meanwhile = accounts, meanwhile  # meanwhile: done during the password check
        self.ready = ready
        self.session: Session | None = None
        self.add("username", "用户名").setText(username)
        self.add("password", "密码", password_field())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")

    def get_ready(self) -> None:
        """What the start prepares, finished now if the clerk was quicker (once; an error is the dialog's)."""
        if self.ready is not None:
            accounts = self.ready()
            self.ready = None
            self.accounts = accounts or self.accounts

    def attempt(self) -> None:
        self.get_ready()
        assert self.accounts is not None
        session = self.accounts.login(self.fields["username"].text(), self.fields["password"].text(),
                                      meanwhile=self.meanwhile)
        self.meanwhile = None  # once is enough, even after a wrong password
        if session.must_change:
            change = ChangePasswordDialog(self.accounts, session, old=self.fields["password"].text(), parent=self)
            if not change.exec():
                raise ValidationError("初始密码须先修改才能使用", field="password")
            session = change.session
        self.session = session


class ChangePasswordDialog(FormDialog):
    """Change one's own password (forced after an initial or reset password)."""

    def __init__(self, accounts: Accounts, session: Session, *, old: str = "", parent: QWidget | None = None):
        super().__init__("修改密码", f"{session.display_name}：请设置新密码（至少8位，不能与用户名或旧密码相同）。", parent)
        self.accounts, self.session = accounts, session
        self.add("old", "当前密码", password_field()).setText(old)
        self.add("password", "新密码", password_field())
        self.add("confirm", "再次输入新密码", password_field())

    def attempt(self) -> None:
        if self.fields["password"].text() != self.fields["confirm"].text():
            raise ValidationError("两次输入的新密码不一致", field="confirm")
        self.session = self.accounts.change_password(self.session, self.fields["old"].text(),
                                                     self.fields["password"].text())


class FirstAdminDialog(FormDialog):
    """The first run: create the device's administrator, who then adds the staff."""

    def __init__(self, accounts: Accounts, parent: QWidget | None = None):
        super().__init__("首次使用：创建管理员", "本机还没有任何账号。请先创建管理员账号；管理员负责添加窗口人员、"
                         "村级代办员等账号和修改设置，但不查看案件内容。", parent)
        self.accounts = accounts
        self.session: Session | None = None
        self.add("username", "管理员用户名").setPlaceholderText("小写字母开头，如 admin")
        self.add("display_name", "姓名")
        self.add("password", "密码", password_field("至少8位"))
        self.add("confirm", "再次输入密码", password_field())

    def attempt(self) -> None:
        if self.fields["password"].text() != self.fields["confirm"].text():
            raise ValidationError("两次输入的密码不一致", field="confirm")
        username = self.fields["username"].text()
        self.accounts.create_admin(username, self.fields["display_name"].text(), self.fields["password"].text())
        self.session = self.accounts.login(username, self.fields["password"].text())
