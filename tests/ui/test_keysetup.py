"""Encrypting the data from the desk: the administrator's password, the conversion on a worker with a progress
bar, the reopened store, the recovery paper printed or saved once (audited); staff made before it log in with
their own password and get their wrap at that login."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QDialog

from desktop.accounts.roles import Session
from desktop.accounts.staff import Accounts
from desktop.intake import demo
from desktop.storage import crypto
from desktop.storage.blobs import BlobStore
from desktop.ui.keysetup import KeySetupDialog, RecoveryPaper
from desktop.ui.unlock import UnlockDialog

ADMIN_PW, CLERK_PW = "adminpass1", "clerkpass1"
SHOTS = os.environ.get("DESK_TEST_PNG_DIR")  # set to look at the dialogs


@pytest.fixture(autouse=True)
def _encrypting(monkeypatch):
    monkeypatch.delenv("DESK_PLAIN_DATA")
    yield
    crypto._unlocked.clear()


def staffed(store) -> Session:
    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", ADMIN_PW)
    admin = accounts.login("admin", ADMIN_PW)
    accounts.add_user(admin, "lixl", "李晓兰", "窗口人员", password=CLERK_PW, must_change=False)
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(5), dt.date(2026, 11, 27))
    demo.receive_all(service, case)
    store.accept(case, actor="lixl")
    return admin


def shot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / name))


def test_an_administrator_encrypts_a_plain_desk_and_keeps_the_recovery_paper(qtbot, store, data_dir, tmp_path):
    admin = staffed(store)
    for n in range(4):
        BlobStore.of(data_dir).put_bytes(f"扫描件 {n}".encode() * 100)
    dialog = KeySetupDialog(store, admin, required=False)
    qtbot.addWidget(dialog)
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    dialog.show()
    shot(dialog, "keysetup-offered.png")
    dialog.fields["password"].setText("wrongpass1")
    dialog._on_ok()
    assert "密码" in dialog.error.text() and not crypto.is_encrypted(data_dir) and not dialog.progress.isVisible()
    dialog.fields["password"].setText(ADMIN_PW)
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog._on_ok()
        assert dialog.progress.isVisible() and not dialog.buttons.isEnabled()
        shot(dialog, "keysetup-running.png")
        dialog.reject()  # closing while the store is closed does nothing
        assert dialog.running
    assert crypto.is_encrypted(data_dir) and dialog.pdf is not None
    assert seen[:2] == [0, 30] and seen[-1] == 100 and seen == sorted(seen) and len(seen) > 3, seen  # scans one by one
    store = dialog.store
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1  # the reopened, encrypted store
    paper = RecoveryPaper(dialog.pdf, store, admin)
    qtbot.addWidget(paper)
    paper.resize(1366, 768)
    paper.show()
    shot(paper, "keysetup-paper.png")
    paper.save_to(tmp_path / "恢复密钥单.pdf")
    actions = [r["action"] for r in store.db.query("SELECT action FROM audit ORDER BY id")][-2:]
    assert actions == ["key.setup", "key.recovery_print"]
    store.close()
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "恢复密钥单.pdf").pages)
    code = " ".join(line for line in text.splitlines() if re.fullmatch(r"[A-Z2-7]{4}( +[A-Z2-7]{4}){3}", line))
    crypto.forget(data_dir)
    crypto.unlock_recovery(data_dir, code)
    crypto.forget(data_dir)
    # the clerk made before the setup logs in at the desk with her own password, and gets her wrap there
    assert crypto.KeyFile.load(data_dir).needs_wrap("lixl")
    login = UnlockDialog(data_dir)
    qtbot.addWidget(login)
    login.fields["username"].setText("lixl")
    login.fields["password"].setText(CLERK_PW)
    with qtbot.waitSignal(login.accepted):
        login._on_ok()
    assert login.session.username == "lixl" and not crypto.KeyFile.load(data_dir).needs_wrap("lixl")
    login.store.close()


def test_a_failed_conversion_leaves_the_plain_desk_usable(qtbot, store, data_dir, monkeypatch):
    from desktop.domain.errors import StoreError
    from desktop.storage import encrypt

    admin = staffed(store)

    def refuse(*_args, **_kw):
        raise StoreError("加密副本校验失败，原数据未改动：desk.sqlite.new")

    monkeypatch.setattr(encrypt, "_export", refuse)
    dialog = KeySetupDialog(store, admin, required=True)
    qtbot.addWidget(dialog)
    dialog.fields["password"].setText(ADMIN_PW)
    dialog._on_ok()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert dialog.result() != QDialog.DialogCode.Accepted and "加密未完成" in dialog.error.text()
    assert not crypto.is_encrypted(dialog.store.data_dir)
    assert dialog.store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    dialog.store.close()


def test_a_new_desk_must_be_encrypted_before_it_opens_and_a_plain_one_with_cases_is_offered_it(
        qtbot, store, data_dir, monkeypatch, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.ui import keysetup

    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", ADMIN_PW)
    admin = accounts.login("admin", ADMIN_PW)
    clerk = Session("lixl", "李晓兰", "clerk")
    assert keysetup.offer(store, clerk) == (store, True), "only an administrator is asked"
    monkeypatch.setenv("DESK_PLAIN_DATA", "1")
    assert keysetup.offer(store, admin) == (store, True), "tests and development may keep a plain dir"
    monkeypatch.delenv("DESK_PLAIN_DATA")
    seen: list[str] = []

    def answer(password: str | None):
        def act():
            dialog = QApplication.activeModalWidget()
            seen.append(dialog.windowTitle() + "|" + dialog.buttons.button(dialog.buttons.StandardButton.Cancel).text())
            if password is None:
                dialog.reject()
                return
            dialog.fields["password"].setText(password)
            dialog._on_ok()
        QTimer.singleShot(0, act)

    answer(None)  # a new desk (no cases): 退出工作台 is the only other way
    assert keysetup.offer(store, admin) == (store, False) and not crypto.is_encrypted(data_dir)
    assert seen[-1] == "加密本机数据|退出工作台"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    def save_the_paper_when_shown():
        paper = QApplication.activeModalWidget()
        if isinstance(paper, RecoveryPaper):
            paper.save_to(tmp_path / "恢复密钥单.pdf")
        else:
            QTimer.singleShot(50, save_the_paper_when_shown)

    answer(ADMIN_PW)
    QTimer.singleShot(0, save_the_paper_when_shown)
    store, go_on = keysetup.offer(store, admin)
    assert go_on and crypto.is_encrypted(data_dir) and (tmp_path / "恢复密钥单.pdf").is_file()
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    store.close()
