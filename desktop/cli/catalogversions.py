"""`catalog diff OLD NEW` (what changed, in Chinese) and `catalog versions` (this desk's catalogs)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from desktop.cli.common import open_store, out
from desktop.domain import catalog as catalog_mod, catalogdiff
from desktop.domain.catalog import Catalog
from desktop.domain.errors import DeskError


def run(args: argparse.Namespace) -> int:
    return _diff(args) if args.action == "diff" else _versions(args)


def _diff(args: argparse.Namespace) -> int:
    if not args.number or not args.new:
        raise DeskError("catalog diff 需要新旧两个目录：文件路径，或本机已有的版本号/哈希，例如：catalog diff 2026.1 2026.2")
    old, new = _resolve(args, args.number), _resolve(args, args.new)
    lines = catalogdiff.diff(old, new)
    if args.json:
        out({"old": old.version, "new": new.version, "changes": lines})
        return 0
    print(f"目录 {old.version or '（无版本）'} → {new.version or '（无版本）'}：" + ("" if lines else "没有变化"))
    for line in lines:
        print(f"  {line}")
    return 0


def _resolve(args: argparse.Namespace, ref: str) -> Catalog:
    """A catalog file, or a version or hash (prefix of 6+) among this desk's catalogs."""
    if Path(ref).is_file():
        return catalog_mod.load(Path(ref).resolve())
    from desktop.storage import catalogs

    store = open_store(args)
    try:
        found = [r["hash"] for r in catalogs.rows(store.db)
                 if ref == r["version"] or (len(ref) >= 6 and r["hash"].startswith(ref))]
        if len(found) != 1:
            raise DeskError(f"找不到目录“{ref}”：既不是文件，也不是本机唯一的目录版本号或哈希（catalog versions 可查看）",
                            field="catalog")
        catalog = catalogs.load(store.db, store.data_dir, found[-1])
    finally:
        store.close()
    if catalog is None:  # only '' has no file, and a found hash is never ''
        raise DeskError(f"找不到目录“{ref}”的文件", field="catalog")
    return catalog


def _versions(args: argparse.Namespace) -> int:
    from desktop.storage import catalogs

    store = open_store(args)
    try:
        rows, active = catalogs.rows(store.db), catalogs.active_row(store.db, dt.date.today())
        refused = list(store.db.query("SELECT version, hash, reason, at FROM catalog_refusals ORDER BY at"))
    finally:
        store.close()
    if args.json:
        out({"catalogs": [r | {"active": bool(active and r["hash"] == active["hash"])} for r in rows],
             "refused": refused})
        return 0
    for r in rows:
        mark = "（现行）" if active and r["hash"] == active["hash"] else ""
        when = f"{r['effective']} 起" if r["effective"] else "随安装包"
        print(f"{r['version']}  {r['hash'][:12]}  {when}{mark}  {r['note']}")
    for r in refused:
        print(f"已拒收：{r['version']}  {r['hash'][:12]}  {r['reason']}")
    return 0
