"""The real `python -m desktop` start, as bench/startup.py drives it: login by --user and DESK_PASSWORD, quit at
the first paint. The login is the real one (argon2, audit), and a wrong password opens nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest


def _desk(data_dir, password: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DESK_PASSWORD=password, DESK_EXIT_AT_FIRST_PAINT="1", QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(data_dir), "--user", "lixiaolan"],
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk") / "演示 数据"
    subprocess.run([sys.executable, "-m", "desktop", "demo", "--days", "3", "--data-dir", str(path)], check=True,
                   capture_output=True)
    return path


def _logins(path) -> list[tuple[str, str]]:
    with sqlite3.connect(path / "desk.sqlite") as conn:
        return conn.execute("SELECT username, action FROM audit WHERE action LIKE 'login%' AND username != 'admin' "
                            "ORDER BY id").fetchall()


def test_the_desk_starts_logs_in_and_quits_at_its_first_paint(demo_dir):
    proc = _desk(demo_dir, "demo2026")
    assert proc.returncode == 0, proc.stderr
    assert _logins(demo_dir)[-1] == ("lixiaolan", "login")


def test_a_wrong_password_opens_no_window(demo_dir):
    proc = _desk(demo_dir, "wrong-password")
    assert proc.returncode == 1 and proc.stderr.startswith("错误：") and len(proc.stderr.splitlines()) == 1
    assert _logins(demo_dir)[-1] == ("lixiaolan", "login.failed")
