"""Commands for sync: `sync --once`, `hub connect URL CODE`, `hub status`, `hub resolve CASE ACTION`."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from desktop.cli.common import open_store, out, require_user
from desktop.domain import paths
from desktop.domain.errors import DeskError
from desktop.storage import logs

ACTIONS = {"keep_local": "保留本机版本（在服务器版本之上重新上传）", "take_hub": "采用服务器版本",
           "dismiss": "已查看拒收原因"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help="与县级汇聚服务器同步")
    p.add_argument("--once", action="store_true", help="同步一轮后退出（不加则持续同步，Ctrl+C 停止）")
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("hub", parents=[common], help="县级汇聚服务器：登记、状态、处理冲突")
    p.add_argument("action", choices=["connect", "status", "resolve"])
    p.add_argument("target", nargs="?", help="connect: 服务器地址；resolve: 案件编号或UUID")
    p.add_argument("value", nargs="?", help=f"connect: 登记码；resolve: {'、'.join(ACTIONS)}")
    p.set_defaults(func=cmd_hub)


def _engine(args: argparse.Namespace):
    from desktop.sync.engine import SyncEngine

    store = open_store(args)
    logs.setup(paths.resolve_data_dir(args.data_dir))
    return store, SyncEngine(store)


def _actor(args: argparse.Namespace, store, action: str) -> str:
    """The logged-in staff member allowed to do `action` (docs/roles.md), to be recorded as its actor; "" on a
    device without accounts (nobody to record, and nothing is added to its audit trail)."""
    session = require_user(args, action, store.db)
    return session.username if session else ""


def _record(store, actor: str, action: str) -> None:
    from desktop.storage import audit

    if actor:
        audit.append(store.db, actor, action, detail={"via": "cli"})


def cmd_sync(args: argparse.Namespace) -> int:
    from desktop.sync.engine import POLL_SECONDS

    store, engine = _engine(args)
    try:
        _record(store, _actor(args, store, "sync.run"), "sync.run")
        while True:
            report = engine.sync_now() if args.once else engine.tick()
            if report is not None:
                out(report.to_dict()) if args.json else _print_report(report)
            if args.once:
                if not report.ok:
                    print(f"错误：{report.errors[-1]}", file=sys.stderr)
                for warning in report.errors if report.ok else []:  # the audit trail refused; cases went on
                    print(f"警告：{warning}", file=sys.stderr)
                return 0 if report.ok else 1
            time.sleep(min(POLL_SECONDS, max(1.0, engine.seconds_until_due() or POLL_SECONDS)))
    except KeyboardInterrupt:
        return 130
    finally:
        store.close()


def _print_report(r) -> None:
    print(f"新上传 {r.sent} 件，重发已确认 {r.replayed} 件，扫描件 {r.blobs_sent} 个（{r.bytes_sent / 1e6:.1f} MB）；"
          f"冲突 {r.conflicts} 件，拒收 {r.rejected} 件；待上传 {r.pending} 件；"
          f"收到服务器变更 {r.changes_received} 条，已应用 {r.changes_applied} 条"
          + (f"；收到新目录 {r.catalogs_received} 个（生效日起启动时启用）" if r.catalogs_received else ""))


def cmd_hub(args: argparse.Namespace) -> int:
    if args.action == "connect":
        return _connect(args)
    store, engine = _engine(args)
    try:
        if args.action == "resolve":
            return _resolve(args, store, engine)
        return _status(args, store, engine)
    finally:
        store.close()


def _connect(args: argparse.Namespace) -> int:
    from desktop.sync.engine import connect

    if not args.target or not args.value:
        raise DeskError("用法：python -m desktop hub connect 服务器地址 登记码")
    store = open_store(args)
    try:
        actor = _actor(args, store, "hub.connect")
        result = connect(store, args.target, args.value)
        _record(store, actor, "hub.connect")
    finally:
        store.close()
    out(result) if args.json else print(
        f"已登记：本机为设备“{result['device']}”（{result['office']}），服务器 {result['hub_url']}。"
        f"运行 python -m desktop sync --once 立即同步")
    return 0


def _status(args: argparse.Namespace, store, engine) -> int:

    status, problems = engine.status(), _problems(store, engine)
    if args.json:
        out(status.to_dict() | {"problems": problems})
        return 0
    print(status.summary())
    for p in problems:
        print(f"  {p['number']}  {p['kind_label']}  {p['reason']}")
    return 0


def _problems(store, engine) -> list[dict[str, Any]]:
    return [{k: p[k] for k in ("case_uuid", "number", "kind", "code", "reason", "revision", "hub_revision", "at")}
            for p in engine.problems()]


def _resolve(args: argparse.Namespace, store, engine) -> int:
    if not args.target or args.value not in ACTIONS:
        raise DeskError(f"用法：python -m desktop hub resolve 案件编号 {'|'.join(ACTIONS)}")
    case = store.load(args.target)
    actor = _case_actor(args, store, case)
    engine.resolve(case.uuid, args.value, actor=actor)
    print(f"已处理：{case.number} {ACTIONS[args.value]}")
    return 0


def _case_actor(args: argparse.Namespace, store, case) -> str:
    """Resolving a conflict changes the case: case.transition, within a village agent's area."""
    session = require_user(args, "case.transition", store.db)
    if session is None:
        return args.user or ""
    from desktop.accounts.staff import Accounts

    Accounts(store.db).require(session, "case.transition", case)
    return session.username
