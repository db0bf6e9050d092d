"""Logging to the data dir, with a last-line filter that masks anything shaped like an ID or phone number.

Code logs case UUIDs, never personal values; the filter is defence in depth for third-party messages. A
traceback (the desk's crash path and the command line's bugs alike) is logged as `redacted_report` writes it:
each frame's place without its source line, the exception's message with digits masked and Chinese blanked
(a name cannot be told from other text, and `KeyError('王𠈌')` would quote one).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import traceback
from pathlib import Path
from types import TracebackType

from desktop.domain.redaction import redact  # the one implementation (every message, not only logs)

__all__ = ["RedactingFilter", "log_exception", "redact", "redacted_report", "setup"]

# CJK ideographs (the basic block, Ext A, the compatibility block and the supplementary planes): names
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def redacted_report(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> str:
    """The traceback for the log: where each frame was (file, line, function; not the source line, which
    could quote a value) and the exception, its message scrubbed."""
    frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in traceback.extract_tb(tb))
    message = _HAN.sub("＊", redact(str(exc))) if exc is not None else ""
    return f"Traceback (most recent call last):\n{frames}{exc_type.__qualname__}: {message}"


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = redacted_report(*record.exc_info)
            record.exc_info = None
        return True


def setup(data_dir: Path, *, rotate: bool = True) -> Path:
    """Send the 'desktop' logger to data_dir/logs/desk.log (rotating); returns the log path. `rotate=False`: only
    append, for a second process of a command (the year's ledger) beside the one that rotates the file (Windows
    cannot rename a file another process holds open)."""
    log_dir = Path(data_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "desk.log"
    logger = logging.getLogger("desktop")
    if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        handler = (logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
                   if rotate else logging.FileHandler(path, encoding="utf-8", delay=True))  # open at a record only
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return path


def log_exception(data_dir: Path) -> Path:
    """Log the exception being handled (redacted) and return where it went."""
    try:
        path = setup(data_dir)
    except OSError:
        return Path("（无法写入日志）")
    logging.getLogger("desktop").error("unexpected error", exc_info=True)
    return path
