"""Chinese Windows' code page (cp936/GBK) simulated with PYTHONIOENCODING=gbk: JSON and redirected output are
always UTF-8, and a console that cannot encode 𠈌 shows '?' instead of crashing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.cli.test_cli import case_json, run, write

RARE = "王𠈌"


@pytest.fixture
def with_rare_name(cli_dir, tmp_path):
    data = case_json(3, 3)
    data["applicant"]["name"] = RARE
    run("case", "import", str(write(tmp_path, data)), data_dir=cli_dir)
    return cli_dir


def gbk_env() -> dict[str, str]:
    return dict(os.environ, PYTHONIOENCODING="gbk", PYTHONUTF8="0")


def test_json_redirected_to_a_file_is_utf8_with_the_rare_name(with_rare_name, tmp_path):
    target = tmp_path / "x.json"
    with open(target, "wb") as fh:
        proc = subprocess.run([sys.executable, "-m", "desktop", "case", "list", "--json", "--data-dir",
                               str(with_rare_name)], stdout=fh, stderr=subprocess.PIPE, env=gbk_env())
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    cases = json.loads(target.read_bytes().decode("utf-8"))
    assert [c["applicant"] for c in cases] == [RARE]


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal stands in for the console on POSIX")
def test_a_gbk_console_shows_a_question_mark_instead_of_crashing(with_rare_name):
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "desktop", "case", "list", "--data-dir", str(with_rare_name)],
                              stdout=follower, stderr=subprocess.PIPE, env=gbk_env())
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the writer has gone and everything was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = shown.decode("gbk")
    assert "王?" in text and "共 1 件" in text


def test_a_password_is_never_awaited_from_nul_on_windows():
    """Task Scheduler runs with NUL as stdin; NUL is a character device, so isatty() says True on Windows."""
    from desktop.domain import terminal

    class NulOnWindows:
        def isatty(self):
            return True

        def fileno(self):
            return 0

    assert not terminal.is_console(NulOnWindows(), windows=True, console_mode=lambda fd: False)
    assert terminal.is_console(NulOnWindows(), windows=True, console_mode=lambda fd: True)
    assert terminal.is_console(NulOnWindows(), windows=False)


def test_a_command_needing_a_password_with_no_console_fails_at_once_in_words(cli_dir, tmp_path):
    """The check happens before getpass: with stdin not a console, one Chinese line, no hang."""
    from tests.cli.test_accounts import run as run_as

    run_as("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=cli_dir,
           new_password="Initial-2026x")
    proc = subprocess.run([sys.executable, "-m", "desktop", "audit", "list", "--user", "admin", "--data-dir",
                           str(cli_dir)], stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          env={k: v for k, v in os.environ.items() if k != "DESK_PASSWORD"}, timeout=60)
    assert proc.returncode == 1 and proc.stderr.startswith("错误：需要密码")
