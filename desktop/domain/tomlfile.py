"""Reading the TOML files a county edits, as Notepad and WPS save them.

Notepad (before Windows 10 1903) and WPS save UTF-8 with a byte-order mark, which tomllib refuses; they may
also save "ANSI", which on Chinese Windows is GBK. The BOM is dropped; anything not UTF-8 is refused with the
file named and what to do, never read as mojibake.
"""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path
from typing import Any

from desktop.domain.errors import DeskError


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML document at `path`; DeskError (Chinese, naming the file) if it is not UTF-8 or not TOML."""
    raw = Path(path).read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DeskError(f"文件 {Path(path).name} 不是 UTF-8 编码（可能被记事本或 WPS 存成了 ANSI/GBK）："
                        "请用“另存为”选择 UTF-8 编码后重试", field=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeskError(f"文件 {Path(path).name} 格式错误：{exc}", field=str(path)) from None
