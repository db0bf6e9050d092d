"""The login window comes first (issue 16): `python -m desktop` shows it before the main window, the catalog, the
store's case model or reportlab are imported, and prepares those while the clerk types. Run as a real process:
which modules a start has imported is a property of the process, not of a widget."""

from __future__ import annotations

import json
import os
import sqlite3
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
            print(json.dumps({"dialog": type(window).__name__, **({"text": window.text()} if hasattr(window, "text") else {}),
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


def _demo(path, *, plain: bool):
    env = dict(os.environ)
    if plain:
        env["DESK_PLAIN_DATA"] = "1"
    else:
        env.pop("DESK_PLAIN_DATA", None)
    subprocess.run([sys.executable, "-m", "desktop", "demo", "--days", "2", "--data-dir", str(path)], check=True,
                   capture_output=True, env=env)
    return path


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("desk") / "演示 数据", plain=True)


@pytest.fixture(scope="module")
def encrypted_dir(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("desk") / "加密", plain=False)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **extra)
    env.pop("DESK_PASSWORD", None)
    return env


def _first_paint(data_dir) -> dict:
    proc = subprocess.run([sys.executable, "-c", DRIVER, "--data-dir", str(data_dir), "--user", "lixiaolan"],
                          env=_env(), capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[0])


def _typed(data_dir, password: str = "demo2026") -> list[str]:
    """The desk started as bench/startup.py starts it: the password typed into the real login window once the
    start has prepared the rest; the lines it printed (the desk quits at the home screen's first paint)."""
    proc = subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(data_dir), "--user", "lixiaolan"],
                          env=_env(DESK_TYPED_PASSWORD=password, DESK_EXIT_AT_FIRST_PAINT="1"),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [line.split()[0] if line.startswith("prepared") else line for line in proc.stdout.splitlines()]


def _logins(path) -> list[tuple[str, str]]:
    with sqlite3.connect(path / "desk.sqlite") as conn:
        return conn.execute("SELECT username, action FROM audit WHERE action LIKE 'login%' AND username != 'admin' "
                            "ORDER BY id").fetchall()


def test_the_login_window_paints_before_the_main_window_is_imported(demo_dir):
    seen = _first_paint(demo_dir)
    assert seen == {"dialog": "LoginDialog", "imported": []}


def test_the_typed_password_logs_in_through_the_window_and_the_home_screen_paints(demo_dir):
    assert _typed(demo_dir) == ["login paint", "prepared", "enter", "first paint"]
    assert _logins(demo_dir)[-1] == ("lixiaolan", "login")


def test_an_encrypted_desk_shows_its_login_window_as_soon_and_unlocks_with_the_typed_password(encrypted_dir):
    assert _first_paint(encrypted_dir) == {"dialog": "UnlockDialog", "imported": []}
    assert _typed(encrypted_dir) == ["login paint", "prepared", "enter", "first paint"]


def test_a_new_device_asks_for_its_first_administrator(tmp_path):
    # a first run opens (creates) its store before its first window: there is no password to hide the wait behind
    assert _first_paint(tmp_path / "新设备")["dialog"] == "FirstAdminDialog"


# In-process: the login window's side of the preparation (ui/start.py), whatever the clerk's speed.


def test_enter_before_the_preparation_finishes_it_and_logs_in(qtbot, store, data_dir):
    from desktop.accounts.staff import Accounts
    from desktop.ui.auth import LoginDialog
    from desktop.ui.start import Preparation

    Accounts(store.db).create_admin("admin", "黄建华", "adminpass1")
    prep = Preparation(data_dir, open_store=True)
    dialog = LoginDialog(None, username="admin", ready=prep.ready)
    qtbot.addWidget(dialog)
    dialog.fields["password"].setText("adminpass1")
    with qtbot.waitSignal(dialog.accepted):
        dialog._on_ok()  # the preparation was never started: Enter does it all
    assert prep.done() and dialog.session is not None and dialog.session.username == "admin"
    prep.close_store()


def test_the_preparation_runs_behind_the_window_and_finds_a_device_with_no_staff(qtbot, store, data_dir):
    from desktop.ui.start import Preparation

    prep = Preparation(data_dir, open_store=True)
    with qtbot.waitSignal(prep.found_no_staff):
        prep.start()
    assert prep.no_staff and prep.store is not None
    prep.close_store()


def test_a_store_that_cannot_open_behind_the_window_says_why(qtbot, tmp_path):
    from desktop.ui.start import Preparation

    (tmp_path / "desk.sqlite").write_bytes(b"not a database, " * 512)
    prep = Preparation(tmp_path, open_store=True)
    with qtbot.waitSignal(prep.failed) as said:
        prep.start()
    assert "desk.sqlite" in said.args[0] and prep.store is None and prep.done()


def test_a_pending_migration_runs_off_the_gui_thread_while_the_login_window_says_so(qtbot, store, data_dir,
                                                                                     monkeypatch):
    """The first start after an update migrates the data (0016 fills the ledger's rows: ≈10 s at 100,000 cases):
    the login window says so, its OK button off, and the GUI thread keeps turning (a frozen window looks crashed)."""
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop.accounts.staff import Accounts
    from desktop.storage.migrations import MIGRATIONS
    from desktop.ui.auth import LoginDialog
    from desktop.ui.start import UPGRADING, Preparation

    Accounts(store.db).create_admin("admin", "黄建华", "adminpass1")
    gate, seen = threading.Event(), {}

    def update(db) -> None:  # a migration the next version brings, held until the window has shown the upgrade
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        gate.wait(5)  # on the GUI thread (the old way) nothing could release it: `shown` stays unset
        db.execute("CREATE TABLE upgraded (id INTEGER PRIMARY KEY)")

    monkeypatch.setattr(MIGRATIONS, "steps", [*MIGRATIONS.steps, ("9999_next_version", update)])
    prep = Preparation(data_dir, open_store=True)
    dialog = LoginDialog(None, username="admin", ready=prep.ready)
    qtbot.addWidget(dialog)
    dialog.show()
    prep.dialog = dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def look() -> None:
        if "worker" in seen and "shown" not in seen:
            seen["shown"] = (dialog.error.isVisible(), dialog.error.text(), ok.isEnabled())
            gate.set()

    timer = QTimer(interval=5, timeout=look)
    timer.start()
    with qtbot.waitSignal(prep.prepared, timeout=30_000):
        prep.start()
    timer.stop()
    assert seen["worker"] and seen["shown"] == (True, UPGRADING, False)
    assert ok.isEnabled() and not dialog.error.isVisible()
    assert prep.store is not None and prep.store.db.execute("SELECT count(*) FROM upgraded").fetchone()[0] == 0
    dialog.fields["password"].setText("adminpass1")
    with qtbot.waitSignal(dialog.accepted):
        dialog._on_ok()
    prep.close_store()
