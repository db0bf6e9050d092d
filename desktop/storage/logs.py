"""Logging to the data dir, with a last-line filter that masks anything shaped like an ID or phone number.

Code logs case UUIDs, never personal values; the filter is defence in depth for third-party messages.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path

from desktop.domain.redaction import redact  # the one implementation (every message, not only logs)

__all__ = ["RedactingFilter", "log_exception", "redact", "setup"]


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
