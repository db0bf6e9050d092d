"""The login of an encrypted desk: a wrong password opens nothing, the right one unlocks, opens and logs in once."""

from __future__ import annotations

from pathlib import Path

from desktop.accounts.staff import Accounts
from desktop.storage import crypto, encrypt
from desktop.ui.unlock import UnlockDialog

PASSWORD = "adminpass1"


def test_the_password_unlocks_the_data_and_logs_in_at_once(qtbot, store, data_dir: Path):
    Accounts(store.db).create_admin("admin", "黄建华", PASSWORD)
    store.close()
    encrypt.convert(data_dir, "admin", PASSWORD)
    crypto.forget(data_dir)
    dialog = UnlockDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.fields["username"].setText("admin")
    dialog.fields["password"].setText("not-the-password")
    dialog._on_ok()
    assert dialog.store is None and dialog.session is None and "无法解锁" in dialog.error.text()
    assert not crypto.is_unlocked(data_dir)
    dialog.fields["password"].setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        dialog._on_ok()
    assert dialog.session is not None and dialog.session.username == "admin"
    assert dialog.store is not None and dialog.store.db.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    dialog.close_store()
    assert not crypto.is_unlocked(data_dir)
