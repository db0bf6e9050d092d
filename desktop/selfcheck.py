"""`--self-check`: prove a build or install is whole (catalog, database, calendar, pinyin, Qt) and exit 0."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path


def run() -> int:
    from desktop import catalog, searchkeys, workdays
    from desktop.store import Store

    cat = catalog.load()
    assert len(cat.services) >= 20, "catalog incomplete"
    with tempfile.TemporaryDirectory(prefix="desk-selfcheck-") as tmp:
        store = Store.open(Path(tmp) / "数据 目录", cat)
        assert store.outbox_pending() == 0
        store.close()
    assert workdays.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert "sdf" in searchkeys.initials("单德发")
    _check_qt()
    print(f"自检通过：{len(cat.services)} 件一件事，数据库、工作日历、拼音与Qt均可用")
    return 0


def _check_qt() -> None:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])
    label = QLabel("自检")
    label.grab()
    del label, app
