"""`python -m desktop rating add|rectify|open|totals` and `visit list|record`: 好差评, 整改 and 回访 (docs/ratings.md)."""

from __future__ import annotations

import argparse
import datetime as dt

from desktop.cli.common import open_store, out, require_user
from desktop.domain import feedback as words
from desktop.domain.errors import DeskError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("rating", parents=[common], help="好差评与差评整改")
    p.add_argument("action", choices=["add", "rectify", "open", "totals"])
    p.add_argument("ref", nargs="?", help="add/rectify: 案件编号或UUID")
    p.add_argument("level", nargs="?", help="add: 非常满意 满意 基本满意 不满意 非常不满意")
    p.add_argument("--reason", action="append", default=[], help=f"差评原因，可多次：{' '.join(words.REASONS)}")
    p.add_argument("--note", default="", help="评价意见")
    p.add_argument("--channel", choices=list(words.CHANNELS), default="paper", help="默认 paper（书面评价表）")
    p.add_argument("--seq", type=int, default=1, help="rectify: 第几条评价（默认1）")
    p.add_argument("--result", default="", help="rectify: 核实和整改情况")
    p.add_argument("--from", dest="date_from", help="totals: YYYY-MM-DD（默认本月1日）")
    p.add_argument("--to", dest="date_to", help="totals: YYYY-MM-DD（默认今天）")
    p.set_defaults(func=cmd_rating)
    p = sub.add_parser("visit", parents=[common], help="回访")
    p.add_argument("action", choices=["list", "record"])
    p.add_argument("ref", nargs="?", help="record: 案件编号或UUID")
    p.add_argument("kind", nargs="?", choices=list(words.VISIT_REASONS), help="record: completed 办结回访 bad_rating 差评回访")
    p.add_argument("--reached", choices=["yes", "no"], help="record: 是否联系上")
    p.add_argument("--satisfied", choices=["yes", "no"], help="record: 联系上时，群众是否满意")
    p.add_argument("--notes", default="", help="record: 回访记录")
    p.set_defaults(func=cmd_visit)


def _level(text: str | None) -> str:
    by_label = {label: key for key, label in words.LEVELS.items()}
    if not text or (text not in words.LEVELS and text not in by_label):
        raise DeskError(f"评价等级：请写 {'、'.join(words.LEVELS.values())} 之一", field="level")
    return by_label.get(text, text)


def _date(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        raise DeskError(f"日期“{text}”格式不对，应为 YYYY-MM-DD", field="date") from None


def cmd_rating(args: argparse.Namespace) -> int:
    from desktop.storage import feedback

    store = open_store(args)
    try:
        if args.action in ("add", "rectify") and not args.ref:
            raise DeskError(f"rating {args.action} 需要案件编号", field="case")
        if args.action == "add":
            session = require_user(args, "case.transition", store.db)
            case = feedback.rate(store, args.ref, _level(args.level), reasons=args.reason, note=args.note,
                                 channel=args.channel, actor=session.username if session else "")
            return _said(args, {"number": case.number, "ratings": len(case.ratings)}, f"已记录评价：{case.number}")
        if args.action == "rectify":
            session = require_user(args, "case.rectify", store.db)
            case = feedback.rectify(store, args.ref, args.seq, args.result, actor=session.username if session else "")
            return _said(args, {"number": case.number, "seq": args.seq}, f"已登记整改：{case.number}")
        require_user(args, "ledger.view", store.db)
        if args.action == "open":
            return _listed(args, feedback.open_rectifications(store), "rectify_due", "差评待整改")
        return _totals(store, args)
    finally:
        store.close()


def _totals(store, args: argparse.Namespace) -> int:
    from desktop.ledger import ratings

    today = dt.date.today()
    rows = ratings.totals(store, _date(args.date_from, today.replace(day=1)), _date(args.date_to, today))
    data = [{"clerk": r.clerk, "service": r.service, "count": r.count, "levels": r.levels, "bad": r.bad,
             "rectified": r.rectified, "open": r.open, "overdue": r.overdue,
             "satisfaction": round(r.satisfaction, 4)} for r in rows]
    if args.json:
        out(data)
        return 0
    for r in data:
        print(f"{r['clerk'] or '—'}  {store.catalog.service(r['service']).name}  评价 {r['count']}  差评 {r['bad']}"
              f"  待整改 {r['open']}（超期 {r['overdue']}）  满意率 {r['satisfaction']:.1%}")
    return 0


def cmd_visit(args: argparse.Namespace) -> int:
    from desktop.storage import feedback

    store = open_store(args)
    try:
        session = require_user(args, "case.transition", store.db)
        if args.action == "list":
            return _listed(args, feedback.due_visits(store), "due_date", "待回访")
        if not (args.ref and args.kind and args.reached):
            raise DeskError("visit record 需要：案件编号、回访类型（completed 或 bad_rating）和 --reached yes|no",
                            field="visit")
        satisfied = {"yes": True, "no": False}.get(args.satisfied or "")
        case = feedback.record_visit(store, args.ref, args.kind, reached=args.reached == "yes", satisfied=satisfied,
                                     notes=args.notes, actor=session.username if session else "")
        return _said(args, {"number": case.number, "visits": len(case.visits)}, f"已记录回访：{case.number}")
    finally:
        store.close()


def _listed(args: argparse.Namespace, rows: list[dict], due: str, title: str) -> int:
    from desktop.domain.idnumber import mask_name

    shown = [{k: v for k, v in r.items() if k not in ("case_uuid", "township", "village")}
             | {"applicant_name": mask_name(r["applicant_name"])} for r in rows]
    if args.json:
        out(shown)
        return 0
    for r in shown:
        print(f"{r[due]}  {r['number']}  {r['applicant_name']}  {'超期' if r['overdue'] else ''}")
    print(f"{title} {len(shown)} 件")
    return 0


def _said(args: argparse.Namespace, data: dict, text: str) -> int:
    if args.json:
        out(data)
    else:
        print(text)
    return 0
