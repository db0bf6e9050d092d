"""Staff screens: the administrator's user management, the auditor's audit trail with its verification."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.accounts.roles import ROLES, Area, Session, can
from desktop.accounts.staff import Accounts
from desktop.domain import states, wording
from desktop.domain.errors import DeskError
from desktop.storage import audit, settings
from desktop.storage.store import Store
from desktop.ui.auth import FormDialog
from desktop.ui.pagebase import hint_label, set_hint


def table(headers: list[str]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    widget.horizontalHeader().setStretchLastSection(True)
    return widget


def fill(widget: QTableWidget, rows: list[list[str]]) -> None:
    widget.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            widget.setItem(r, c, QTableWidgetItem(value))


class AddUserDialog(FormDialog):
    """A new staff account with a role and an area; shows the initial password to hand over once."""

    def __init__(self, accounts: Accounts, session: Session, townships: list[dict], parent: QWidget | None = None):
        super().__init__("添加账号", "新账号首次登录时须修改初始密码。村级代办员须指定乡镇，可限定到村。", parent)
        self.accounts, self.session = accounts, session
        self.password = ""
        self.add("username", "用户名").setPlaceholderText("小写字母开头，如 lixiaolan")
        self.add("display_name", "姓名")
        self.add("staff_no", "工号").setPlaceholderText("如 XZ0301；印在委托书受托人栏和受理回执上")
        self.role = QComboBox()
        self.role.addItems(list(ROLES.values()))
        self.form.addRow("角色", self.role)
        self.township = QComboBox()
        self.township.setEditable(True)
        self.township.addItems(["", *(t["name"] for t in townships)])
        self.form.addRow("乡镇（区域）", self.township)
        self.add("villages", "村（社区，可多个，用、分隔）")

    def attempt(self) -> None:
        villages = tuple(v.strip() for v in self.fields["villages"].text().replace("，", "、").split("、") if v.strip())
        area = Area(self.township.currentText().strip(), villages)
        role = list(ROLES)[self.role.currentIndex()]
        self.password = self.accounts.add_user(self.session, self.fields["username"].text(),
                                               self.fields["display_name"].text(), role, area,
                                               staff_no=self.fields["staff_no"].text())


class EditUserDialog(FormDialog):
    """An account's name and 工号 (the 工号 prints where papers name the staff member)."""

    def __init__(self, accounts: Accounts, session: Session, user: dict, parent: QWidget | None = None):
        super().__init__(f"修改账号 {user['username']}", "工号印在委托书的受托人栏和受理回执的受理人处；清空则不印。", parent)
        self.accounts, self.session, self.username = accounts, session, user["username"]
        self.add("display_name", "姓名").setText(user["display_name"])
        self.add("staff_no", "工号").setText(user["staff_no"])

    def attempt(self) -> None:
        self.accounts.edit_user(self.session, self.username, display_name=self.fields["display_name"].text(),
                                staff_no=self.fields["staff_no"].text())


