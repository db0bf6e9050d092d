"""`python -m desktop handover check|wipe`: may this device be handed over, and erasing it
(desktop/sync/handover.py).

check exits 1 until every check passes; with --out it writes the 设备移交单 for the supervisor.
wipe (an administrator) records the wipe at the hub first, then destroys the wrapped keys and the data dir; it
asks for this device's window code typed back, or --yes in scripts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli.common import data_dir, out, require_user, unlocked_dir, write_file
from desktop.domain import terminal
from desktop.domain.errors import DeskError
from desktop.storage import logs


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("handover", parents=[common], help="设备移交前检查与清除本机数据")
    p.add_argument("action", choices=["check", "wipe"])
    p.add_argument("--out", help="check：设备移交单（PDF）写到哪里")
    p.add_argument("--yes", action="store_true", help="wipe：不再询问确认（脚本用）")
    p.set_defaults(func=cmd_handover)


def cmd_handover(args: argparse.Namespace) -> int:
    if args.action == "wipe":
        return _wipe(args)
    from desktop.storage.store import Store
    from desktop.sync import handover
    from desktop.sync.engine import SyncEngine

    store = Store.open(unlocked_dir(args))
    logs.setup(store.data_dir)  # the sync pass's warnings go to the desk's log, not to the terminal
    try:
        require_user(args, "user.manage", store.db)
        checks = handover.check_now(SyncEngine(store))
        if args.out:
            from desktop.forms import handover as paper

            write_file(Path(args.out), paper.render(handover.facts(store.db, checks, str(store.data_dir))))
    finally:
        store.close()
    if args.json:
        out({"ready": handover.ready(checks), "checks": checks})
    else:
        for c in checks:
            print(f"{'✓' if c['ok'] else '✗'} {c['detail']}")
        print("可以移交" if handover.ready(checks) else "尚不能移交：请先处理标 ✗ 的项目")
        if args.out:
            print(f"设备移交单已写到：{args.out}")
    return 0 if handover.ready(checks) else 1


def _wipe(args: argparse.Namespace) -> int:
    from desktop.storage import settings
    from desktop.storage.instance import InstanceLock
    from desktop.storage.store import Store
    from desktop.sync import handover
    from desktop.sync.engine import SyncEngine

    where = unlocked_dir(args)
    if not (where / "desk.sqlite").is_file():
        raise DeskError(f"数据目录中没有工作台数据：{where}", field="data_dir")
    lock = InstanceLock(where).acquire()  # the desk must be closed
    store = Store.open(where)
    logs.setup(where)
    try:
        session = require_user(args, "user.manage", store.db)
        if session is None:
            raise DeskError("清除本机数据需要管理员登录：本机还没有账号", field="user")
        _confirm(args, settings.get(store.db, "window_code") or "")
        lock.release()  # the lock file goes with the data dir (Windows cannot remove a file held open)
        done = handover.wipe(SyncEngine(store), session.username)
    finally:
        lock.release()
        store.close()
    if args.json:
        out({"wiped": True, **done})
    else:
        print(f"已清除本机数据：清除记录已送达县级服务器（审计第 {done['entry']} 条），密钥已销毁，数据目录已删除：{data_dir(args)}")
    return 0


def _confirm(args: argparse.Namespace, code: str) -> None:
    """The window code typed back (so a wipe is never one slip of the keyboard), or --yes."""
    if args.yes:
        return
    if not terminal.is_console(sys.stdin):
        raise DeskError("清除本机数据需要确认：请在终端中运行并输入本机窗口编号，或加 --yes", field="yes")
    typed = input(f"清除后本机数据无法恢复（除备份外）。请输入本机窗口编号 {code} 确认：")
    if typed.strip().upper() != code.strip().upper() or not code:
        raise DeskError("输入的窗口编号不符，未清除任何数据", field="yes")
