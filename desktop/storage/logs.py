"""Logging to the data dir, with a last-line filter that masks anything shaped like an ID or phone number.

Code logs case UUIDs, never personal values; the filter is defence in depth for third-party messages.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import traceback
from pathlib import Path

# Boundaries are "not a letter or digit", so a hex hash or a UUID that happens to hold a run of digits is left
# alone, while "电话13812345678" (Chinese next to the number) is still caught.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])"
                    r"|(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<![0-9A-Za-z])(1\d{2})\d{4}(\d{4})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Mask ID numbers (birth date hidden) and mobile numbers in free text."""
    text = _ID_RE.sub(lambda m: (m.group(1) or m.group(4)) + "********" + (m.group(3) or m.group(6)), text)
    return _PHONE_RE.sub(r"\1****\2", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return True


def setup(data_dir: Path) -> Path:
    """Send the 'desktop' logger to data_dir/logs/desk.log (rotating); returns the log path."""
    log_dir = Path(data_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "desk.log"
    logger = logging.getLogger("desktop")
    if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
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
