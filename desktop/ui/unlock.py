"""Logging in to an encrypted data dir: the password unlocks the data key (storage/crypto.py), then the store
opens and the same password logs in, so staff type it once. The idle lock never comes here: it hides the
screen and keeps the key (ui/lock.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop.storage import crypto
from desktop.ui.auth import LoginDialog

if TYPE_CHECKING:  # imported at the first attempt (or meanwhile by the start): the window paints first
    from desktop.storage.store import Store


class UnlockDialog(LoginDialog):
    """The login dialog of an encrypted desk; `store` and `session` are set once it is accepted."""

    def __init__(self, data_dir: Path, *, parent: QWidget | None = None, ready=None):
        super().__init__(None, parent=parent, ready=ready)  # the accounts exist once the store opens
        self.data_dir = Path(data_dir)
        self.store: Store | None = None
        self.setWindowTitle("登录（本机数据已加密）")

    def attempt(self) -> None:
        self.get_ready()
        if self.store is None:
            from desktop.accounts.staff import Accounts
            from desktop.storage.store import Store
            from desktop.ui.start import upgrade

            crypto.unlock_password(self.data_dir, self.fields["username"].text(), self.fields["password"].text())
            upgrade(self.data_dir, self)  # the first start after an update: its migrations off the GUI thread
            self.store = Store.open(self.data_dir)
            self.accounts = Accounts(self.store.db)
        super().attempt()

    def close_store(self) -> None:
        """Cancelled after unlocking: close what was opened and forget the key."""
        if self.store is not None:
            self.store.close()
            self.store = None
        crypto.forget(self.data_dir)
