"""`python -m desktop print KIND CASE --out FILE.pdf`: the documents of a case, as PDF files."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import open_store, out, refuse_special, require_user, write_file
from desktop.domain.errors import DeskError

KIND_CHOICES = ("receipt", "consent", "notice", "cover", "suspend", "resume", "close", "refusal", "rating")


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("print", parents=[common], help="打印文书（生成PDF）")
    p.add_argument("kind", choices=KIND_CHOICES,
                   help="receipt 受理回执 consent 委托书 notice 一次性告知书 cover 材料封面 "
                        "suspend 中止单 resume 续办单 close 办结（终止）单 refusal 不予受理通知书 "
                        "rating 政务服务评价表（好差评）")
    p.add_argument("ref", help="案件编号或UUID")
    p.add_argument("--out", required=True, help="输出的PDF文件")
    p.add_argument("--material", help="材料编号（仅 cover；默认每份已收材料一页）")
    p.set_defaults(func=cmd_print)


def cmd_print(args: argparse.Namespace) -> int:
    from desktop import forms
    from desktop.accounts.staff import Accounts
    from desktop.forms import printing
    from desktop.storage import logs, settings

    if args.material and args.kind != "cover":
        raise DeskError("--material 只用于 cover（材料封面）")
    target = Path(args.out)
    refuse_special(target)  # before any work: a FIFO or device is never a paper's place
    if target.suffix.lower() != ".pdf" and not target.is_dir():  # a folder is named as such when written
        raise DeskError(f"输出文件应以 .pdf 结尾：{target.name}", field="out")
    store = open_store(args)
    try:
        logs.setup(store.data_dir)  # the fonts' warnings (a stale cache) go to the desk's log, not the terminal
        session = require_user(args, "case.print", store.db)  # None on a device without accounts
        case = store.load(args.ref)
        if session is not None:
            Accounts(store.db).require(session, "case.print", case)  # a village agent: own area only
        job = printing.prepare(store, case.uuid, args.kind, material=args.material)
        write_file(target, job.pdf)
        actor = session.username if session else (args.user or settings.get(store.db, "clerk"))
        printing.record(store, job, actor=actor)
    finally:
        store.close()
    label = forms.KINDS[args.kind] + ("（补打）" if job.reprint else "")
    if args.json:
        out({"case": job.case_number, "kind": args.kind, "reprint": job.reprint, "path": str(target),
             "bytes": len(job.pdf)})
    else:
        print(f"已生成{label}：{target}")
    return 0


