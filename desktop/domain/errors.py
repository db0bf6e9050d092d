"""Known errors: bad input or a hostile environment, each with a Chinese message fit for a clerk."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from desktop.domain.redaction import redact


class DeskError(Exception):
    """A known error. `message` is Chinese, names the field or file, and never holds personal data."""

    def __init__(self, message: str, *, field: str | None = None):
        message = redact(message)  # an ID or phone number typed in the wrong box never echoes, on screen or terminal
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DeskError):
    """Input that breaks a rule of the catalog or the case; `field` names the offending field."""


class StoreError(DeskError):
    """The data dir or database cannot be used (unwritable, damaged, locked, disk full).

    `action` is what the clerk can do about it: 重试, 清理磁盘 or 联系管理员 (the message says it too).
    """

    def __init__(self, message: str, *, field: str | None = None, action: str = "联系管理员"):
        super().__init__(message, field=field)
        self.action = action


def run_command_line(parser: argparse.ArgumentParser, argv: list[str] | None,
                     dispatch: Callable[[argparse.Namespace], int],
                     on_bug: Callable[[argparse.Namespace, Exception], str]) -> int:
    """Run one command line (the desk's and the hub's): a known error prints its one Chinese line and gives 1;
    a bug prints what `on_bug` says (which logs it, redacted) and gives 2. No traceback reaches the terminal.
    Output is UTF-8 when redirected and never fails on a GBK console (desktop/domain/terminal.py)."""
    from desktop.domain import (
        terminal,  # here: errors is imported by everything, the terminal only by commands
    )

    terminal.setup()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return dispatch(args)
    except DeskError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`… | head`): not a bug; keep Python's exit from complaining
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        print(on_bug(args, exc), file=sys.stderr)
        return 2
