"""The scanner folder is only ever touched on a worker: a folder on an unreachable share (\\\\server\\scans can take
half a minute to answer) must never freeze the window."""

from __future__ import annotations

import threading
from pathlib import Path

from desktop.ui.intakerun import IntakeRunner
from tests.scanfiles import image_bytes


def test_the_gui_thread_never_looks_at_the_scanner_folder(qtbot, store, tmp_path, monkeypatch):
    folder = tmp_path / "扫描"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(image_bytes("JPEG", 1))
    on_gui: list[str] = []
    for name in ("is_dir", "exists", "stat", "iterdir"):
        real = getattr(Path, name)

        def spy(self, *args, _real=real, _name=name, **kw):
            if threading.current_thread() is threading.main_thread() and folder in (self, *self.parents):
                on_gui.append(_name)
            return _real(self, *args, **kw)

        monkeypatch.setattr(Path, name, spy)
    runner = IntakeRunner(store.data_dir, store.catalog, str(folder), stability_delay=0.0)
    with qtbot.waitSignal(runner.passed, timeout=10_000):
        runner.start()
    with qtbot.waitSignal(runner.passed, timeout=10_000):
        runner.scan_now()
    runner.stop()
    assert on_gui == []
    assert str(folder) in runner.watcher.directories()


def test_an_unreachable_folder_is_reported_not_waited_for(qtbot, store, tmp_path):
    runner = IntakeRunner(store.data_dir, store.catalog, str(tmp_path / "不存在的共享"), stability_delay=0.0)
    with qtbot.waitSignal(runner.failed, timeout=10_000) as failed:
        runner.start()
    runner.stop()
    assert "扫描文件夹不存在或不可访问" in failed.args[0] and not runner.watcher.directories()
