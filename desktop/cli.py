"""The command line (DESIGN.md §6): thin wrappers over the same core functions the desk calls.

Bad input prints one Chinese line on stderr and exits 1; a bug prints one line, logs the traceback in the
data dir's logs/ (never personal data) and exits 2. No traceback ever reaches the terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from desktop import catalog as catalog_mod, paths
from desktop.errors import DeskError

# Modules that add their own subcommands: each has `register(subparsers, common_parent_parser)` and sets
# `func` on its parsers. Add a line here rather than growing this file.
PLUGINS: list[str] = [
    "desktop.accounts_cli",
    "desktop.scan_cli",
    "desktop.printing_cli",
    "desktop.sync_cli",
    "desktop.ledger_cli",
]


def out(data: Any) -> None:
    """Print `data` as readable JSON with Chinese intact (every --json output goes through here)."""
    print(json.dumps(data, ensure_ascii=False, indent=2))



def why_not_written(exc: OSError) -> str:
    """Why a file could not be written, in words a clerk can act on."""
    if isinstance(exc, FileNotFoundError):
        return "所在文件夹不存在"
    if isinstance(exc, PermissionError):
        return "没有写入权限，或文件正被其他程序打开"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，请给出文件名"
    return f"写入失败（错误号 {exc.errno}）"


def write_file(target: Path, data: bytes) -> None:
    """Write via a temporary file, so a failed write never leaves half a file under the real name."""
    partial = target.with_name(target.name + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DeskError(f"无法写入文件“{target}”：{why_not_written(exc)}", field="out") from None


def open_store(args: argparse.Namespace):
    """The store of the data dir named by --data-dir / DESK_DATA_DIR / the default."""
    from desktop.store import Store

    return Store.open(paths.resolve_data_dir(args.data_dir))



def cmd_catalog(args: argparse.Namespace) -> int:
    if args.action == "build":
        from desktop.catalog_build import build

        count = build(paths.catalog_source_dir(), paths.catalog_db_path())
        out({"services": count, "path": str(paths.catalog_db_path())}) if args.json else print(
            f"已生成 {paths.catalog_db_path()}，共 {count} 件一件事")
        return 0
    cat = catalog_mod.load()
    if args.action == "show":
        if args.number is None:
            raise DeskError("catalog show 需要一件事编号，例如：catalog show 3")
        return _show_service(cat, cat.service(args.number), args.json)
    services = list(cat.services.values())
    if args.json:
        out([catalog_mod.service_summary(s) for s in services])
        return 0
    for s in services:
        print(f"{s.number:>3}  {s.group:<8}  {s.name}  （{'、'.join(s.methods)}）")
    return 0


def _show_service(cat: catalog_mod.Catalog, s: catalog_mod.Service, as_json: bool) -> int:
    if as_json:
        import dataclasses

        data = catalog_mod.service_summary(s) | {
            "requirement": s.requirement, "ask": list(s.ask), "time_limit": s.time_limit, "proxy": s.proxy,
            "eligibility": [dataclasses.asdict(r) for r in s.eligibility],
            "materials": [dataclasses.asdict(m) for m in s.materials],
            "links": [dataclasses.asdict(k) for k in s.links],
        }
        out(data)
        return 0
    print(f"{s.number}. {s.name}（{s.group}）\n办理层级：{s.level}  业务部门：{'、'.join(s.departments)}")
    print(f"推荐办理方式：{'、'.join(s.methods)}  承诺时限：{s.working_days or s.time_limit.get('basis', '—')}"
          f"{'个工作日' if s.working_days else ''}")
    for item in s.items:
        print(f"  事项：{item.name}（{item.code or '无编码'}）")
    for m in s.materials:
        print(f"  材料[{catalog_mod.NEEDS[m.need]}]：{m.name}")
    for link in s.links:
        print(f"  关联：{link.service}. {cat.services[link.service].name}（{link.reason}）")
    return 0


def cmd_id(args: argparse.Namespace) -> int:
    from desktop import idnumber

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
    from desktop import views

    store = open_store(args)
    try:
        if args.action == "import":
            return _case_import(store, args)
        if args.action == "show":
            case = store.load(args.ref)
            data = views.detail(case, store.catalog, store.events(case.uuid))
            out(data) if args.json else _print_case(data)
            return 0
        day = _date(args.date) if args.date else None
        rows = store.cases_on(day) if day else store.rows("state != 'draft'", order="accepted_at")
        items = [views.summary(r, store.catalog) for r in rows]
        if args.json:
            out(items)
        else:
            for c in items:
                print(f"{c['number']}  {c['state_label']:<4}  {c['applicant']}  {c['id_number']}  {c['service_name']}")
            print(f"共 {len(items)} 件")
        return 0
    finally:
        store.close()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DeskError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


def _case_import(store, args: argparse.Namespace) -> int:
    from desktop import importer, views
    from desktop.accounts_cli import require_user

    session = require_user(args, "case.create", store.db)  # None on a device without accounts (docs/roles.md)
    actor = session.username if session else (args.user or "")
    source = importer.read_json(Path(args.ref))
    if session and not source.get("clerk"):
        source["clerk"] = session.display_name  # 经办人 on paper: the name, not the username
    case = importer.import_case(store, source, actor=actor)
    data = views.detail(case, store.catalog)
    if args.json:
        out(data)
    else:
        print(f"已受理：{case.number}（{case.state_label}）")
        if case.missing:
            print("需补正材料：" + "、".join(m["name"] for m in data["materials"] if m["id"] in case.missing))
    return 0


def _print_case(d: dict[str, Any]) -> None:
    print(f"{d['number'] or '（草稿）'}  {d['state_label']}  {d['service_name']}")
    a = d["applicant"]
    print(f"申请人：{a['name']}  {a['id_number']}  {a['phone']}")
    for i in d["items"]:
        print(f"  事项：{i['name']}（{i['code'] or '无编码'}） {i['status_label']}  办结期限 {i['due_date'] or '—'}")
    for m in d["materials"]:
        print(f"  材料：{m['name']}  {m['received_label']}")
    for e in d["events"]:
        print(f"  {e['at']}  {e['kind']}  {e['actor']}")


def cmd_settings(args: argparse.Namespace) -> int:
    from desktop import settings
    from desktop.db import open_db

    db = open_db(paths.resolve_data_dir(args.data_dir))
    try:
        if args.action == "set":
            if args.key is None or args.value is None:
                raise DeskError("settings set 需要设置项和值，例如：settings set county_code 430521")
            from desktop.accounts_cli import change_setting

            change_setting(args, db)  # an administrator's login once the device has accounts (docs/roles.md)
        values = settings.get_all(db)
        out(values) if args.json or args.action == "show" else print(f"已保存：{args.key}")
        return 0
    finally:
        db.close()


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop import demo

    store = open_store(args)
    try:
        count = demo.fill(store, days=args.days)
        print(f"已生成演示数据：{count} 件案件，数据目录 {store.data_dir}")
        return 0
    finally:
        store.close()


def cmd_screenshots(args: argparse.Namespace) -> int:
    from desktop.ui.screenshots import capture

    shots = capture(paths.resolve_data_dir(args.data_dir), Path(args.outdir), service=args.service)
    print(f"已保存 {len(shots)} 张截图到 {args.outdir}")
    return 0


def cmd_desk(args: argparse.Namespace) -> int:
    from desktop.ui.app import run

    return run(paths.resolve_data_dir(args.data_dir))


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one Chinese line instead of English usage text."""

    def error(self, message: str):  # type: ignore[override]
        print(f"错误：命令参数不对（{message}）。用 {self.prog} --help 查看用法。", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="数据目录（默认：本机用户数据目录；环境变量 DESK_DATA_DIR）")
    common.add_argument("--json", action="store_true", help="以JSON输出")
    common.add_argument("--user", help="操作人员")
    parser = _Parser(prog="python -m desktop", parents=[common], description="一件事帮代办工作台")
    parser.add_argument("--self-check", action="store_true", help="检查安装是否完整后退出")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("catalog", parents=[common], help="一件事目录")
    p.add_argument("action", choices=["list", "show", "build"])
    p.add_argument("number", nargs="?")
    p.set_defaults(func=cmd_catalog)
    p = sub.add_parser("id", parents=[common], help="身份证号码")
    p.add_argument("action", choices=["check"])
    p.add_argument("number")
    p.set_defaults(func=cmd_id)
    p = sub.add_parser("case", parents=[common], help="案件")
    p.add_argument("action", choices=["import", "list", "show"])
    p.add_argument("ref", nargs="?", help="import: JSON文件；show: 案件编号或UUID")
    p.add_argument("--date", help="YYYY-MM-DD")
    p.set_defaults(func=cmd_case)
    p = sub.add_parser("settings", parents=[common], help="本机设置")
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(func=cmd_settings)
    p = sub.add_parser("demo", parents=[common], help="生成演示数据")
    p.add_argument("--days", type=int, default=45, help="向前生成多少天的案件")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("screenshots", parents=[common], help="把各主要界面与向导页面截图为PNG（1366×768）")
    p.add_argument("outdir")
    p.add_argument("--service", type=int, default=3, help="向导截图所用的一件事编号")
    p.set_defaults(func=cmd_screenshots)
    for module in PLUGINS:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    from desktop import logs

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.self_check:
            from desktop.selfcheck import run

            return run()
        if args.command == "case" and args.action in ("import", "show") and not args.ref:
            raise DeskError(f"case {args.action} 需要参数（文件或案件编号）")
        func = getattr(args, "func", cmd_desk)
        return func(args)
    except DeskError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except Exception:  # a bug: log it where the admin can find it, keep the terminal clean
        where = logs.log_exception(paths.resolve_data_dir(getattr(args, "data_dir", None)))
        print(f"内部错误，详情已记录到 {where}，请联系管理员。", file=sys.stderr)
        return 2
