"""The audit trail at login: a quick check from the checkpoint, then the full walk in the background, shown."""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QMessageBox

from desktop.storage import audit
from desktop.storage.db import DB_NAME
from desktop.ui.auditcheck import FullCheck, login_check


def test_the_full_walk_runs_in_the_background_and_says_so(qtbot, main_window, store):
    for i in range(5):
        audit.append(store.db, "lixiaolan", "login", detail={"n": i})
    assert login_check(store) is None
    window = main_window()
    with qtbot.waitSignal(FullCheck(window, store).finished, timeout=20000) as done:
        pass
    assert done.args[0].broken is None and done.args[0].full
    assert window.statusBar().currentMessage() == "审计记录全链校验通过：共 5 条"


def test_an_edit_the_login_check_cannot_see_is_shown_by_the_full_walk(qtbot, main_window, store, monkeypatch):
    for i in range(5):
        audit.append(store.db, "lixiaolan", "login", detail={"n": i})
    assert login_check(store) is None  # the checkpoint is now entry 5
    conn = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET username = 'someone' WHERE id = 2")
    conn.execute("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
                 "BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改或删除'); END")
    conn.close()
    assert login_check(store) is None, "below the checkpoint: only the full walk sees it"
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    window = main_window()
    with qtbot.waitSignal(FullCheck(window, store).finished, timeout=20000):
        pass
    assert shown == [("审计记录异常", "第2条审计记录的内容被改动（哈希不符）\n请立即通知审计员。")]
