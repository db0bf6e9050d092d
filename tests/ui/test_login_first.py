"""The login window comes first (issue 16): `python -m desktop` shows it before the main window, the catalog, the
store's case model or reportlab are imported, and prepares those while the clerk types. Run as a real process:
which modules a start has imported is a property of the process, not of a widget."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# A driver around the real `python -m desktop`: at the login window's first paint it records which of the heavy
# modules the process has imported, then cancels the login (the desk exits 0 without opening anything).
DRIVER = """
import json, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QDialog
HEAVY = ("desktop.ui.mainwindow", "desktop.ui.home", "desktop.storage.store", "desktop.domain.case",
         "desktop.domain.catalog", "reportlab")

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        window = watched.window() if watched.isWidgetType() else None
        if event.type() == QEvent.Type.Paint and isinstance(window, QDialog):
            QApplication.instance().removeEventFilter(self)
            print(json.dumps({"dialog": type(window).__name__,
                              "imported": [m for m in HEAVY if m in sys.modules]}), flush=True)
            window.reject()
        return False

hook = FirstPaint()
real_init = QApplication.__init__
def init(self, *args):
    real_init(self, *args)
    self.installEventFilter(hook)
QApplication.__init__ = init
sys.argv = ["desktop", *sys.argv[1:]]
import runpy
runpy.run_module("desktop", run_name="__main__")
"""


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk") / "演示 数据"
    subprocess.run([sys.executable, "-m", "desktop", "demo", "--days", "2", "--data-dir", str(path)], check=True,
                   capture_output=True, env=dict(os.environ, DESK_PLAIN_DATA="1"))
    return path


def _first_paint(data_dir) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DESK_PASSWORD", None)
    proc = subprocess.run([sys.executable, "-c", DRIVER, "--data-dir", str(data_dir), "--user", "lixiaolan"],
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[0])


def test_the_login_window_paints_before_the_main_window_is_imported(demo_dir):
    seen = _first_paint(demo_dir)
    assert seen == {"dialog": "LoginDialog", "imported": []}
