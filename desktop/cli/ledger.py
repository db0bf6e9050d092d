"""`python -m desktop ledger …`: the daily ledger to PDF or XLSX, day close (日结) and its revisions.

    ledger --from DATE [--to DATE] [filters] --out FILE.pdf|FILE.xlsx [--personal] [--local] [--json]
    ledger close DATE [--out FILE.pdf] [--json]
    ledger revisions DATE [--json]
    ledger closures [--from DATE] [--to DATE] [--json]

With staff accounts: a PDF or --json needs ledger.view, an XLSX ledger.export, --personal (full ID numbers,
XLSX only) export.personal_bulk, close day.close (docs/roles.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
from pathlib import Path

from desktop.cli.common import (
    keep_until_exit,
    open_store,
    out,
    quick_exit,
    refuse_special,
    require_user,
    why_not_written,
    write_file,
)
from desktop.domain import wording
from desktop.domain.errors import DeskError

ACTIONS = ("close", "revisions", "closures")
KINDS = {".pdf": "PDF", ".xlsx": "XLSX"}


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("ledger", parents=[common], help="每日受理台账、日结")
    p.add_argument("action", nargs="?", choices=ACTIONS, help="close 日结 revisions 日结后的变动 closures 日结记录")
    p.add_argument("day", nargs="?", help="close / revisions 的日期 YYYY-MM-DD")
    p.add_argument("--from", dest="date_from", help="开始日期 YYYY-MM-DD（受理日期）")
    p.add_argument("--to", dest="date_to", help="结束日期 YYYY-MM-DD（默认同开始日期）")
    p.add_argument("--window", default="", help="窗口或设备编号")
    p.add_argument("--clerk", default="", help="经办人（姓名或用户名）")
    p.add_argument("--township", default="", help="乡镇")
    p.add_argument("--village", default="", help="村（社区）")
    p.add_argument("--service", help="一件事编号")
    p.add_argument("--state", default="", help="状态，如 已受理、补正中、已办结")
    p.add_argument("--overdue", action="store_true", help="只列超期案件")
    p.add_argument("--local", action="store_true", help="只用本机数据（即使已连接县级汇聚服务器）")
    p.add_argument("--personal", action="store_true", help="XLSX中含完整身份证号（需“批量导出完整个人信息”权限，记入审计）")
    p.add_argument("--out", help="输出文件：.pdf 或 .xlsx")
    p.set_defaults(func=cmd_ledger)


def parse_date(text: str | None, option: str = "") -> dt.date:
    """A YYYY-MM-DD date; `option` (e.g. --from) names where it came from in the message."""
    if not text:
        raise DeskError(f"缺少{option or '日期'}：日期格式为 YYYY-MM-DD", field=option or "day")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        where = f"{option} 的日期" if option else "日期"
        raise DeskError(f"{where}“{text}”格式不对，应为 YYYY-MM-DD", field=option or "day") from None


def output(path: str | None) -> Path | None:
    """The --out file, its type known by its extension; refused before any work if it cannot be written."""
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in KINDS:
        raise DeskError(f"输出文件应以 .pdf 或 .xlsx 结尾：{target.name}", field="out")
    refuse_special(target)
    probe = target.with_name(target.name + ".part")
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DeskError(f"无法写入文件“{target}”：{why_not_written(exc)}", field="out") from None
    return target


def cmd_ledger(args: argparse.Namespace) -> int:

    if args.action in ("close", "revisions") and not args.day:
        raise DeskError(f"ledger {args.action} 需要日期，例如：ledger {args.action} 2026-11-27", field="day")
    if args.day and args.action not in ("close", "revisions"):
        raise DeskError(f"多余的参数“{args.day}”：日期请用 --from / --to", field="day")
    target = output(args.out)
    # The cyclic garbage collector stays paused for the whole command, not only while the rows are built
    # (ledger.query.bulk): resumed there, its first full collection walked the year's 50,000 rows, still
    # held here, once after the query and again after the render (≈0.3 s each). Resumed once they are freed.
    # Done (the store closed, the file fsynced), the process ends at once when it runs only this command.
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = _command(args, target)
    except BaseException:
        if collecting:
            gc.enable()
        raise
    if collecting and not quick_exit():
        gc.enable()
    return code


def _command(args: argparse.Namespace, target: Path | None) -> int:
    from desktop.storage import logs

    store = open_store(args)
    try:
        logs.setup(store.data_dir)  # the fonts' warnings (a stale cache) go to the desk's log, not the terminal
        if args.action == "close":
            return _close(store, args, target)
        if args.action == "revisions":
            return _revisions(store, args)
        if args.action == "closures":
            return _closures(store, args)
        return _ledger(store, args, target)
    finally:
        store.close()


def _filters(args: argparse.Namespace):
    from desktop.ledger import query as ledger

    start = parse_date(args.date_from, "--from")
    end = parse_date(args.date_to, "--to") if args.date_to else start
    if args.service is not None and not args.service.strip().isdigit():
        raise DeskError(f"--service 应为一件事编号（数字）：{args.service}", field="service")
    return ledger.Filters(start, end, window=args.window, clerk=args.clerk, township=args.township,
                          village=args.village, service=int(args.service) if args.service else None,
                          state=args.state, overdue_only=args.overdue)


def _ledger(store, args: argparse.Namespace, target: Path | None) -> int:
    if target is None and not args.json:
        raise DeskError("请用 --out 指定输出文件（.pdf 或 .xlsx），或用 --json 输出到屏幕", field="out")
    xlsx = target is not None and target.suffix.lower() == ".xlsx"
    if args.personal and not xlsx:
        raise DeskError("--personal 只用于 XLSX 导出", field="personal")
    filters = _filters(args)
    mode = "local" if args.local else "auto"
    if args.personal:
        from desktop.ledger import xlsx as ledger_xlsx  # not for a PDF: its helper process starts sooner

        session = require_user(args, "export.personal_bulk", store.db)
        data, result = ledger_xlsx.personal_xlsx(store, session, filters, hub=mode)
    elif target is None or xlsx:
        require_user(args, "ledger.export" if xlsx else "ledger.view", store.db)
        data, result = _made(store, filters, mode, target, xlsx)
    else:
        data, result = _pdf(store, args, filters, mode)
    if target is not None:
        write_file(target, data)
    if args.json:
        shown = result.to_dict() if target is None else {
            "path": str(target), "rows": result.totals.cases, "source": result.source, "warning": result.warning,
            "totals": result.totals.to_dict()}
        out(shown)
        return 0
    if result.warning:
        print(f"注意：{result.warning}")
    t = result.totals
    print(f"已生成每日受理台账（{KINDS[target.suffix.lower()]}）：{target}  共 {t.cases} 件，超期 {t.overdue} 件，"
          f"未同步 {t.unsynced} 件；数据范围：{result.source_label}")
    keep_until_exit(result)
    return 0


def _made(store, filters, mode: str, target: Path | None, xlsx: bool):
    """The ledger's rows and its XLSX file's bytes (None without --out)."""
    from desktop.ledger import query as ledger, xlsx as ledger_xlsx

    result = ledger.query(store, filters, hub=mode)
    return (None if target is None else ledger_xlsx.write(result)), result


def _pdf(store, args: argparse.Namespace, filters, mode: str):
    """The ledger's PDF and its result. A second process starts before the login, so that its imports overlap
    argon2; it is given work (its share of the rows, desktop/ledger/pdfsplit.py, or else some of the pages,
    desktop/forms/ledgerpages.py) only once the login is accepted, and ended on a refused one."""
    import functools
    import threading

    from desktop.forms import ledgerpages
    from desktop.ledger import pdfsplit

    data_dir = str(store.data_dir) if store.data_dir is not None else None
    helper = ledgerpages.Helper.start(warm=functools.partial(pdfsplit.warm_child, data_dir))
    # This process's own imports and fonts meanwhile too, on a thread: argon2's hashing releases the GIL
    warming = threading.Thread(target=pdfsplit.warm, kwargs={"quietly": True}, name="ledger-warm", daemon=True)
    warming.start()
    try:
        try:
            require_user(args, "ledger.view", store.db)
        finally:
            warming.join()
        from desktop.ledger import query as ledger

        made = pdfsplit.render(store, filters, helper, hub=mode) if helper is not None else None
        if made is not None:
            return made
        result = ledger.query(store, filters, hub=mode)
        return ledger.render_pdf(result, helper=helper), result
    finally:
        if helper is not None:
            helper.close()


def _actor(store, args: argparse.Namespace, session) -> str:
    from desktop.storage import settings

    return session.username if session else (args.user or settings.get(store.db, "clerk") or "")


def _close(store, args: argparse.Namespace, target: Path | None) -> int:
    from desktop.ledger import close as ledger_close

    if target is not None and target.suffix.lower() != ".pdf":
        raise DeskError("日结的台账只能保存为 .pdf", field="out")
    day = parse_date(args.day)
    session = require_user(args, "day.close", store.db)
    closure = ledger_close.close_day(store, day, actor=_actor(store, args, session))
    if target is not None:
        write_file(target, ledger_close.closure_pdf(store, closure))
    if args.json:
        out(closure.to_dict() | {"path": str(target) if target else None})
        return 0
    print(f"已日结 {closure.day}（第 {closure.revision} 版，{closure.case_count} 件，"
          f"数据范围：{'全办理点' if closure.source == 'hub' else '仅本机'}），台账PDF已存档 sha256 {closure.pdf_sha256}")
    for change in closure.changes:
        print(f"  变动：{change.number}  {change.text}")
    if target is not None:
        print(f"台账PDF：{target}")
    return 0


def _revisions(store, args: argparse.Namespace) -> int:
    from desktop.ledger import close as ledger_close

    day = parse_date(args.day)
    require_user(args, "ledger.view", store.db)
    status = ledger_close.revisions(store, day)
    if args.json:
        out(status.to_dict())
        return 0
    if not status.closures:
        print(f"{status.day} 尚未日结")
        return 0
    print(f"{status.day} 已日结 {len(status.closures)} 版：")
    for c in status.closures:
        print(f"  第 {c.revision} 版  {_when_who(store, c)}  {c.case_count} 件  sha256 {c.pdf_sha256[:16]}…")
    if not status.changes:
        print("日结后没有变动")
        return 0
    print(f"日结后的变动 {len(status.changes)} 件（再次日结即形成第 {status.closures[-1].revision + 1} 版）：")
    for change in status.changes:
        print(f"  {change.number}  {change.text}  {wording.local_time(change.changed_at)}")
    return 0


def _when_who(store, closure) -> str:
    """When and by whom a day was closed, as the hall reads it: its local time and the supervisor's name."""
    from desktop.accounts.staff import Accounts

    name = Accounts(store.db).names().get(closure.closed_by, closure.closed_by)
    return f"{wording.local_time(closure.closed_at)}  {name}"


def _closures(store, args: argparse.Namespace) -> int:
    from desktop.ledger import close as ledger_close

    start = parse_date(args.date_from, "--from") if args.date_from else None
    end = parse_date(args.date_to, "--to") if args.date_to else None
    require_user(args, "ledger.view", store.db)
    found = ledger_close.closures(store, start, end)
    if args.json:
        out([c.to_dict() for c in found])
        return 0
    for c in found:
        print(f"{c.day}  第 {c.revision} 版  {_when_who(store, c)}  {c.case_count} 件  "
              f"{'全办理点' if c.source == 'hub' else '仅本机'}  sha256 {c.pdf_sha256[:16]}…")
    print(f"共 {len(found)} 条日结记录")
    return 0
