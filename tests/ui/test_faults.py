"""The desk under faults: a failed acceptance, a full disk, a locked database, a bug in a slot or a thread.

The desk shows the known error in one Chinese sentence, keeps the draft (unnumbered, still saving), and loses
nothing; a bug is logged without personal data and one dialog says the work is kept.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from uuid import uuid4

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from desktop.domain.errors import StoreError
from desktop.storage.db import DB_NAME
from desktop.ui.crash import CrashHandler
from tests.ui.test_wizard import drive_to_review, prepared


def fill_the_disk(store, uuid: str) -> None:
    """The database may not grow (PRAGMA max_page_count); drafts, then small timeline entries (as small as
    an acceptance's) take the room left, to the last page: a full disk."""
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")
    for fill in (lambda n: store.save_draft(prepared(store, 1 + n % 20, seed=100 + n)),
                 lambda n: store.record_event(uuid, "note", detail={"n": n}),
                 lambda n: old_scan(store)):
        with pytest.raises(StoreError, match="磁盘已满"):
            for n in range(5000):
                fill(n)


def old_scan(store) -> None:
    """A scan that came and was removed long ago: its rows take room in every table and index a scan uses."""
    sha, now = secrets.token_hex(32), "2026-01-05T09:00:00+08:00"
    with store.db.atomic():
        store.db.execute("INSERT INTO blobs (sha256, size, mime, pages, created_at) VALUES (?, 1, 'image/jpeg', 1, ?)",
                         [sha, now])
        store.db.execute("INSERT INTO documents (id, sha256, received_at, state, pages, intake_id) "
                         "VALUES (?, ?, ?, 'removed', 1, ?)", [str(uuid4()), sha, now, str(uuid4())])


def click_accept(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)


def test_a_failed_audit_write_leaves_the_wizard_a_saveable_draft(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    drive_to_review(qtbot, wizard, data)

    def refuse(*_args):
        raise StoreError("审计记录写入失败（测试）")

    store.audit = refuse
    click_accept(qtbot, wizard)
    assert wizard.error.isVisible() and "审计记录写入失败" in wizard.error.text()
    assert wizard.case.state == "draft" and not wizard.case.number
    assert store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    wizard.page("applicant").applicant.address.setText("新填的地址")
    assert wizard.save_now()
    assert store.load(wizard.case.uuid).applicant.address == "新填的地址"
    store.audit = None
    with qtbot.waitSignal(wizard.accepted) as blocker:
        click_accept(qtbot, wizard)
    assert store.load(blocker.args[0]).number.endswith("-0001")


def test_a_full_disk_during_acceptance_is_said_and_the_draft_kept(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=4)
    wizard = make_wizard(qtbot, store, 3)
    drive_to_review(qtbot, wizard, data)
    fill_the_disk(store, wizard.case.uuid)
    click_accept(qtbot, wizard)
    assert "磁盘已满" in wizard.error.text() and wizard.case.state == "draft" and not wizard.case.number
    store.db.execute("PRAGMA max_page_count=1073741823")
    with qtbot.waitSignal(wizard.accepted):
        click_accept(qtbot, wizard)


def test_a_locked_database_while_typing_keeps_the_text_and_saves_later(qtbot, store, make_wizard):
    wizard = make_wizard(qtbot, store, 3)
    other = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    store.db.execute("PRAGMA busy_timeout=50")
    other.execute("BEGIN EXCLUSIVE")
    wizard.page("applicant").applicant.name.setText("王䶮𠈌")
    assert not wizard.save_now()
    assert "占用" in wizard.error.text() and wizard.page("applicant").applicant.name.text() == "王䶮𠈌"
    other.execute("ROLLBACK")
    other.close()
    assert wizard.save_now() and not wizard.error.isVisible()
    assert store.load(wizard.case.uuid).applicant.name == "王䶮𠈌"


def test_a_bug_in_a_slot_is_logged_redacted_the_draft_saved_and_said_once(qtbot, store, make_wizard, tmp_path):
    wizard = make_wizard(qtbot, store, 3)
    handler = CrashHandler(tmp_path / "crashdata").install()
    handler.window = wizard
    handler.save_draft = lambda: wizard.save_now() and wizard.case.uuid
    try:
        wizard.page("applicant").applicant.name.setText("欧阳䶮")
        wizard._save_timer.stop()  # not yet saved: the crash path must save it

        def bug() -> None:
            raise ValueError("欧阳䶮 430521199001010011 13812345678")

        with qtbot.waitSignal(handler.crashed) as shown:
            QTimer.singleShot(0, bug)
        with qtbot.waitSignal(handler.crashed):  # a second bug: logged, no second dialog
            QTimer.singleShot(0, bug)
    finally:
        handler.uninstall()
    assert "草稿已保存" in shown.args[0] and "crashdata" in shown.args[0]
    assert store.load(wizard.case.uuid).applicant.name == "欧阳䶮"
    log = (tmp_path / "crashdata" / "logs" / "desk.log").read_text(encoding="utf-8")
    assert "ValueError" in log and "test_faults.py" in log
    for secret in ("欧阳", "䶮", "19900101", "12345678"):
        assert secret not in log
    assert handler.dialog.text() == shown.args[0] and handler.dialog.isVisible()
    handler.dialog.close()


def test_a_bug_in_a_worker_thread_reaches_the_dialog(qtbot, tmp_path):
    handler = CrashHandler(tmp_path / "crashdata").install()
    try:
        thread = threading.Thread(target=lambda: 1 / 0)
        with qtbot.waitSignal(handler.crashed) as shown:
            thread.start()
            thread.join()
    finally:
        handler.uninstall()
    assert "内部错误" in shown.args[0] and "已保存的数据不受影响" in shown.args[0]
    assert "ZeroDivisionError" in (tmp_path / "crashdata" / "logs" / "desk.log").read_text(encoding="utf-8")
    handler.dialog.close()


def start_intake(window, folder):
    """The desk's intake runner on `folder`, wired as MainWindow._start_intake wires it, without the settle wait."""
    from desktop.ui.intakerun import IntakeRunner

    runner = IntakeRunner(window.store.data_dir, window.store.catalog, str(folder), stability_delay=0.0, parent=window)
    runner.passed.connect(window._on_intake)
    runner.changed.connect(window.signals.relay)
    window.intake = runner
    return runner


def one_pass(qtbot, runner):
    with qtbot.waitSignal(runner.passed, timeout=20_000) as passed:
        runner.scan_now()
    return passed.args[0]


def scan_folder(tmp_path):
    from tests.scanfiles import image_bytes

    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "户口簿.jpg").write_bytes(image_bytes("JPEG", 3))
    return folder


def inbox_count(store) -> int:
    return store.db.execute("SELECT count(*) FROM documents WHERE state = 'inbox'").fetchone()[0]


def test_a_locked_database_during_a_scan_is_said_and_the_scan_and_draft_kept(qtbot, store, main_window, tmp_path,
                                                                              monkeypatch):
    from desktop.storage import db as dbmod

    monkeypatch.setattr(dbmod, "PRAGMAS", tuple(p.replace("busy_timeout=5000", "busy_timeout=200") for p in dbmod.PRAGMAS))
    window = main_window()
    window.new_case(3)
    window.wizard.page("applicant").applicant.name.setText("欧阳䶮")
    assert window.wizard.save_now()
    runner = start_intake(window, scan_folder(tmp_path))
    other = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        for _ in range(4):  # more passes than a scan's tries: a locked database must not use them up
            report = one_pass(qtbot, runner)
            assert [w["why"] for w in report.waiting] == ["store"] and not report.quarantined
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "占用" in window.statusBar().currentMessage() and inbox_count(store) == 0
    assert list((store.data_dir / "intake-processing").glob("*.scan"))  # the scan is safe in the queue
    with qtbot.waitSignal(window.views_refreshed):
        report = one_pass(qtbot, runner)
    assert len(report.accepted) == 1 and inbox_count(store) == 1
    assert store.load(window.wizard.case.uuid).applicant.name == "欧阳䶮" and window.wizard.save_now()


def test_a_full_disk_during_a_scan_is_said_and_the_scan_kept(qtbot, store, main_window, tmp_path, monkeypatch):
    from desktop.storage import db as dbmod

    window = main_window()
    window.new_case(3)
    fill_the_disk(store, window.wizard.case.uuid)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    monkeypatch.setattr(dbmod, "PRAGMAS", (*dbmod.PRAGMAS, f"PRAGMA max_page_count={pages}"))  # the runner's too
    runner = start_intake(window, scan_folder(tmp_path))
    for _ in range(4):
        report = one_pass(qtbot, runner)
        assert [w["why"] for w in report.waiting] == ["store"] and not report.quarantined, report
    assert "磁盘已满" in window.statusBar().currentMessage() and inbox_count(store) == 0
    window.wizard.page("applicant").applicant.name.setText("王秀英")
    if not window.wizard.save_now():  # an edit in place may still fit; if not, it is said and kept on screen
        assert "磁盘已满" in window.wizard.error.text()
    assert window.wizard.page("applicant").applicant.name.text() == "王秀英"
    monkeypatch.setattr(dbmod, "PRAGMAS", tuple(p for p in dbmod.PRAGMAS if "max_page_count" not in p))
    store.db.execute("PRAGMA max_page_count=1073741823")  # the clerk cleared the disk
    report = one_pass(qtbot, runner)
    assert len(report.accepted) == 1 and inbox_count(store) == 1
    assert window.wizard.save_now() and store.load(window.wizard.case.uuid).applicant.name == "王秀英"


def test_a_known_error_no_screen_caught_is_said_as_such_and_faulthandler_is_on(qtbot, store, tmp_path):
    import faulthandler

    handler = CrashHandler(tmp_path / "crashdata").install()
    try:
        assert faulthandler.is_enabled() and (tmp_path / "crashdata" / "logs" / "fatal.log").exists()

        def full() -> None:
            raise StoreError("磁盘已满，本次未保存：请清理磁盘后重试", action="清理磁盘")

        with qtbot.waitSignal(handler.crashed) as shown:
            QTimer.singleShot(0, full)
    finally:
        handler.uninstall()
    assert shown.args[0].startswith("磁盘已满") and "内部错误" not in shown.args[0]
    assert handler.dialog.windowTitle() == "无法完成操作"
    handler.dialog.close()


def test_leaving_a_draft_that_cannot_be_saved_keeps_the_wizard_open(qtbot, store, main_window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    window = main_window()
    window.new_case(3)
    wizard = window.wizard
    other = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    store.db.execute("PRAGMA busy_timeout=50")
    other.execute("BEGIN EXCLUSIVE")
    try:
        wizard.page("applicant").applicant.name.setText("欧阳䶮")
        with pytest.raises(StoreError, match="草稿未能保存"):  # in the desk the crash path says it in a dialog
            window.go_home()
        assert window.wizard is wizard and window.stack.currentWidget() is wizard
        assert not window.close() and window.wizard is wizard  # nor does the window close over it
    finally:
        other.execute("ROLLBACK")
        other.close()
    window.go_home()
    assert window.wizard is None and store.load(wizard.case.uuid).applicant.name == "欧阳䶮"


def test_a_locked_database_during_acceptance_is_said_and_the_draft_kept(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=5)
    wizard = make_wizard(qtbot, store, 3)
    drive_to_review(qtbot, wizard, data)
    other = sqlite3.connect(store.data_dir / DB_NAME, isolation_level=None)
    store.db.execute("PRAGMA busy_timeout=50")
    other.execute("BEGIN EXCLUSIVE")
    try:
        click_accept(qtbot, wizard)
        assert "占用" in wizard.error.text() and wizard.case.state == "draft" and not wizard.case.number
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    with qtbot.waitSignal(wizard.accepted) as blocker:
        click_accept(qtbot, wizard)
    assert store.load(blocker.args[0]).applicant.name == data.applicant.name
