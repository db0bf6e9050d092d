"""A data dir on a network share is refused with the reason: SQLite's locking does not hold there.
Windows is simulated (UNC paths, GetDriveTypeW answering DRIVE_REMOTE); Linux reads /proc/mounts."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from desktop.domain.errors import StoreError
from desktop.storage import db, fileops

MOUNTS = """/dev/sda1 / ext4 rw 0 0
//县政务服务器/共享 /mnt/share cifs rw 0 0
server:/export /mnt/nfs nfs4 rw 0 0
"""


def test_windows_unc_and_mapped_drives_are_network_shares():
    remote = {"Z:\\": fileops.DRIVE_REMOTE, "C:\\": 3}
    check = lambda p: fileops.network_share(PureWindowsPath(p), windows=True, drive_type=remote.__getitem__)  # noqa: E731
    assert check(r"\\县政务服务器\共享\工作台数据") == "网络共享路径（UNC）"
    assert check(r"Z:\工作台数据") == "映射的网络驱动器 Z:"
    assert check(r"C:\Users\窗口\AppData\Local\yijianshi-desk") is None


def test_linux_mounts_decide_by_the_longest_mount_point():
    assert fileops.network_share(Path("/mnt/share/data"), windows=False, mounts=MOUNTS) == "网络文件系统（cifs）"
    assert fileops.network_share(Path("/mnt/nfs"), windows=False, mounts=MOUNTS) == "网络文件系统（nfs4）"
    assert fileops.network_share(Path("/mnt/shared-local"), windows=False, mounts=MOUNTS) is None
    assert fileops.network_share(Path("/home/clerk"), windows=False, mounts=MOUNTS) is None


def test_opening_a_data_dir_on_a_share_is_refused_in_words_and_nothing_is_created(tmp_path, monkeypatch):
    monkeypatch.setattr(fileops, "network_share", lambda path: "映射的网络驱动器 Z:")
    target = tmp_path / "数据"
    with pytest.raises(StoreError) as err:
        db.open_db(target)
    assert "网络驱动器 Z:" in err.value.message and "本机磁盘" in err.value.message and not target.exists()
