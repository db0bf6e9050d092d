"""Removing and renaming files that Windows' antivirus, search indexer or Explorer's preview hold open.

On Windows a file opened without FILE_SHARE_DELETE cannot be deleted or renamed: DeleteFile/MoveFileEx fail
with a sharing violation (WinError 32/33) or "access denied" (WinError 5) for as long as the other program
holds it, from milliseconds (Defender, 360, 火绒 scanning a new file) to minutes (a preview pane). A read-only
attribute gives WinError 5 too. So: clear the read-only bit, retry with backoff for a short window, and if the
file is still held raise HeldError, which callers treat as "try again on the next pass", never as a failure.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.protocol import files

SHARING = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
DENIED = 5  # ERROR_ACCESS_DENIED: a read-only file, a file being deleted, or a real permission problem
WINDOW = 0.5  # seconds one operation may wait inline; longer holds are left for the next pass


class HeldError(OSError):
    """Another program still holds the file open: not a failure, try again later."""


def is_held(exc: BaseException) -> bool:
    """A sharing violation (Windows), or EBUSY elsewhere: the file is in use, nothing is wrong with it."""
    if isinstance(exc, HeldError):
        return True
    return getattr(exc, "winerror", None) in SHARING or getattr(exc, "errno", None) == errno.EBUSY


def is_denied(exc: BaseException) -> bool:
    """Access denied: on Windows WinError 5 (after the read-only bit was cleared), elsewhere EACCES/EPERM."""
    if getattr(exc, "winerror", None) is not None:
        return exc.winerror == DENIED  # type: ignore[attr-defined]
    return isinstance(exc, PermissionError)


def remove(path: Path, *, window: float = WINDOW, sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic) -> None:
    """Delete `path` (gone already is fine); HeldError if it is still held after `window` seconds."""
    _retry(lambda: Path(path).unlink(missing_ok=True), Path(path), window, sleep, clock)


def replace(src: Path, dst: Path, *, window: float = WINDOW, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> None:
    """os.replace(src, dst); HeldError if either is still held after `window` seconds."""
    _retry(lambda: os.replace(src, dst), Path(dst), window, sleep, clock)


def _retry(op: Callable[[], None], target: Path, window: float, sleep: Callable[[float], None],
           clock: Callable[[], float]) -> None:
    deadline, pause = clock() + window, 0.02
    while True:
        try:
            op()
            return
        except OSError as exc:
            held = is_held(exc)
            if not held and not isinstance(exc, PermissionError):
                raise
            if not held:
                _clear_read_only(target)
            if clock() + pause > deadline:
                if held:
                    raise HeldError(exc.errno or errno.EBUSY, "文件正被其他程序占用（杀毒软件、索引或预览）") from exc
                raise
            sleep(pause)
            pause = min(pause * 2, 0.2)


def _clear_read_only(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
        if not mode & stat.S_IWRITE:
            os.chmod(path, mode | stat.S_IWRITE)
    except OSError:
        pass


NETWORK_FS = {"cifs", "smb3", "smbfs", "nfs", "nfs4", "afs", "ncpfs", "fuse.sshfs", "davfs", "fuse.davfs2"}
DRIVE_REMOTE = 4  # GetDriveTypeW


def network_share(path: Path, *, windows: bool = os.name == "nt", drive_type: Callable[[str], int] | None = None,
                  mounts: str | None = None) -> str | None:
    """What kind of network share `path` is on ('SMB 共享 …'), or None for a local disk. SQLite's locking (and
    so WAL and every guarantee of a committed case) does not hold on network file systems."""
    if windows:
        text = str(path)
        if text.startswith(("\\\\", "//")):
            return "网络共享路径（UNC）"
        drive = os.path.splitdrive(text)[0] or text[:2]
        if drive and (drive_type or _drive_type)(drive + "\\") == DRIVE_REMOTE:
            return f"映射的网络驱动器 {drive}"
        return None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, kind = "", ""
    target = os.path.realpath(path)
    for line in mounts.splitlines():
        fields = line.split()
        inside = len(fields) >= 3 and (target == fields[1] or target.startswith(fields[1].rstrip("/") + "/"))
        if inside and len(fields[1]) > len(best):
            best, kind = fields[1], fields[2]
    return f"网络文件系统（{kind}）" if kind in NETWORK_FS else None


def _drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def ensure_writable(data_dir: Path) -> None:
    """Create the data dir and prove we can write there; refuse with the path named otherwise, and refuse a
    network share (SQLite's locking does not hold there: a committed case could be lost or the file damaged)."""
    if share := network_share(data_dir):
        raise StoreError(f"数据目录在{share}上：{data_dir}。数据库放在网络盘上会损坏或丢失已保存的案件，"
                         "请把数据目录设在本机磁盘（例如默认的用户数据目录）。")
    try:
        files.private_dir(data_dir)  # 0700: personal data lives here
        probe = data_dir / f".probe-{os.urandom(16).hex()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreError(f"数据目录不可写：{data_dir}（磁盘已满）：请清理磁盘后重试", action="清理磁盘") from None
        raise StoreError(f"数据目录不可写：{data_dir}（{exc.strerror or exc}）：请联系管理员检查权限") from None
