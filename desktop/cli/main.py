"""The command line's entry point: parse, run the command, turn known errors into one Chinese line.

Bad input prints one Chinese line on stderr and exits 1; a bug prints one line, logs the traceback in the
data dir's logs/ (never personal data) and exits 2. No traceback ever reaches the terminal.

Each command module has `register(subparsers, common)` and sets `func` on its parsers; the services a command
uses are imported inside it, so parsing every module's arguments costs no service's import (DESIGN §7).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from desktop.cli import common
from desktop.cli.common import Formatter, Parser, data_dir
from desktop.domain.errors import run_command_line

# Each command and the module that registers it, in the order `--help` lists them. Add a line here rather
# than growing this file. Only the module of the command asked for is imported (issue 16: a command's own
# overhead ≤ 2× `python -c "import desktop"`); --help, no command word or a misspelt one imports them all.
COMMANDS: dict[str, str] = {
    "catalog": "desktop.cli.catalog",
    "id": "desktop.cli.cases", "case": "desktop.cli.cases",
    "settings": "desktop.cli.settings",
    "demo": "desktop.cli.desk", "screenshots": "desktop.cli.desk",
    "user": "desktop.cli.accounts", "audit": "desktop.cli.accounts",
    "scan": "desktop.cli.scan",
    "print": "desktop.cli.printing",
    "sync": "desktop.cli.sync", "hub": "desktop.cli.sync",
    "ledger": "desktop.cli.ledger",
    "rating": "desktop.cli.feedback", "visit": "desktop.cli.feedback",
    "publicity": "desktop.cli.publicity",
    "db": "desktop.cli.database",
    "key": "desktop.cli.keys",
    "backup": "desktop.cli.backup",
    "handover": "desktop.cli.handover",
}
VALUED = {"--data-dir", "--user"}  # options before the command word that take a value


# Commands that never touch a data dir (the catalog is package data; `id check` is pure): they name none.
# `catalog versions` lists the catalogs this desk holds, so it does; `catalog diff` of two versions (not files)
# reads them from the data dir too but names none (it prints only the change).
NO_DATA_DIR = frozenset({"catalog", "id"})


def modules_for(argv: list[str]) -> list[str]:
    """The command modules `argv` needs: its command's, all of them for help or a typo, none to open the desk."""
    everything = list(dict.fromkeys(COMMANDS.values()))
    tokens = iter(argv)
    for token in tokens:
        if token in ("-h", "--help"):
            return everything
        if token in VALUED:
            next(tokens, None)
        elif not token.startswith("-"):
            return [COMMANDS[token]] if token in COMMANDS else everything
    return []


def common_options(*, top: bool) -> argparse.ArgumentParser:
    """--data-dir, --json, --user: accepted before and after the subcommand.

    argparse copies a subparser's defaults over the values the top level already parsed, so on the sub
    level every default is SUPPRESS: an option given before the subcommand survives one not given after it.
    """
    common = argparse.ArgumentParser(add_help=False, formatter_class=Formatter)
    keep: dict = {} if top else {"default": argparse.SUPPRESS}
    common.add_argument("--data-dir", **keep, help="数据目录（默认：本机用户数据目录；环境变量 DESK_DATA_DIR）")
    common.add_argument("--json", action="store_true", **keep, help="以JSON输出")
    common.add_argument("--user", **keep, help="操作人员")
    return common


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv` (only its command registered), or for every command when argv is None."""
    parser = Parser(prog="python -m desktop", parents=[common_options(top=True)], description="一件事帮代办工作台")
    parser.add_argument("--self-check", action="store_true", help="检查安装是否完整后退出")
    sub = parser.add_subparsers(dest="command")
    shared = common_options(top=False)
    for module in dict.fromkeys(COMMANDS.values()) if argv is None else modules_for(argv):
        importlib.import_module(module).register(sub, shared)
    return parser


def main(argv: list[str] | None = None) -> int:
    common.forget_data_dir()  # a fresh run (tests call main() many times in one process)
    return run_command_line(build_parser(sys.argv[1:] if argv is None else argv), argv, _dispatch, _bug)


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_check:
        from desktop.cli.selfcheck import run

        return run()
    if not getattr(args, "func", None):
        from desktop.cli.desk import cmd_desk

        return cmd_desk(args)
    if args.command in NO_DATA_DIR and getattr(args, "action", None) != "versions":  # versions: this desk's
        return args.func(args)
    where = common.announce_data_dir(args)
    code = args.func(args)
    if not common.printed_json():  # silent use of another data dir is the worst bug: every command names it
        print(f"数据目录：{where}")
    return code


def _bug(args: argparse.Namespace, _exc: Exception) -> str:
    """Log the bug where the admin can find it (redacted), keep the terminal clean."""
    from desktop.storage import logs  # logging's handlers load only when something went wrong

    where = logs.log_exception(data_dir(args))
    return f"内部错误，详情已记录到 {where}，请联系管理员。"
