"""设备移交单: the paper of `handover check` for the supervisor, when a laptop moves to another agent or is retired.

It lists the device, what the hub holds of it (cases and scans, the audit trail's head as sent and as the hub
acknowledged it), the last backup (time, file, verified), each check's result, and the signatures of 移交人,
接收人 and 监交人 (the supervisor) with the office's seal. No personal data: counts, codes and hashes only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm

from desktop.forms import fonts, layout
from desktop.forms.layout import BODY, SECTION, fields, gap, grid, para
from desktop.forms.office import OfficeInfo

TITLE = "设备移交单"


@dataclass(frozen=True)
class HandoverFacts:
    """What the paper states, gathered by desktop/sync/handover.py `facts`."""

    office: OfficeInfo
    device: str  # the window or device code
    data_dir: str
    hub_url: str
    cases: int
    scans: int
    audit_head: tuple[int, str]  # this device's newest entry: id, hash
    audit_acked: int  # the newest entry the hub acknowledged
    backup: dict[str, Any] | None  # {"at", "file", "verified", "cases"} of the last backup.create
    checks: list[dict[str, Any]] = field(default_factory=list)
    printed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())

    @property
    def ready(self) -> bool:
        return all(c["ok"] for c in self.checks)


def render(facts: HandoverFacts) -> bytes:
    fonts.ensure_registered()
    number = f"{facts.device or '本机'}-{facts.printed_at:%Y%m%d%H%M}"
    return layout.build(story(facts), title=TITLE, number=number, reprint=False, printed_at=facts.printed_at)


def _backup_text(backup: dict[str, Any] | None) -> str:
    if backup is None:
        return "无备份记录"
    verified = "已校验" if backup.get("verified", True) else "未校验"
    return f"{layout.fmt_time(backup['at'])}　文件 {backup.get('file') or '—'}　{verified}（{backup.get('cases', '—')} 件案件）"


def story(f: HandoverFacts) -> list:
    head_id, head_hash = f.audit_head
    rows = [["办理点", f.office.office or f.office.county_name or "—", "设备编号", f.device or "—"],
            ["数据目录", f.data_dir], ["县级服务器", f.hub_url or "未登记"],
            ["服务器已收案件", f"{f.cases} 件", "服务器已收扫描件", f"{f.scans} 个"],
            ["本机审计记录", f"至第 {head_id} 条", "服务器已确认", f"至第 {f.audit_acked} 条"],
            ["审计链末条摘要", head_hash[:32] or "—"], ["最近一次备份", _backup_text(f.backup)]]
    checks = [["检查项目", "结果", "说明"]] + [[_LABELS.get(c["key"], c["key"]), "通过" if c["ok"] else "未通过",
                                              c["detail"]] for c in f.checks]
    verdict = ("以上各项均已通过，本机数据已全部汇交县级服务器并已备份，可以移交；移交后由管理员运行“清除本机数据”。"
               if f.ready else "尚有未通过的项目，暂不能移交。请处理后重新检查并打印本单。")
    return [
        layout.Line(f.office.office or f.office.county_name or "政务服务中心", 11, bold=False),
        layout.title(TITLE), gap(2),
        fields(rows, widths=(30 * mm, 56 * mm, 30 * mm)),
        para("【移交前检查】", SECTION),
        grid(checks, [30 * mm, 18 * mm, layout.CONTENT_W - 48 * mm], header=True),
        gap(1), para(verdict, BODY),
        para("移交人确认本机案件、扫描件已全部汇交，未另行保存或带走任何群众个人信息；接收人确认设备完好；"
             "监交人核对本单与县级服务器记录一致。", BODY),
        layout.signatures([("移交人签字：", layout.date_blank()), ("接收人签字：", layout.date_blank()),
                           ("监交人（负责人）签字：", layout.date_blank())]),
        para("（单位印章）", layout.SIGN_R),
    ]


_LABELS = {"hub": "登记到服务器", "cases": "案件已同步", "scans": "扫描件已确认", "audit": "审计记录已送达",
           "backup": "已有最新备份"}
