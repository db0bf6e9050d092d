"""A department status that contradicts the clerk's termination shows on the sync page with both sides, and
its dismiss button answers only for it; nothing on the case changed."""

from __future__ import annotations

import os
import random

from desktop.sync import apply as syncapply
from desktop.ui.syncpage import SyncProblemsPage
from tests.hub.deskside import new_case


class Runner:
    """The page's runner without threads: records what the clerk chose."""

    def __init__(self):
        self.resolved: list[tuple[str, str]] = []

    def sync_now(self) -> None:
        pass

    def resolve(self, uuid: str, action: str, actor: str, done) -> None:
        self.resolved.append((uuid, action))
        done(None)


def test_a_contradicting_status_is_listed_with_both_sides(qtbot, store, monkeypatch, tmp_path):
    uuid = new_case(store, random.Random(1), service=3)
    store.transition(uuid, "terminate", actor="测试", reason="申请人撤回")
    store.db.execute("UPDATE outbox SET state = 'acked'")
    syncapply.store_changes(store, [{"id": 7, "kind": "status", "case_uuid": uuid, "state": "completed", "item": "",
                                     "note": "", "department": "县民政局", "at": "x"}], 7, "2026-12-01T10:00:00+08:00")
    assert syncapply.apply_inbox(store, "2026-12-01T10:00:00+08:00")["conflicts"] == 1
    runner = Runner()
    page = SyncProblemsPage(store, "lixiaolan", runner)
    qtbot.addWidget(page)
    page.resize(1366, 500)
    assert page.table.rowCount() == 1
    cells = [page.table.item(0, c).text() for c in range(3)]
    assert cells[1] == "部门状态与本机矛盾" and "县民政局报“已办结”" in cells[2] and "本机为“已终止”" in cells[2]
    page.grab().save(os.environ.get("SYNC_PAGE_PNG", str(tmp_path / "sync-conflict.png")))
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    page.table.selectRow(0)
    page.resolve("conflict", "keep_local")  # the wrong button for this problem: refused, named
    assert runner.resolved == [] and "部门状态与本机矛盾" in page.message.text()
    page.resolve("status_conflict", "dismiss")
    assert runner.resolved == [(uuid, "dismiss")]
    assert store.load(uuid).state == "terminated"
