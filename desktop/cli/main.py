"""The command line's entry point: parse, run the command, turn known errors into one Chinese line.

Bad input prints one Chinese line on stderr and exits 1; a bug prints one line, logs the traceback in the
data dir's logs/ (never personal data) and exits 2. No traceback ever reaches the terminal.

Each command module has `register(subparsers, common)` and sets `func` on its parsers; the services a command
uses are imported inside it, so parsing every module's arguments costs no service's import (DESIGN §7).
"""

from __future__ import annotations

import argparse
import importlib

from desktop.cli.common import Parser, data_dir
from desktop.domain.errors import run_command_line

# One module per command group, in the order `--help` lists them. Add a line here rather than growing this file.
COMMANDS: list[str] = [
    "desktop.cli.catalog",
    "desktop.cli.cases",
    "desktop.cli.settings",
    "desktop.cli.desk",
    "desktop.cli.accounts",
    "desktop.cli.scan",
    "desktop.cli.printing",
    "desktop.cli.sync",
    "desktop.cli.ledger",
    "desktop.cli.keys",
    "desktop.cli.backup",
    "desktop.cli.handover",
]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="数据目录（默认：本机用户数据目录；环境变量 DESK_DATA_DIR）")
    common.add_argument("--json", action="store_true", help="以JSON输出")
    common.add_argument("--user", help="操作人员")
    parser = Parser(prog="python -m desktop", parents=[common], description="一件事帮代办工作台")
    parser.add_argument("--self-check", action="store_true", help="检查安装是否完整后退出")
    sub = parser.add_subparsers(dest="command")
    for module in COMMANDS:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run_command_line(build_parser(), argv, _dispatch, _bug)


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_check:
        from desktop.cli.selfcheck import run

        return run()
    if not getattr(args, "func", None):
        from desktop.cli.desk import cmd_desk

        return cmd_desk(args)
    return args.func(args)


def _bug(args: argparse.Namespace, _exc: Exception) -> str:
    """Log the bug where the admin can find it (redacted), keep the terminal clean."""
    from desktop.storage import logs  # logging's handlers load only when something went wrong

    where = logs.log_exception(data_dir(args))
    return f"内部错误，详情已记录到 {where}，请联系管理员。"
