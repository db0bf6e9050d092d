"""--out written safely: FIFOs, devices and folders refused before any work, the file written privately with
fsync and an atomic rename (a failed write leaves the old file whole), data dirs 0700 and databases 0600."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from desktop.cli import common
from desktop.cli.main import main
from desktop.domain.errors import DeskError
from desktop.storage.store import Store
from hub.cli import main as hub_main

posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@posix
def test_a_fifo_a_device_and_a_folder_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "paper.pdf"
    os.mkfifo(fifo)  # no reader: opening it for writing would wait for ever
    for target, words in ((fifo, "特殊文件"), (Path("/dev/null"), "特殊文件"), (tmp_path, "文件夹")):
        with pytest.raises(DeskError, match=words) as refused:
            common.write_file(target, b"%PDF-1.4")
        assert refused.value.field == "out"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO is left as it was"


@posix
def test_the_ledger_refuses_a_fifo_before_any_work(tmp_path, data_dir, capsys):
    fifo = tmp_path / "ledger.pdf"
    os.mkfifo(fifo)
    code = main(["ledger", "--from", "2026-11-27", "--local", "--out", str(fifo), "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 1 and "特殊文件" in err


@posix
def test_a_file_is_written_privately_durably_and_at_once(tmp_path, monkeypatch):
    target = tmp_path / "回执.pdf"
    target.write_bytes(b"old paper")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    common.write_file(target, b"new paper")
    assert target.read_bytes() == b"new paper"
    assert mode(target) == 0o600
    assert len(synced) >= 2, "the file and its folder are synced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["回执.pdf"], "no temporary file is left"


def test_a_failed_write_leaves_the_old_file_whole_and_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "ledger.xlsx"
    target.write_bytes(b"yesterday's ledger")

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DeskError, match="写入失败"):
        common.write_file(target, b"x" * 100_000)
    assert target.read_bytes() == b"yesterday's ledger"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.xlsx"]


@posix
def test_data_dirs_are_0700_and_databases_0600(tmp_path):
    data = tmp_path / "new" / "desk-data"
    store = Store.open(data)
    try:
        store.db.execute("INSERT INTO settings VALUES ('probe', '1')")  # the WAL file now exists
        assert mode(data) == 0o700
        for name in ("desk.sqlite", "desk.sqlite-wal", "desk.sqlite-shm"):
            assert mode(data / name) == 0o600, name
    finally:
        store.close()


@posix
def test_the_hubs_data_dir_and_database_are_private_too(tmp_path, capsys):
    hub_dir = tmp_path / "hub-data"
    assert hub_main(["device", "list", "--data-dir", str(hub_dir)]) == 0
    capsys.readouterr()
    assert mode(hub_dir) == 0o700
    assert mode(hub_dir / "hub.sqlite") == 0o600
