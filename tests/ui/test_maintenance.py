"""Idle maintenance: the integrity check runs in the background and its result is said, never swallowed."""

from __future__ import annotations

from desktop.storage.store import Store
from desktop.ui.maintenance import Maintenance
from tests.storage.test_integrity import _damaged


def test_a_whole_database_is_reported_as_checked(qtbot, store):
    maintenance = Maintenance(store, first_ms=0)
    with qtbot.wait_signal(maintenance.checked, timeout=20000) as blocker:
        pass
    assert blocker.args == [None]
    assert maintenance.summary().startswith("数据库检查：正常")
    assert maintenance.timer.isActive()  # the next check is a day away, not forgotten
    maintenance.stop()


def test_a_damaged_page_found_in_the_background_is_named(qtbot, data_dir, catalog):
    _damaged(data_dir)
    store = Store.open(data_dir, catalog)  # opening stays quick and works: only the check reads every page
    try:
        maintenance = Maintenance(store, first_ms=0)
        with qtbot.wait_signal(maintenance.checked, timeout=20000) as blocker:
            pass
        assert "完整性检查失败" in blocker.args[0]
        assert "有问题" in maintenance.summary()
        maintenance.stop()
    finally:
        store.close()
