"""`python -m desktop catalog list|show N|build [--check]|diff OLD NEW|versions`: the service catalog."""

from __future__ import annotations

import argparse

from desktop.cli.common import out
from desktop.domain import paths
from desktop.domain.errors import DeskError

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from desktop.domain import catalog as catalog_mod


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("catalog", parents=[common], help="一件事目录")
    p.add_argument("action", choices=["list", "show", "build", "diff", "versions"])
    p.add_argument("number", nargs="?", help="show：一件事编号；diff：旧目录（文件、版本号或哈希）")
    p.add_argument("new", nargs="?", help="diff：新目录（文件、版本号或哈希）")
    p.add_argument("--check", action="store_true", help="build：只检查目录源文件，不生成")
    p.add_argument("--source", help="build：目录源文件夹（默认 resources/catalog）")
    p.add_argument("--out", help="build：生成到这个文件（默认 data/catalog.sqlite）")
    p.set_defaults(func=cmd_catalog)


def cmd_catalog(args: argparse.Namespace) -> int:
    if args.action == "build":
        return _build(args)
    if args.action in ("diff", "versions"):
        from desktop.cli import catalogversions

        return catalogversions.run(args)
    if args.action == "show":
        from desktop.domain import catalog as catalog_mod

        cat = catalog_mod.load()
        if args.number is None:
            raise DeskError("catalog show 需要一件事编号，例如：catalog show 3")
        return _show_service(cat, cat.service(args.number), args.json)
    # the list reads the rows, not the catalog's dataclasses (issue 16)
    from desktop.domain import catalogfile

    services = catalogfile.summaries()
    if args.json:
        out(services)
        return 0
    for s in services:
        print(f"{s['number']:>3}  {s['group']:<8}  {s['name']}  （{'、'.join(s['methods'])}）")
    return 0


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.domain import catalog as catalog_mod
    from desktop.storage.catalog_build import build, check

    source = Path(args.source) if args.source else paths.catalog_source_dir()
    if args.check:
        found = check(source)
        out(found) if args.json else print(f"目录源文件检查通过：版本 {found['version']}，共 {found['services']} 件一件事")
        return 0
    target = Path(args.out) if args.out else paths.catalog_db_path()
    count = build(source, target)
    conn = catalog_mod.connect_read_only(target.resolve())
    try:
        meta = catalog_mod.read_meta(conn)
    finally:
        conn.close()
    if args.json:
        out({"services": count, "path": str(target), "version": meta["version"], "hash": meta["hash"]})
    else:
        print(f"已生成 {target}，共 {count} 件一件事，版本 {meta['version']}（{meta['hash'][:12]}）")
    return 0


def _show_service(cat: catalog_mod.Catalog, s: catalog_mod.Service, as_json: bool) -> int:
    if as_json:
        import dataclasses

        from desktop.domain import catalog as catalog_mod

        data = catalog_mod.service_summary(s) | {
            "requirement": s.requirement, "ask": list(s.ask), "time_limit": s.time_limit, "proxy": s.proxy,
            "eligibility": [dataclasses.asdict(r) for r in s.eligibility],
            "materials": [dataclasses.asdict(m) for m in s.materials],
            "links": [dataclasses.asdict(k) for k in s.links],
        }
        out(data)
        return 0
    print(f"{s.number}. {s.name}（{s.group}）\n办理层级：{s.level}  业务部门：{'、'.join(s.departments)}")
    print(f"推荐办理方式：{'、'.join(s.methods)}  承诺时限：{s.limit_words}")
    _notes("时限说明", s.time_limit.get("note", ""), s.time_limit.get("source_note", ""))
    for item in s.items:
        print(f"  事项：{item.name}（{item.code or '无编码'}）")
    from desktop.domain.catalog import NEEDS

    for m in s.materials:
        print(f"  材料[{NEEDS[m.need]}]：{m.name}" + (f"（{m.note}）" if m.note else ""))
        _notes("", "", m.source_note)
    for link in s.links:
        kind = "将自动启动" if link.auto else "正在办理则不享受" if link.excludes else "关联"
        print(f"  {kind}：{link.service}. {cat.services[link.service].name}（{link.reason}）")
        _notes("", "", link.source_note)
    for rule in s.eligibility:
        _notes("", "", rule.source_note and f"条件“{rule.id}”：{rule.source_note}")
    return 0


def _notes(label: str, printed: str, editor: str) -> None:
    """The printed text and, apart, the editor's source note (never printed on paper)."""
    if printed:
        print(f"  {label}（打印）：{printed}")
    if editor:
        print(f"    【编者注，不打印】{editor}")
