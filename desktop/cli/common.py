"""What every command module shares: JSON output, safe file writes, the store, the staff login, the parser.

Command modules import this and nothing of each other or of `desktop.cli.main`, so the command line has
no import cycle: main → command modules → common.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from desktop.domain import paths
from desktop.domain.errors import DeskError

ENV_PASSWORD = "DESK_PASSWORD"
ENV_NEW_PASSWORD = "DESK_NEW_PASSWORD"


def out(data: Any) -> None:
    """Print `data` as readable JSON with Chinese intact (every --json output goes through here)."""
    print(json.dumps(data, ensure_ascii=False, indent=2))


def why_not_written(exc: OSError) -> str:
    """Why a file could not be written, in words a clerk can act on."""
    if isinstance(exc, FileNotFoundError):
        return "所在文件夹不存在"
    if isinstance(exc, PermissionError):
        return "没有写入权限，或文件正被其他程序打开"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，请给出文件名"
    return f"写入失败（错误号 {exc.errno}）"


def write_file(target: Path, data: bytes) -> None:
    """Write via a temporary file, so a failed write never leaves half a file under the real name."""
    partial = target.with_name(target.name + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DeskError(f"无法写入文件“{target}”：{why_not_written(exc)}", field="out") from None


def data_dir(args: argparse.Namespace) -> Path:
    """The data dir named by --data-dir / DESK_DATA_DIR / the default."""
    return paths.resolve_data_dir(getattr(args, "data_dir", None))


def open_store(args: argparse.Namespace):
    """The store of the data dir named by --data-dir / DESK_DATA_DIR / the default."""
    from desktop.storage.store import Store  # the store pulls in the catalog and migrations: not for --help

    return Store.open(unlocked_dir(args))


def unlocked_dir(args: argparse.Namespace) -> Path:
    """The data dir, unlocked with --user and the password first when its data is encrypted (storage/crypto)."""
    from desktop.storage import crypto

    where = data_dir(args)
    if crypto.is_encrypted(where) and not crypto.is_unlocked(where):
        if not getattr(args, "user", None):
            raise DeskError("本机数据已加密：请加 --user 用户名 登录后再操作", field="user")
        crypto.unlock_password(where, args.user, own_password(args))
    return where


def own_password(args: argparse.Namespace) -> str:
    """The operator's password, asked once per command (unlocking and logging in both need it)."""
    if getattr(args, "_password", None) is None:
        args._password = read_password("密码：")
    return args._password


def read_password(prompt: str, env: str = ENV_PASSWORD) -> str:
    """A password from the environment variable `env`, else typed at the terminal without echo."""
    if env in os.environ:
        return os.environ[env]
    if not sys.stdin.isatty():
        raise DeskError(f"需要密码：请在终端中运行以输入密码，或设置环境变量 {env}", field="password")
    return getpass.getpass(prompt)


def require_user(args: argparse.Namespace, action: str, db):
    """The logged-in staff member allowed to do `action`; None on a device that has no accounts yet."""
    from desktop.accounts.staff import Accounts  # argon2 loads only for commands that log in

    accounts = Accounts(db)
    if not accounts.any_users():
        return None
    if not args.user:
        raise DeskError(f"此操作需要登录：请加 --user 用户名（密码在终端输入，或用环境变量 {ENV_PASSWORD}）",
                        field="user")
    session = accounts.login(args.user, own_password(args), via="cli")
    accounts.require(session, action)
    return session


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one Chinese line instead of English usage text."""

    def error(self, message: str):  # type: ignore[override]
        print(f"错误：命令参数不对（{message}）。用 {self.prog} --help 查看用法。", file=sys.stderr)
        raise SystemExit(2)
