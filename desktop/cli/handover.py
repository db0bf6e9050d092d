"""`python -m desktop handover check`: may this device be handed over (desktop/sync/handover.py)? Exits 1 until
every check passes. `handover wipe` is not built yet (docs/security.md)."""

from __future__ import annotations

import argparse

from desktop.cli.common import out, require_user, unlocked_dir


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("handover", parents=[common], help="设备移交前检查")
    p.add_argument("action", choices=["check"])
    p.set_defaults(func=cmd_handover)


def cmd_handover(args: argparse.Namespace) -> int:
    from desktop.storage.db import open_db
    from desktop.sync import handover

    db = open_db(unlocked_dir(args))
    try:
        require_user(args, "user.manage", db)
        checks = handover.check(db)
    finally:
        db.close()
    if args.json:
        out({"ready": handover.ready(checks), "checks": checks})
    else:
        for c in checks:
            print(f"{'✓' if c['ok'] else '✗'} {c['detail']}")
        print("可以移交" if handover.ready(checks) else "尚不能移交：请先处理标 ✗ 的项目")
    return 0 if handover.ready(checks) else 1
