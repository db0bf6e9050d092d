"""`python -m desktop backup create|verify|restore`: encrypted backups of this device's data (storage/backup.py).

create needs an administrator's login (the data is unlocked by it); verify checks every member against the
manifest and needs no key; restore unpacks into an empty data dir, which then opens with the staff passwords
or the recovery paper of the backed-up device.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import data_dir, out, require_user, unlocked_dir
from desktop.domain.errors import DeskError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[common], help="备份与恢复（加密）")
    p.add_argument("action", choices=["create", "verify", "restore"])
    p.add_argument("file", nargs="?", help="verify/restore：备份文件")
    p.add_argument("--out", help="create：备份文件写到哪里")
    p.set_defaults(func=cmd_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop.storage import backup

    if args.action == "create":
        manifest = _create(args)
    elif not args.file:
        raise DeskError(f"backup {args.action} 需要备份文件", field="file")
    elif args.action == "verify":
        manifest = backup.verify(Path(args.file))
    else:
        manifest = backup.restore(Path(args.file), data_dir(args))
    summary = {"cases": manifest["cases"], "files": len(manifest["files"]), "created_at": manifest["created_at"]}
    if args.json:
        out(summary)
    else:
        done = {"create": "已备份并校验", "verify": "备份完好", "restore": "已恢复到数据目录"}[args.action]
        print(f"{done}：{summary['cases']} 件案件，{summary['files']} 个文件（备份时间 {summary['created_at']}）")
    return 0


def _create(args: argparse.Namespace) -> dict:
    from desktop.storage import audit, backup
    from desktop.storage.db import open_db

    if not args.out:
        raise DeskError("backup create 需要 --out 备份文件", field="out")
    where = unlocked_dir(args)
    db = open_db(where)
    try:
        session = require_user(args, "user.manage", db)
        manifest = backup.create(db, where, Path(args.out))
        audit.append(db, session.username if session else "", "backup.create",
                     detail={"file": Path(args.out).name, "cases": manifest["cases"], "verified": True})
        return manifest
    finally:
        db.close()
