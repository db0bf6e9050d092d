"""`python -m desktop scan --once`: one pass over the scanner folder, printing what was filed, waits, or was refused."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from desktop.cli.common import open_store, out, require_user
from desktop.domain.errors import DeskError
from desktop.domain.redaction import redact
from desktop.intake import folder as intake, scancheck
from desktop.storage import settings

WHY = {"unstable": "仍在写入，等待稳定", "locked": "被占用（扫描仪仍在写入），稍后重试",
       "held": "正被其他程序（杀毒软件、索引、预览）占用，稍后重试",
       "denied": "无法移走（Windows 拒绝访问）：请让管理员检查扫描文件夹的权限或“受控文件夹访问”", "empty": "空文件，等待写入",
       "error": "处理出错，下次重试"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("scan", parents=[common], help="处理扫描文件夹")
    p.add_argument("--once", action="store_true", help="处理一轮后退出（目前只支持这种方式）")
    p.add_argument("--folder", help="扫描文件夹（默认：设置项 scanner_folder）")
    p.add_argument("--stability-delay", type=float, default=5.0, metavar="SECONDS",
                   help="文件大小和修改时间保持不变多少秒才收取（默认5）")
    p.add_argument("--size-limit-mb", type=float, default=scancheck.DEFAULT_SIZE_LIMIT / 1048576,
                   help="单个文件大小上限（MB，默认100）")
    p.set_defaults(func=cmd_scan)


def cmd_scan(args: argparse.Namespace) -> int:

    if not args.once:
        raise DeskError("请加 --once：命令行只做一轮处理；持续监视由工作台在后台进行")
    if args.stability_delay < 0 or args.size_limit_mb <= 0:
        raise DeskError("--stability-delay 不能为负数，--size-limit-mb 必须大于0")

    store = open_store(args)
    try:
        folder = _folder(store, args.folder)
        # A batch with cover sheets files scans under cases: that is a case change, done in someone's name.
        session = require_user(args, "case.transition", store.db)
        report = run_once(store, folder, stability_delay=args.stability_delay,
                          size_limit=int(args.size_limit_mb * 1048576), actor=session.username if session else "")
    finally:
        store.close()
    _mask_names(report)
    out(report.to_dict()) if args.json else _print(report)
    return 0


def _mask_names(report: intake.ScanReport) -> None:
    """File names are echoed as scanners and clerks named them, often after the ID number: masked here."""
    for entry in (*report.accepted, *report.waiting, *report.quarantined):
        for key in ("name", "detail"):
            if isinstance(entry.get(key), str):
                entry[key] = redact(entry[key])


def _folder(store, explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    value = settings.get(store.db, "scanner_folder")
    if not value:
        raise DeskError("尚未设置扫描文件夹（设置项 scanner_folder）：请用 --folder 指定，或运行 "
                        "python -m desktop settings set scanner_folder 文件夹路径", field="scanner_folder")
    return Path(value).expanduser()


def run_once(store, folder: Path, *, stability_delay: float, size_limit: int, actor: str = "") -> intake.ScanReport:
    """Passes until nothing waits only for stability, at most about `stability_delay` + 1 s.

    Stability needs two looks, so a single command waits for the real condition itself: it polls the folder
    and stops as soon as every file has settled (or is locked, empty, or done).
    """
    state = intake.IntakeState()
    merged = intake.ScanReport()
    deadline = time.monotonic() + stability_delay + 1.0
    while True:
        report = intake.scan_once(store, folder, stability_delay=stability_delay, size_limit=size_limit,
                                  state=state, actor=actor)
        merged.accepted += report.accepted
        merged.quarantined += report.quarantined
        merged.busy = report.busy
        unstable = [w for w in report.waiting if w["why"] == "unstable"]
        if report.busy or not unstable or time.monotonic() >= deadline:
            merged.waiting = report.waiting
            return merged
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def _print(report: intake.ScanReport) -> None:
    if report.busy:
        print("工作台或另一个命令正在处理扫描文件夹，本次未处理。")
        return
    for a in report.accepted:
        dup = "（与已收文件重复）" if a["duplicate_of"] else ""
        print(f"已收取：{a['name']}  {a['pages']}页{dup}")
        for p in a["parts"]:
            where = f"归入 {p['case']} / {p['material']}" if p.get("case_uuid") else "留在收件箱"
            print(f"    分册 {p['pages']}页：{where}{'（' + p['note'] + '）' if p.get('note') else ''}")
    for w in report.waiting:
        print(f"等待：{w['name']}  {WHY.get(w['why'], w['why'])}")
    for q in report.quarantined:
        print(f"已隔离：{q['name']}  {q['reason_label']}{'：' + q['detail'] if q['detail'] else ''}")
    print(f"共收取 {len(report.accepted)} 个，等待 {len(report.waiting)} 个，隔离 {len(report.quarantined)} 个")
