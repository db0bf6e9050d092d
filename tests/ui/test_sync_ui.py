"""Sync as the desk shows it, against a real hub process on loopback: the status line, the drain, a status back."""

from __future__ import annotations

import datetime as dt
import random

from desktop.intake import demo
from desktop.sync import engine as sync
from tests.hub.servers import HubProcess


def test_desk_status_drains_to_zero_and_a_hub_status_reaches_the_case(qtbot, store, tmp_path, main_window):
    window = main_window()
    window._start_sync()  # the desk starts it 1.5 s after the window shows
    assert "未连接县级汇聚服务器" in window.status.text()
    hub = HubProcess(tmp_path / "hub").start()
    try:
        added = hub.hub_cli("device", "add", "W03", "--office", "演示县政务服务中心")
        code = added.stdout.split("登记码：")[1].split("（")[0]
        sync.connect(store, hub.url, code)
        service = store.catalog.service(3)
        case = demo.eligible_case(service, store.catalog, random.Random(3), dt.date.today())
        demo.receive_all(service, case)
        case = store.accept(case, actor="lixiaolan")
        qtbot.waitUntil(lambda: not window.sync.running, timeout=30_000)  # the start-up tick, before connecting
        with qtbot.waitSignal(window.sync.updated, timeout=30_000) as passed:
            window.sync.sync_now()
        status, report = passed.args
        assert report.ok and report.sent == 1 and status.pending == 0
        assert "全部已上传" in window.status.text()
        assert hub.hub_cli("status", "set", case.number, "已办结", "--department", "县残联").returncode == 0
        with qtbot.waitSignal(window.sync.updated, timeout=30_000) as pulled:
            window.sync.sync_now()
        assert pulled.args[1].changes_applied == 1
        window.open_case(case.uuid)
        assert "已同步" in window.caseview.header.text()
        assert "县级服务器" in window.caseview.body.toHtml() and "县残联" in window.caseview.body.toHtml()
        window.open_sync()
        assert window._sync_page.table.rowCount() == 0 and "全部已上传" in window._sync_page.status.text()
    finally:
        hub.stop()
