"""The hub as Windows runs it, simulated on Linux: an exclusive port, and a data dir that is not System32."""

from __future__ import annotations

import socket
from pathlib import PureWindowsPath

import pytest

from hub import cli, config


def test_a_second_hub_on_the_same_port_is_refused_in_words():
    first = cli.listening_socket("127.0.0.1", 0)
    try:
        with pytest.raises(cli.HubCliError) as err:
            cli.listening_socket("127.0.0.1", first.getsockname()[1])
        assert "已有一个汇聚服务器在运行" in str(err.value)
    finally:
        first.close()


class RecordingSocket:
    """Stands in for socket.socket: records options, binds nothing."""

    made: list[RecordingSocket] = []

    def __init__(self, *args):
        self.options: list[tuple[int, int, int]] = []
        RecordingSocket.made.append(self)

    def setsockopt(self, level, name, value):
        self.options.append((level, name, value))

    def bind(self, address):
        pass

    def listen(self, backlog):
        pass


def test_on_windows_the_port_is_taken_exclusively_never_shared(monkeypatch):
    """SO_REUSEADDR on Windows lets a second process bind the same port and split requests between two hubs."""
    monkeypatch.setattr(socket, "SO_EXCLUSIVEADDRUSE", ~socket.SO_REUSEADDR, raising=False)
    monkeypatch.setattr(cli.socket, "socket", RecordingSocket)
    cli.listening_socket("0.0.0.0", 8760, windows=True)
    names = [name for _level, name, _value in RecordingSocket.made[-1].options]
    assert names == [~socket.SO_REUSEADDR] and socket.SO_REUSEADDR not in names


def test_the_default_data_dir_never_depends_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(config.ENV_DATA_DIR, raising=False)
    system32 = tmp_path / "System32"
    system32.mkdir()
    monkeypatch.chdir(system32)  # Task Scheduler starts it in C:\Windows\System32
    assert system32 not in config.resolve().data_dir.parents
    chosen = config.windows_data_dir({"PROGRAMDATA": r"D:\ProgramData"})
    assert PureWindowsPath(chosen) == PureWindowsPath(r"D:\ProgramData\yijianshi-hub")
    assert PureWindowsPath(config.windows_data_dir({})) == PureWindowsPath(r"C:\ProgramData\yijianshi-hub")
