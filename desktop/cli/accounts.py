"""`python -m desktop user …` and `audit …`: staff accounts and the audit trail from the command line.

`require_user(args, action, db)` is the login of commands that change cases or reveal personal data: once
the device has any account they need `--user NAME` and the password (from the terminal, or DESK_PASSWORD for
automation). A fresh device without accounts keeps working unauthenticated until its first administrator
is created (docs/roles.md). New passwords for automation come from DESK_NEW_PASSWORD, never DESK_PASSWORD,
which is the operator's own.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
from pathlib import Path

from desktop.accounts.roles import ROLES, Area, role_id
from desktop.accounts.staff import Accounts
from desktop.cli.common import (
    ENV_NEW_PASSWORD,
    encrypt_with_paper,
    out,
    read_password,
    require_user,
    unlocked_dir,
)
from desktop.domain.errors import DeskError
from desktop.storage import audit
from desktop.storage.auditverify import age
from desktop.storage.db import Database, open_db
from desktop.storage.logs import redact

NO_ACCOUNTS = "本机还没有账号：请先创建管理员，例如 python -m desktop user add admin --role 管理员 --display-name 姓名"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("user", parents=[common], help="工作人员账号")
    p.add_argument("action", choices=["add", "edit", "list", "disable", "enable", "reset-password", "password"])
    p.add_argument("username", nargs="?", help="账号的用户名（list 不需要）")
    p.add_argument("--role", help="角色：" + "、".join(ROLES.values()))
    p.add_argument("--display-name", help="姓名")
    p.add_argument("--staff-no", help="工号（印在委托书受托人栏和受理回执上；edit 时给空字符串可清除）")
    p.add_argument("--area", help="服务区域：乡镇，或 乡镇:村,村（村级代办员必填）")
    p.add_argument("--out", help="add 第一个管理员：本机数据随之加密，恢复密钥单（PDF）写到哪里")
    p.set_defaults(func=cmd_user)
    p = sub.add_parser("audit", parents=[common], help="审计记录")
    p.add_argument("action", choices=["verify", "list"])
    p.add_argument("--since", type=int, default=0, help="list：只列出编号大于此数的记录")
    p.add_argument("--case", help="list：只列出某案件（编号或UUID）的记录")
    p.add_argument("--quick", action="store_true", help="verify：只自上次核对点起校验（默认从第1条起校验全链）")
    p.add_argument("--full", action="store_true", help="verify：从第1条起校验全链（默认如此；保留以兼容）")
    p.set_defaults(func=cmd_audit)


def parse_area(text: str | None) -> Area:
    """'白水乡' or '白水乡:白水村,石门村' (full-width ：，、 too) as an Area."""
    if not text or not text.strip():
        return Area()
    township, _, villages = text.strip().replace("：", ":").partition(":")
    return Area(township.strip(), tuple(v.strip() for v in re.split(r"[,，、]", villages) if v.strip()))


def cmd_user(args: argparse.Namespace) -> int:
    where = unlocked_dir(args)
    db = open_db(where)
    try:
        accounts = Accounts(db)
        if args.action == "list":
            return _list_users(accounts, args.json)
        if not args.username and args.action != "password":
            raise DeskError(f"user {args.action} 需要用户名", field="username")
        if args.action == "add" and not accounts.any_users():
            return _first_admin(db, where, args)
        if args.action == "add":
            return _add(accounts, args)
        if not accounts.any_users():
            raise DeskError(NO_ACCOUNTS, field="user")
        if args.action == "password":
            return _change_own(accounts, args)
        session = require_user(args, "user.manage", db)
        if args.action == "edit":
            accounts.edit_user(session, args.username, display_name=args.display_name, staff_no=args.staff_no)
            print(f"已修改账号：{args.username.strip().lower()}")
            return 0
        if args.action in ("disable", "enable"):
            accounts.set_disabled(session, args.username, args.action == "disable")
            print(f"已{'停用' if args.action == 'disable' else '启用'}账号：{args.username.strip().lower()}")
            return 0
        given = os.environ.get(ENV_NEW_PASSWORD)
        password = accounts.reset_password(session, args.username, given)
        _report_password(args, args.username.strip().lower(), password, given, "已重置密码")
        return 0
    finally:
        db.close()


def _first_admin(db: Database, where: Path, args: argparse.Namespace) -> int:
    """The device's first account, an administrator; the data dir is encrypted with it (accounts/keysetup.py)
    and the recovery paper written to --out, unless DESK_PLAIN_DATA=1 (tests, development) keeps it plain."""
    from desktop.accounts import keysetup, passwords

    if not args.role or not args.display_name:
        raise DeskError("user add 需要 --role 角色 和 --display-name 姓名", field="role")
    if role_id(args.role) != "admin":
        raise DeskError("本机还没有账号：第一个账号必须是管理员（--role 管理员）", field="role")
    encrypting = keysetup.wanted(where)
    if encrypting and not args.out:
        raise DeskError("本机数据将随第一个管理员加密：请加 --out 恢复密钥单.pdf（恢复密钥只生成这一次）",
                        field="out")
    given = os.environ.get(ENV_NEW_PASSWORD)
    name = args.username.strip().lower()
    password = given or passwords.generate()
    Accounts(db).create_admin(name, args.display_name, password, must_change=not given,
                              staff_no=args.staff_no or "")
    db.close()  # the conversion needs the database closed; cmd_user's close is then a no-op
    said = encrypt_with_paper(where, name, args.display_name, password, Path(args.out)) if encrypting else ""
    if said and not args.json:
        print(said)
    _report_password(args, name, password, given, "已创建管理员", paper=args.out if encrypting else None)
    return 0


def _add(accounts: Accounts, args: argparse.Namespace) -> int:
    if not args.role or not args.display_name:
        raise DeskError("user add 需要 --role 角色 和 --display-name 姓名", field="role")
    given = os.environ.get(ENV_NEW_PASSWORD)
    name = args.username.strip().lower()
    session = require_user(args, "user.manage", accounts.db)
    password = accounts.add_user(session, name, args.display_name, args.role, parse_area(args.area), given,
                                 staff_no=args.staff_no or "")
    _report_password(args, name, password, given, "已创建账号")
    return 0


def _report_password(args: argparse.Namespace, name: str, password: str, given: str | None, done: str,
                     paper: str | None = None) -> None:
    shown = None if given else password
    if args.json:
        out({"username": name, "initial_password": shown, **({"recovery_paper": paper} if paper else {})})
    elif shown:
        print(f"{done}：{name}  初始密码：{shown}（只显示这一次；首次登录须修改）")
    else:
        print(f"{done}：{name}（密码取自环境变量 {ENV_NEW_PASSWORD}）")


def _change_own(accounts: Accounts, args: argparse.Namespace) -> int:
    if not args.user:
        raise DeskError("user password 需要 --user 用户名", field="user")
    old = read_password("原密码：")
    session = accounts.login(args.user, old, via="cli")
    new = read_password("新密码：", ENV_NEW_PASSWORD)
    if ENV_NEW_PASSWORD not in os.environ and getpass.getpass("再输入一次新密码：") != new:
        raise DeskError("两次输入的新密码不一致", field="password")
    accounts.change_password(session, old, new)
    print(f"已修改密码：{session.username}")
    return 0


def _list_users(accounts: Accounts, as_json: bool) -> int:
    users = accounts.users()
    if as_json:
        out(users)
        return 0
    for u in users:
        flags = [f for f, on in (("已停用", u["disabled"]), (f"锁定至{(u['locked_until'] or '')[11:16]}",
                                 u["locked_until"]), ("须改初始密码", u["must_change"])) if on]
        print(f"{u['username']:<14} {u['display_name']:<6} {('工号' + u['staff_no']) if u['staff_no'] else '（无工号）':<10} "
              f"{u['role_label']:<6} {u['area_label']}  {' '.join(flags)}")
    print(f"共 {len(users)} 个账号")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    db = open_db(unlocked_dir(args))
    try:
        if args.action == "verify":
            return _verify(db, args.json, full=not args.quick)  # an auditor asking is the on-demand full walk
        require_user(args, "audit.view", db)
        case_uuid = _case_uuid(db, args.case) if args.case else None
        entries = audit.export(db, since_id=args.since, case_uuid=case_uuid)
        if args.json:
            out(entries)
            return 0
        names = Accounts(db).names()
        for e in entries:
            who = names.get(e["username"], e["username"]) or "（未登录）"
            print(f"{e['id']:>6}  {e['at']}  {e['device']}  {who}  {e['action']}  {e['case_uuid'] or ''}  "
                  f"{audit.canonical(e['detail'])}")
        print(f"共 {len(entries)} 条")
        return 0
    finally:
        db.close()


def _verify(db: Database, as_json: bool, *, full: bool) -> int:
    report = audit.check(db, full=full)
    broken = report.broken
    if as_json:
        out({"ok": broken is None, "entries": report.entries, "broken_id": broken.id if broken else None,
             "reason": broken.reason if broken else None, "message": broken.message if broken else None,
             "full": full, "walked_from": report.walked_from, "full_at": report.full_at, "hub": report.hub})
        return 0 if broken is None else 1
    if broken:
        raise DeskError(f"审计记录校验未通过：{broken.message}")
    print(f"审计记录完整：共 {report.entries} 条，哈希链无断点" + _how(report))
    return 0


def _how(report: audit.Report) -> str:
    """What was walked, when the whole chain was last walked, and the hub's checkpoint and its age."""
    walked = "（全链校验）" if report.full else f"（快速校验：自核对点第{report.walked_from}条起；全链校验去掉 --quick" + (
        f"，上次全链校验于{age(report.full_at)}）" if report.full_at else "，尚未做过全链校验）")
    hub = report.hub or {}
    if hub.get("id"):
        return walked + f"；与县级服务器核对点第{hub['id']}条一致（{age(hub.get('at')) or '时间不明'}确认）"
    return walked + "；尚无县级服务器核对点（未同步过审计记录）"


def _case_uuid(db: Database, ref: str) -> str:
    row = db.execute("SELECT uuid FROM cases WHERE uuid = ? OR number = ?", [ref, ref.upper()]).fetchone()
    if row is None:
        raise DeskError(f"找不到案件“{redact(ref)}”（可用案件编号或UUID）", field="case")  # an ID typed in the wrong box
    return row[0]
