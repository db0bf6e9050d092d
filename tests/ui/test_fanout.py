"""One writer's changes seen everywhere: a background job on its own connection (the sync's status feed, the
intake filing a scan) reaches the open case view at once, through one signal on the GUI thread."""

from __future__ import annotations

from pathlib import Path

from desktop.intake import documents
from desktop.sync import apply as syncapply
from desktop.ui import worker
from tests.scanfiles import accepted_case, image_bytes, settle


def run_job(qtbot, window, job) -> None:
    """Run `job(store)` as intake and sync do (worker.run_on_store), its changes relayed to the window."""
    done = []
    with qtbot.waitSignal(window.views_refreshed, timeout=5000) as refreshed:
        worker.run_on_store(window.store.data_dir, window.store.catalog, job,
                            lambda result, error: done.append(error), changed=window.signals.relay)
    assert done == [None] or not done
    return refreshed.args[0]


def test_a_department_status_from_the_hub_shows_in_the_open_case_at_once(qtbot, store, main_window):
    case = accepted_case(store, 3, 21, receive=True)
    store.db.execute("UPDATE outbox SET state = 'acked'")
    window = main_window()
    window.show()
    window.open_case(case.uuid)
    assert "部门办理状态" not in window.caseview.body.toPlainText()

    def feed(job_store) -> None:  # what a sync pass does with the hub's change feed
        syncapply.store_changes(job_store, [{"id": 7, "kind": "status", "case_uuid": case.uuid, "state": "in_progress",
                                             "item": "", "note": "已转县残联", "department": "县残联", "at": "x"}], 7, "now")
        syncapply.apply_inbox(job_store, "now")

    changed = run_job(qtbot, window, feed)
    assert case.uuid in changed
    text = window.caseview.body.toPlainText()
    assert "部门办理状态（县级服务器）" in text and "县残联" in text
    assert "办理中" in window.caseview.header.text()


def test_a_scan_filed_in_the_background_shows_in_the_open_case_and_leaves_the_inbox(
        qtbot, store, main_window, tmp_path: Path):
    case = accepted_case(store, 3, 22)
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "身份证.jpg").write_bytes(image_bytes("JPEG", 1))
    (doc_id,) = [a["document"] for a in settle(store, folder).accepted]
    window = main_window()
    window.show()
    window.open_inbox()
    window.open_case(case.uuid)
    assert window._inbox.list.count() == 1 and "身份证.jpg" not in window.caseview.body.toPlainText()

    changed = run_job(qtbot, window, lambda s: documents.file(s, doc_id, case.uuid, "id_card", actor="测试"))
    assert case.uuid in changed
    assert "身份证.jpg" in window.caseview.body.toPlainText()
    assert window._inbox.list.count() == 0


def test_changes_made_on_the_gui_thread_reach_the_views_once_per_burst(qtbot, store, main_window):
    window = main_window()
    window.show()
    seen = []
    window.views_refreshed.connect(seen.append)
    with qtbot.waitSignal(window.views_refreshed):
        for seed in range(3):
            accepted_case(store, 3, 30 + seed)
    assert len(seen) == 1 and len(seen[0]) == 3
