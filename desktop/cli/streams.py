"""Standard streams that never lose a character: UTF-8 when redirected, no crash on a console's code page.

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
