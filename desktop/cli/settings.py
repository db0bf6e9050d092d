"""`python -m desktop settings show|set KEY VALUE`: the device's settings."""

from __future__ import annotations

import argparse

from desktop.cli.common import out, require_user, unlocked_dir
from desktop.domain.errors import DeskError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("settings", parents=[common], help="本机设置")
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(func=cmd_settings)


def cmd_settings(args: argparse.Namespace) -> int:
    from desktop.storage import settings
    from desktop.storage.db import open_db

    db = open_db(unlocked_dir(args))
    try:
        if args.action == "set":
            if args.key is None or args.value is None:
                raise DeskError("settings set 需要设置项和值，例如：settings set county_code 430521")
            change_setting(args, db)  # an administrator's login once the device has accounts (docs/roles.md)
        values = settings.get_all(db)
        out(values) if args.json or args.action == "show" else print(f"已保存：{args.key}")
        return 0
    finally:
        db.close()


def change_setting(args: argparse.Namespace, db) -> None:
    """`settings set KEY VALUE`: unauthenticated on a device without accounts, else an administrator's."""
    session = require_user(args, "settings.edit", db)
    if session is None:
        from desktop.storage import settings

        settings.set_value(db, args.key, args.value)
    else:
        from desktop.accounts.staff import Accounts

        Accounts(db).change_setting(session, args.key, args.value)
