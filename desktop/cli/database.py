"""`python -m desktop db check [--full]`: the database file's integrity, on demand (the desk also checks when idle)."""

from __future__ import annotations

import argparse

from desktop.cli.common import out, unlocked_dir


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("db", parents=[common], help="数据库文件完整性检查")
    p.add_argument("action", choices=["check"])
    p.add_argument("--full", action="store_true", help="连同索引一起检查（更慢）")
    p.set_defaults(func=cmd_db)


def cmd_db(args: argparse.Namespace) -> int:
    from desktop.storage.db import check_integrity, open_db

    db = open_db(unlocked_dir(args))  # an encrypted desk opens only with --user and its password
    try:
        problem = check_integrity(db, full=args.full)
    finally:
        db.close()
    if args.json:
        out({"ok": problem is None, "problem": problem})
    else:
        print(problem or "数据库完整性检查通过")
    return 1 if problem else 0
