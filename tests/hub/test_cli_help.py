"""`python -m hub … --help` for every command, as an administrator reads it: usage, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = ["serve", "device", "supervisor", "status", "ratings", "catalog"]


def test_every_command_is_listed():
    top = subprocess.run([sys.executable, "-m", "hub", "--help"], capture_output=True, text=True, encoding="utf-8")
    assert top.returncode == 0 and all(c in top.stdout for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_help_prints_its_options(command):
    proc = subprocess.run([sys.executable, "-m", "hub", command, "--help"], capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "--data-dir" in proc.stdout and r"%PROGRAMDATA%\yijianshi-hub" in proc.stdout
