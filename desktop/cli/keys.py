"""`python -m desktop key …`: encrypting this device's data, the recovery paper, a forgotten password.

key setup   (an administrator) converts the data dir in place (storage/encrypt.py) and writes the recovery
            paper to --out, once; both are audited. Other accounts get their wrap at their next password reset
            or login on an unlocked desk (docs/security.md).
key status  says whether the data is encrypted and how many accounts can unlock it; needs no login.
key recover NAME   unlocks with the recovery key (DESK_RECOVERY_KEY, or typed) and sets NAME's new password
            (DESK_NEW_PASSWORD, or typed twice): a village agent's forgotten password, without a back door.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
from pathlib import Path

from desktop.cli.common import (
    ENV_NEW_PASSWORD,
    data_dir,
    encrypt_with_paper,
    out,
    own_password,
    read_password,
    require_user,
)
from desktop.domain.errors import DeskError

ENV_RECOVERY = "DESK_RECOVERY_KEY"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("key", parents=[common], help="本机数据加密与恢复密钥")
    p.add_argument("action", choices=["setup", "status", "recover"])
    p.add_argument("username", nargs="?", help="recover：忘记密码的账号")
    p.add_argument("--out", help="setup：恢复密钥单（PDF）写到哪里")
    p.set_defaults(func=cmd_key)


def cmd_key(args: argparse.Namespace) -> int:
    if args.action == "status":
        return _status(args)
    if args.action == "setup":
        return _setup(args)
    return _recover(args)


def _status(args: argparse.Namespace) -> int:
    from desktop.storage import crypto

    where = data_dir(args)
    encrypted = crypto.is_encrypted(where)
    wraps = crypto.KeyFile.load(where).doc["wraps"] if encrypted else []
    info = {"encrypted": encrypted, "accounts": sum(w["kind"] == "user" for w in wraps),
            "recovery_key": any(w["kind"] == "recovery" for w in wraps)}
    if args.json:
        out(info)
    elif encrypted:
        print(f"本机数据已加密（AES-256）；可解锁的账号 {info['accounts']} 个；恢复密钥：{'有' if info['recovery_key'] else '无'}")
    else:
        print("本机数据未加密：请管理员运行 python -m desktop key setup --user 用户名 --out 恢复密钥单.pdf")
    return 0


def _setup(args: argparse.Namespace) -> int:
    from desktop.storage import crypto
    from desktop.storage.db import open_db

    where = data_dir(args)
    if crypto.is_encrypted(where):
        raise DeskError("本机数据已经加密，无需再次设置", field="action")
    if not args.out:
        raise DeskError("key setup 需要 --out 恢复密钥单.pdf：恢复密钥只打印这一次", field="out")
    db = open_db(where)
    try:
        session = require_user(args, "user.manage", db)
        if session is None:
            raise DeskError("请先创建管理员账号，再加密本机数据", field="user")
    finally:
        db.close()
    print(encrypt_with_paper(where, session.username, session.display_name, own_password(args), Path(args.out)))
    return 0


def _recover(args: argparse.Namespace) -> int:
    from desktop.accounts import keywrap
    from desktop.storage import crypto
    from desktop.storage.db import open_db

    if not args.username:
        raise DeskError("key recover 需要忘记密码的用户名", field="username")
    where = data_dir(args)
    if not crypto.is_encrypted(where):
        raise DeskError("本机数据未加密：忘记密码请由管理员重置（user reset-password）", field="action")
    crypto.unlock_recovery(where, read_password("恢复密钥：", ENV_RECOVERY))
    new = read_password("新密码：", ENV_NEW_PASSWORD)
    if ENV_NEW_PASSWORD not in os.environ and getpass.getpass("再输入一次新密码：") != new:
        raise DeskError("两次输入的新密码不一致", field="password")
    db = open_db(where)
    try:
        name = keywrap.recover(db, args.username, new, at=dt.datetime.now().astimezone())
    finally:
        db.close()
    print(f"已用恢复密钥为 {name} 设置新密码，请用新密码登录")
    return 0
