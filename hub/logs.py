"""Structured logs: one JSON object a line, to stderr and DATA_DIR/logs/hub.log. UUIDs and hashes only.

Callers pass fields, never free text built from a payload: no names, ID numbers or phones reach a log.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Any

from hub.db import utcnow

logger = logging.getLogger("hub")


class JsonFormatter(logging.Formatter):
    """Formats `extra={"fields": {...}}` as one JSON line with time, level and event."""

    def format(self, record: logging.LogRecord) -> str:
        done = getattr(record, "json_line", None)  # formatted once for all handlers (file and stderr)
        if done is not None:
            return done
        data = {"ts": utcnow(), "level": record.levelname.lower(), "event": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            data["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "unknown"
        record.json_line = json.dumps(data, ensure_ascii=False)
        return record.json_line


def setup(log_dir: Path, *, to_stderr: bool = True) -> Path:
    """Send the 'hub' logger to log_dir/hub.log (rotating) and, for a server, to stderr."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "hub.log"
    logger.handlers.clear()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=10_000_000, backupCount=10, encoding="utf-8")
    handlers: list[logging.Handler] = [handler]
    if to_stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(JsonFormatter())
        logger.addHandler(h)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """One line. The record is made directly: `logger.log` would also walk the stack for the caller's file and
    line, which the JSON line never shows (a good part of the access log's cost on a busy hub)."""
    if logger.isEnabledFor(level):
        logger.handle(logger.makeRecord(logger.name, level, "hub", 0, name, (), None, extra={"fields": fields}))
