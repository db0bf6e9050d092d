"""The terminal of both command lines (desk and hub): UTF-8 when redirected, no crash on a console's code page.

On Chinese Windows the console and redirected output default to cp936 (GBK), which has no 𠈌: `case list
--json > x.json` died with 内部错误 and an empty file, and JSON came out in GBK. Files and pipes get UTF-8
always (JSON is UTF-8 by definition); a real console keeps its code page and shows an unencodable character
as '?', because a console that cannot draw it could not show it anyway.
"""

from __future__ import annotations

import io
import sys


def setup(stdout: io.TextIOBase | None = None, stderr: io.TextIOBase | None = None) -> None:
    """Reconfigure stdout and stderr in place (call once, before anything is printed)."""
    for stream in (stdout or sys.stdout, stderr or sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue  # pytest's capture, or a stream replaced by a caller: leave it alone
        if stream.isatty():
            stream.reconfigure(errors="replace")
        else:
            stream.reconfigure(encoding="utf-8", errors="strict" if stream is sys.stdout else "backslashreplace")


def is_console(stream, *, windows: bool = sys.platform == "win32", console_mode=None) -> bool:
    """Whether a person can type at `stream`. On Windows `isatty()` is also true for NUL (a character device):
    a scheduled task with NUL as stdin then hung in getpass forever. There only a handle with a console mode
    is a console. `console_mode(fd) -> bool` is injectable for tests; by default it asks Windows."""
    try:
        if not stream.isatty():
            return False
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    if not windows:
        return True
    return (console_mode or _windows_console_mode)(fd)


def _windows_console_mode(fd: int) -> bool:
    import ctypes
    import msvcrt
    from ctypes import wintypes

    mode = wintypes.DWORD()
    return bool(ctypes.windll.kernel32.GetConsoleMode(msvcrt.get_osfhandle(fd), ctypes.byref(mode)))  # type: ignore[attr-defined]