class UsersPage(QWidget):
    """Accounts of this device: add, disable or enable, reset a password (administrator only)."""

    COLUMNS = ["用户名", "姓名", "工号", "角色", "服务区域", "状态"]

    def __init__(self, accounts: Accounts, session: Session, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.accounts, self.session, self.store = accounts, session, store
        title = QLabel("用户管理")
        title.setProperty("role", "title")
        self.table = table(self.COLUMNS)
        self.message = hint_label()
        buttons = QHBoxLayout()
        for text, slot in (("添加账号…", self.add_user), ("修改…", self.edit_user),
                           ("停用", lambda: self._set_disabled(True)),
                           ("启用", lambda: self._set_disabled(False)), ("重置密码", self.reset_password)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint_label("管理员管理账号与本机设置，但不查看案件内容。"))
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.reload()

    def reload(self) -> None:
        self.users = self.accounts.users()
        fill(self.table, [[u["username"], u["display_name"], u["staff_no"] or "—", u["role_label"], u["area_label"] or "—",
                           "已停用" if u["disabled"] else ("已锁定" if u["locked_until"] else
                                                          ("待改初始密码" if u["must_change"] else "正常"))]
                          for u in self.users])

    def selected(self) -> str | None:
        row = self.table.currentRow()
        return self.users[row]["username"] if 0 <= row < len(self.users) else None

    def _run(self, fn, done: str) -> None:
        try:
            result = fn()
        except DeskError as exc:
            set_hint(self.message, exc.message, error=True)
            return
        set_hint(self.message, done.format(result=result), error=False)
        self.reload()

    def add_user(self) -> None:
        dialog = AddUserDialog(self.accounts, self.session, settings.get(self.store.db, "townships"), self)
        if dialog.exec():
            QMessageBox.information(self, "初始密码", f"请将初始密码交给本人（只显示这一次）：\n\n{dialog.password}")
            set_hint(self.message, "已添加账号，首次登录须修改密码。", error=False)
            self.reload()

    def edit_user(self) -> None:
        name = self.selected()
        if name is None:
            set_hint(self.message, "请先在列表中选择一个账号", error=True)
            return
        user = next(u for u in self.users if u["username"] == name)
        if EditUserDialog(self.accounts, self.session, user, self).exec():
            set_hint(self.message, f"已修改账号 {name}", error=False)
            self.reload()

    def _set_disabled(self, disabled: bool) -> None:
        name = self.selected()
        if name is None:
            set_hint(self.message, "请先在列表中选择一个账号", error=True)
            return
        self._run(lambda: self.accounts.set_disabled(self.session, name, disabled),
                  f"已{'停用' if disabled else '启用'}账号 {name}")

    def reset_password(self) -> None:
        name = self.selected()
        if name is None:
            set_hint(self.message, "请先在列表中选择一个账号", error=True)
            return
        if QMessageBox.question(self, "重置密码", f"确认重置 {name} 的密码？") != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda: self.accounts.reset_password(self.session, name), f"{name} 的新初始密码：{{result}}（只显示这一次）")


class AuditPage(QWidget):
    """The audit trail in words (who, what, which case by its number, when in the hall's time, where) and its
    hash-chain verification. The UUIDs and codes stay in the stored entries (and `audit list --json`)."""

    COLUMNS = ["序号", "时间", "设备", "人员", "操作", "案件", "详情"]

    def __init__(self, accounts: Accounts, session: Session, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.accounts, self.session, self.store = accounts, session, store
        title = QLabel("审计记录")
        title.setProperty("role", "title")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("按人员、操作、案件编号或详情筛选")
        self.filter.textChanged.connect(self.reload)
        verify = QPushButton("校验完整性")
        verify.clicked.connect(self.verify)
        self.result = hint_label()
        self.table = table(self.COLUMNS)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(verify)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addWidget(self.table, 1)
        self.can_read = can(session, "audit.view")  # the administrator may verify but not read the trail
        self._names = self._lookups() if self.can_read else ({}, {}, {})
        self.reload()
        self.verify()

    def reload(self) -> None:
        if not self.can_read:
            fill(self.table, [])
            return
        text = self.filter.text().strip()
        shown = [self._words(r) for r in reversed(audit.export(self.store.db))]
        fill(self.table, [row for row in shown if not text or any(text in cell for cell in row)][:2000])

    def _words(self, r: dict) -> list[str]:
        people, numbers, words = self._names
        case = (numbers.get(r["case_uuid"]) or "（草稿）") if r.get("case_uuid") else ""
        return [str(r["id"]), wording.local_time(r["at"]), r["device"],
                people.get(r["username"], r["username"]) if r["username"] else "（未知账号）",
                wording.action_label(r["action"]), case, wording.describe(r.get("detail"), words)]

    def _lookups(self) -> tuple[dict, dict, dict]:
        """Usernames → names, case UUIDs → numbers, codes → words (services, materials, roles, settings)."""
        numbers = {r["uuid"]: r["number"] for r in self.store.db.query("SELECT uuid, number FROM cases")}
        words = {f"service:{n}": s.name for n, s in self.store.catalog.services.items()}
        words |= {f"material:{m.id}": m.name for s in self.store.catalog.services.values() for m in s.materials}
        words |= {f"role:{k}": v for k, v in ROLES.items()}
        words |= {f"action:{a.name}": a.label for a in states.ACTIONS.values()}
        return self.accounts.names(), numbers, words

    def verify(self) -> None:
        broken = audit.verify(self.store.db)
        if broken is None:
            set_hint(self.result, "✔ 审计记录完整：哈希链从第一条到最后一条均未被改动或删除。", error=False)
        else:
            set_hint(self.result, f"✘ {broken.message}", error=True)

