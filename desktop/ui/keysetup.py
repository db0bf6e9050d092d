"""Encrypting this device's data from the desk (accounts/keysetup.py): required at a new data dir's first run,
offered to an administrator of a plain data dir with cases at each login until done.

The administrator types their password again (it wraps the data key); the store is closed, the conversion
runs on a worker with a progress bar, the store is reopened (encrypted, or still plain if it failed: the
conversion never touches the plain data before its copy is verified), and the recovery paper is shown to print
or save, once. Closing it unprinted asks first: the recovery key is never shown again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QProgressBar, QWidget

from desktop.accounts import keysetup, roles
from desktop.accounts.staff import Accounts
from desktop.domain.errors import DeskError
from desktop.storage.store import Store
from desktop.ui import worker
from desktop.ui.auth import FormDialog, password_field
from desktop.ui.backuprun import Percent
from desktop.ui.pagebase import set_hint
from desktop.ui.printing import PdfPreview

REQUIRED = ("本机数据将加密保存（AES-256）：笔记本电脑遗失或被盗时，案件和扫描件都无法被读取。"
            "请再次输入您的密码，随后生成“数据恢复密钥单”，打印后封存于保险柜（只生成这一次）。")
OFFERED = ("本机数据尚未加密：笔记本电脑遗失或被盗时，群众的身份证号、扫描件等可被直接读取。"
           "建议现在加密（原数据先复制并校验，再替换，过程中断不会丢失数据）。请输入您的密码。")


class KeySetupDialog(FormDialog):
    """The administrator's password, then the conversion on a worker; `store` is the store to use afterwards
    and `pdf` the recovery paper once accepted."""

    def __init__(self, store: Store, session: roles.Session, *, required: bool, parent: QWidget | None = None):
        super().__init__("加密本机数据", REQUIRED if required else OFFERED, parent)
        self.store, self.session, self.required = store, session, required
        self.data_dir = Path(store.data_dir)
        self.pdf: bytes | None = None
        self.running = False
        self.add("password", f"{session.display_name}的密码", password_field())
        self.progress = QProgressBar()
        self.setMinimumWidth(600)
        self.progress.setFormat("正在加密本机数据 %p%")
        self._relay = Percent(self)
        self._relay.percent.connect(self.progress.setValue)
        self.progress.setVisible(False)
        self.layout().insertWidget(self.layout().count() - 1, self.progress)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("加密")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出工作台" if required else "以后再说")

    def _on_ok(self) -> None:
        password = self.fields["password"].text()
        try:
            Accounts(self.store.db).confirm(self.session, password)
        except DeskError as exc:
            self._show_error(exc.message)
            return
        self.running = True
        self.error.setVisible(False)
        self.buttons.setEnabled(False)
        self.fields["password"].setEnabled(False)
        self.progress.setVisible(True)
        catalog, where, session, tell = self.store.catalog, self.data_dir, self.session, self._relay.percent.emit
        self.progress.setValue(0)
        self.store.close()

        def convert() -> bytes:
            return keysetup.encrypt_dir(where, session.username, session.display_name, password, progress=tell)

        worker.run(convert, lambda pdf, error: self._on_done(catalog, pdf, error))

    def _on_done(self, catalog, pdf: bytes | None, error: BaseException | None) -> None:
        self.running = False
        self.store = Store.open(self.data_dir, catalog)  # encrypted now, or the untouched plain data
        self.progress.setVisible(False)
        self.buttons.setEnabled(True)
        self.fields["password"].setEnabled(True)
        if error is not None:
            self._show_error(f"加密未完成，原数据未改动：{worker.known(error)}")
            return
        self.pdf = pdf
        self.accept()

    def _show_error(self, message: str) -> None:
        set_hint(self.error, message, error=True)
        self.error.setVisible(True)
        self.fields["password"].setFocus()
        self.fields["password"].selectAll()

    def reject(self) -> None:
        if not self.running:  # the conversion finishes first: the store is closed meanwhile
            super().reject()


class RecoveryPaper(PdfPreview):
    """The recovery paper, shown once: printing or saving it is audited; closing it unused asks first."""

    def __init__(self, pdf: bytes, store: Store, session: roles.Session, parent: QWidget | None = None):
        super().__init__(pdf, "数据恢复密钥单（只显示这一次）", parent, file_name="数据恢复密钥单.pdf")
        self.store, self.session, self.how, self.kept = store, session, "打印", False

    def save_to(self, path: Path) -> None:
        self.how = path.name
        super().save_to(path)

    def printed(self) -> None:
        keysetup.paper_made(self.store.db, self.session.username, self.how)
        self.kept = True

    def reject(self) -> None:
        if self.kept or QMessageBox.question(
                self, "恢复密钥单尚未保存", "恢复密钥单还没有打印或保存。关闭后无法再次显示，"
                "忘记密码时将无法恢复本机数据。仍要关闭吗？") == QMessageBox.StandardButton.Yes:
            super().reject()


def offer(store: Store, session: roles.Session) -> tuple[Store, bool]:
    """Encrypt now if this data dir should be and the administrator is here: (the store to use, go on?).
    A new data dir (no cases) must be encrypted before the desk opens; one with cases is offered it."""
    if store.data_dir is None or not keysetup.wanted(store.data_dir) or not roles.can(session, "user.manage"):
        return store, True
    required = store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    dialog = KeySetupDialog(store, session, required=required)
    accepted = dialog.exec()
    store = dialog.store
    if accepted and dialog.pdf is not None:
        RecoveryPaper(dialog.pdf, store, session).exec()
    return store, bool(accepted) or not required
