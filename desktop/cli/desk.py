"""`python -m desktop` (the desk), `demo` and `screenshots`: the commands that open or show the desk."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desktop.cli.common import data_dir, encrypt_with_paper, open_store, unlocked_dir, why_not_written
from desktop.domain.errors import DeskError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="生成演示数据")
    p.add_argument("--days", type=int, default=45, help="向前生成多少天的案件")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("screenshots", parents=[common], help="把各主要界面与向导页面截图为PNG（1366×768）")
    p.add_argument("outdir")
    p.add_argument("--service", type=int, default=3, help="向导截图所用的一件事编号")
    p.set_defaults(func=cmd_screenshots)


def cmd_demo(args: argparse.Namespace) -> int:
    """Demo cases and staff; a new demo data dir is then encrypted like a real desk's (its recovery paper
    beside it), unless DESK_PLAIN_DATA=1 keeps it plain."""
    from desktop.accounts import keysetup
    from desktop.accounts.staff import Accounts
    from desktop.intake import demo
    from desktop.storage import logs

    store = open_store(args)
    try:
        logs.setup(store.data_dir)  # the fonts' warnings (a stale cache) go to the desk's log, not the terminal
        made_staff = not Accounts(store.db).any_users()
        count = demo.fill(store, days=args.days)
    finally:
        store.close()
    where = data_dir(args)
    if made_staff and keysetup.wanted(where):
        (admin, display, _, _) = demo.STAFF[0]
        print(encrypt_with_paper(where, admin, display, demo.DEMO_PASSWORD,
                                 where.parent / f"{where.name}-恢复密钥单.pdf"))
    print(f"已生成演示数据：{count} 件案件")  # the data dir follows on the last line (cli/main.py)
    return 0


def cmd_screenshots(args: argparse.Namespace) -> int:
    from desktop.ui.screenshots import capture

    where, out_dir = unlocked_dir(args), Path(args.outdir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "这是一个文件，请给出文件夹" if out_dir.exists() else why_not_written(exc)
        raise DeskError(f"无法写入截图文件夹“{out_dir}”：{reason}", field="outdir") from None
    shots = capture(where, out_dir, service=args.service)
    print(f"已保存 {len(shots)} 张截图到 {args.outdir}")
    print(f"数据目录：{where}")  # as main() says after every command, which this one does not return to
    # Every PNG is written and the store closed by now. Qt's teardown of top-level windows that were grabbed
    # offscreen crashes about one exit in eight ("shared QObject was deleted directly", then SIGSEGV with no
    # Python frame): this rendering tool leaves without it. The desk itself never grabs its windows.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def cmd_desk(args: argparse.Namespace) -> int:
    from desktop.ui.app import run

    return run(data_dir(args), user=getattr(args, "user", None))
