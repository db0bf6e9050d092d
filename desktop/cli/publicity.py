"""`python -m desktop publicity start|objection|end|show CASE`: the 公示 of a 低保/特困/两项补贴 case (docs/ratings.md)."""

from __future__ import annotations

import argparse
import datetime as dt

from desktop.cli.common import open_store, out, require_user
from desktop.domain import publicity as words
from desktop.domain.errors import DeskError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("publicity", parents=[common], help="公示（审核后、审批前）：开始、登记异议、结束、查看")
    p.add_argument("action", choices=["start", "objection", "end", "show"])
    p.add_argument("ref", help="案件编号或UUID")
    p.add_argument("--place", default="", help="start: 公示地点，如 某某村村务公开栏")
    p.add_argument("--on", help="start: 公示开始日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--note", default="", help="objection: 异议内容（简要）")
    p.add_argument("--result", choices=list(words.RESULTS), help="end: 有异议时必选："
                   + "、".join(f"{k} {v}" for k, v in words.RESULTS.items() if k != "no_objection"))
    p.set_defaults(func=cmd_publicity)


def cmd_publicity(args: argparse.Namespace) -> int:
    from desktop.storage import publicity

    store = open_store(args)
    try:
        if args.action == "show":
            require_user(args, "ledger.view", store.db)
            case = store.load(args.ref)
        else:
            session = require_user(args, "case.transition", store.db)
            actor = session.username if session else ""
            if args.action == "start":
                case = publicity.start(store, args.ref, args.place, on=_date(args.on), actor=actor)
            elif args.action == "objection":
                case = publicity.objection(store, args.ref, args.note, actor=actor)
            else:
                case = publicity.end(store, args.ref, args.result or "", actor=actor)
        stage = words.stage(case.publicity, dt.date.today()) or "该案件尚未公示"
        if args.json:
            out({"number": case.number, "publicity": None if case.publicity is None else vars(case.publicity),
                 "stage": stage, "due_dates": [i.due_date for i in case.items]})
        else:
            print(f"{case.number}　{stage}")
        return 0
    finally:
        store.close()


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise DeskError(f"公示开始日期“{text}”格式不对，应为 YYYY-MM-DD", field="on") from None
