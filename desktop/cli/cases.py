"""`python -m desktop case import|list|show` and `id check`: cases and ID numbers from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from desktop.cli.common import open_store, out, require_user
from desktop.domain.errors import DeskError

TYPE_CHECKING = False  # typing's flag without importing typing: `id check` pays for this module (issue 16)
if TYPE_CHECKING:
    from typing import Any


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("id", parents=[common], help="身份证号码")
    p.add_argument("action", choices=["check"])
    p.add_argument("number")
    p.set_defaults(func=cmd_id)
    p = sub.add_parser("case", parents=[common], help="案件")
    p.add_argument("action", choices=["import", "list", "show"])
    p.add_argument("ref", nargs="?", help="import: JSON文件；show: 案件编号或UUID")
    p.add_argument("--date", help="YYYY-MM-DD")
    p.set_defaults(func=cmd_case)


def cmd_id(args: argparse.Namespace) -> int:
    from desktop.domain import idnumber

    info = idnumber.parse(args.number)
    today = dt.date.today()
    data = {"valid": True, "number": idnumber.mask_id(info.number), "kind": info.kind,
            "birth_date": info.birth_date.isoformat(), "age": info.age_on(today), "sex": info.sex,
            "converted_from_15": info.converted_from_15, "warnings": list(info.warnings)}
    if args.json:
        out(data)
    else:
        print(f"有效：{data['number']}  {data['sex']}  {data['age']}周岁  出生日期 {data['birth_date']}")
        for w in info.warnings:
            print(f"提示：{w}")
    return 0


def cmd_case(args: argparse.Namespace) -> int:
    if args.action in ("import", "show") and not args.ref:
        raise DeskError(f"case {args.action} 需要参数（文件或案件编号）")
    from desktop.domain import views

    store = open_store(args)
    try:
        if args.action == "import":
            return _case_import(store, args)
        session = require_user(args, "case.view", store.db)  # None on a device without accounts
        if args.action == "show":
            return _case_show(store, args, session)
        day = _date(args.date) if args.date else None
        rows = store.cases_on(day) if day else store.rows("state != 'draft'", order="accepted_at")
        if session is not None:  # a village agent lists only the cases of their own area
            from desktop.accounts.roles import visible

            rows = [r for r in rows if visible(session, r)]
        names = store.catalog_names()
        items = [views.summary(r, names) for r in rows]
        if args.json:
            out(items)
        else:
            for c in items:
                print(f"{c['number']}  {c['state_label']:<4}  {c['applicant']}  {c['id_number']}  {c['service_name']}")
            print(f"共 {len(items)} 件")
        return 0
    finally:
        store.close()


def _case_show(store, args: argparse.Namespace, session) -> int:
    from desktop.domain import views

    case = store.load(args.ref)
    if session is not None:
        from desktop.accounts.staff import Accounts

        Accounts(store.db).require(session, "case.view", case)  # refused (and recorded) outside the area
    data = views.detail(case, store.service_for(case), store.events(case.uuid))
    if not args.json:
        data["events"] = _named_actors(store, data["events"])
    out(data) if args.json else _print_case(data)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DeskError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


def _case_import(store, args: argparse.Namespace) -> int:
    from desktop.domain import views
    from desktop.forms import namecheck
    from desktop.intake import importer
    from desktop.storage import logs

    logs.setup(store.data_dir)  # the fonts' warnings (a stale cache) go to the desk's log, not the terminal
    session = require_user(args, "case.create", store.db)  # None on a device without accounts (docs/roles.md)
    actor = session.username if session else (args.user or "")
    source = importer.read_json(Path(args.ref))
    if session and not source.get("clerk"):
        source["clerk"] = session.display_name  # 经办人 on paper: the name, not the username
    case = importer.import_case(store, source, actor=actor, session=session)
    for found in namecheck.person_findings(case):  # printable, but not as typed (an IVS without its glyph)
        print(f"提示：{found.message}", file=sys.stderr)
    data = views.detail(case, store.service_for(case))
    if args.json:
        out(data)
    else:
        print(f"已受理：{case.number}（{case.state_label}）")
        if case.missing:
            print("需补正材料：" + "、".join(m["name"] for m in data["materials"] if m["id"] in case.missing))
    return 0


def _named_actors(store, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline with each actor's name instead of their username, as the case view shows it."""
    from desktop.accounts.staff import Accounts

    names = Accounts(store.db).names()
    return [{**e, "actor": names.get(e["actor"], e["actor"])} for e in events]


def _print_case(d: dict[str, Any]) -> None:
    from desktop.domain import wording  # the case model and its dataclasses: not for `id check`

    print(f"{d['number'] or '（草稿）'}  {d['state_label']}  {d['service_name']}")
    if d["accepted_at"]:
        print(f"受理时间：{wording.local_time(d['accepted_at'])}")
    a = d["applicant"]
    print(f"申请人：{a['name']}  {a['id_number']}  {a['phone']}")
    for i in d["items"]:
        print(f"  事项：{i['name']}（{i['code'] or '无编码'}） {i['status_label']}  办结期限 {i['due_date'] or '—'}")
    for m in d["materials"]:
        print(f"  材料：{m['name']}  {m['received_label']}")
    if d.get("publicity"):
        print(f"  公示：{d['publicity']}")
    for e in d["events"]:  # words and the hall's time, never a kind's code or a UUID (issue 12)
        shown = {k: v for k, v in e["detail"].items() if k in ("kind", "reprint", "reason", "department", "note")}
        if e["detail"].get("paper"):  # the receipt as printed: 收件凭证 while materials were missing
            shown["kind"] = e["detail"]["paper"]
        detail = wording.describe(shown)
        print(f"  {wording.local_time(e['at'])}  {wording.event_label(e['kind'])}  {e['actor']}"
              + (f"  {detail}" if detail else ""))
