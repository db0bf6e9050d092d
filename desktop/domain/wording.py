"""What people read instead of internal names: timeline kinds, audit actions and details, and local times.

The case view, `case show`, the audit screen and the papers say 受理, 打印受理回执 and 2026-11-27 09:30 (the
hall's time), never `accepted`, `printed`, a UUID or a UTC offset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from desktop.domain.labels import STATES

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

    Say = Callable[[Any, Mapping[str, str]], str]  # see DETAIL

EVENT_LABELS = {
    "accepted": "受理", "materials_received": "补正材料收齐", "submit": "提交部门", "start": "部门办理",
    "complete": "办结", "suspend": "中止", "resume": "续办", "terminate": "终止", "refuse": "不予受理", "printed": "打印", "id_card_read": "读取身份证",
    "created_linked": "由关联事项生成", "status_from_hub": "部门状态更新", "scan_filed": "扫描件归档",
    "scan_filed_cover": "扫描件按封面归档", "scan_removed": "移除扫描件", "hub_status": "部门办理状态（县级服务器）",
    "sync_conflict_keep_local": "同步冲突：以本机为准", "sync_conflict_take_hub": "同步冲突：采用服务器版本",
    "sync_rejection_reviewed": "服务器拒收：已查看", "hub_status_conflict": "部门状态与本机矛盾（未改动）",
    "hub_status_conflict_dismissed": "部门状态矛盾：已核对，保留本机状态", "note": "备注",
    "rated": "群众评价（好差评）", "rectified": "差评整改", "visited": "回访", "esign": "电子签名",
    "publicity_started": "公示开始", "publicity_objection": "公示期间收到异议", "publicity_ended": "公示结束",
    "hub_rating_ignored": "扫码评价（此前已评价，未计入）",
}
ESIGN_PARTS = {"mandate": "代办服务委托书", "consent": "个人信息处理单独同意"}  # what is signed on screen
ESIGN_SIGNERS = {"principal": "委托人（或监护人）", "proxy": "受托人"}
PAPERS = {"receipt": "受理回执", "consent": "委托书", "notice": "一次性告知书", "cover": "材料封面",
          "suspend": "中止单", "resume": "续办单", "close": "办结（终止）单", "refusal": "不予受理通知书",
          "rating": "评价表"}
AUDIT_ACTIONS = {
    "case.create": "受理案件", "case.transition": "变更案件状态", "case.event": "案件记录（打印等）",
    "case.reveal": "查看完整号码", "case.scan": "扫描件归档", "case.sync": "同步更新", "login": "登录",
    "login.failed": "登录失败", "login.locked": "账号被锁定", "login.refused": "锁定期间尝试登录", "logout": "退出",
    "lock": "锁屏", "unlock": "解锁", "password.change": "修改密码", "settings.edit": "修改设置",
    "user.add": "添加账号", "user.create_admin": "创建管理员", "user.disable": "停用账号", "user.enable": "启用账号",
    "user.edit": "修改账号", "user.reset_password": "重置密码", "denied": "越权被拒", "day.close": "日结", "ledger.print": "打印台账",
    "ledger.export": "导出台账", "export.personal_bulk": "批量导出完整个人信息",
    "case.rated": "群众评价", "case.rectified": "差评整改", "case.visited": "回访", "case.esign": "电子签名",
    "case.publicity_started": "公示开始", "case.publicity_objection": "登记公示异议", "case.publicity_ended": "公示结束",
}
FIELDS = {"applicant.id_number": "申请人身份证号", "guardian.id_number": "监护人身份证号",
          "proxy.id_number": "代办人身份证号", "applicant.phone": "申请人电话"}
ACCOUNT_FIELDS = {"display_name": "姓名", "staff_no": "工号"}
VIA = {"cli": "命令行", "desk": "工作台", "gui": "工作台"}
REFUSALS = {"disabled": "账号已停用", "locked": "账号锁定中"}


def event_label(kind: str) -> str:
    """A timeline entry's kind in words (an unknown kind says so, rather than print its code)."""
    return EVENT_LABELS.get(kind, "其他记录")


def action_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action, "其他操作")


def local_time(stamp: str | None) -> str:
    """'2026-11-27T01:30:00+00:00' → '2026-11-27 09:30' in this computer's (the hall's) time zone."""
    if not stamp:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def _yes(value: Any) -> str:
    return "是" if value else "否"


# detail key → how to say it; a function gets (value, names), names being a lookup of code → words
DETAIL: dict[str, Say] = {
    "service": lambda v, n: f"一件事：{n.get(f'service:{v}', v)}",
    "state": lambda v, n: f"状态：{STATES.get(v, v)}",
    "case_state": lambda v, n: f"案件状态：{STATES.get(v, v)}",
    "number": lambda v, n: f"受理编号：{v}" if v else "",
    "action": lambda v, n: f"操作：{n.get(f'action:{v}', AUDIT_ACTIONS.get(v, v))}",
    "kind": lambda v, n: f"类别：{PAPERS.get(v) or EVENT_LABELS.get(v, v)}",
    "reason": lambda v, n: f"原因：{REFUSALS.get(v, v)}" if v else "",
    "reprint": lambda v, n: "补打" if v else "",
    "user": lambda v, n: f"账号：{v}",
    "fields": lambda v, n: "修改：" + "、".join(ACCOUNT_FIELDS.get(f) or f for f in v) if isinstance(v, list) else "",
    "role": lambda v, n: f"角色：{n.get(f'role:{v}', v)}",
    "via": lambda v, n: f"途径：{VIA.get(v, v)}",
    "known": lambda v, n: "" if v else "不存在的账号",
    "failures": lambda v, n: f"连续失败 {v} 次",
    "minutes": lambda v, n: f"锁定 {v} 分钟",
    "field": lambda v, n: f"内容：{FIELDS.get(v, v)}",
    "material": lambda v, n: f"材料：{n.get(f'material:{v}', v)}" if v else "",
    "key": lambda v, n: f"设置项：{n.get(f'setting:{v}', v)}",
    "format": lambda v, n: f"格式：{str(v).upper()}",
    "day": lambda v, n: f"日期：{v}",
    "revision": lambda v, n: f"第 {v} 版",
    "missing": lambda v, n: f"缺少材料 {len(v)} 种" if v else "",
    "ineligible_reason": lambda v, n: "有不符合条件的说明" if v else "",
    "department": lambda v, n: f"部门：{v}" if v else "",
    "note": lambda v, n: f"说明：{v}" if v else "",
    "part": lambda v, n: f"文书：{ESIGN_PARTS.get(v, v)}",
    "signer": lambda v, n: f"签名人：{ESIGN_SIGNERS.get(v, v)}",
    "digest": lambda v, n: f"内容摘要：{v}",
}
HIDDEN = ("document", "from", "change", "hub_revision", "case_uuid", "uuid")  # internal ids: never shown


def describe(detail: Mapping[str, Any] | None, names: Mapping[str, str] | None = None) -> str:
    """An audit entry's or timeline entry's detail in words, without internal ids."""
    names = names or {}
    parts = []
    for key, value in (detail or {}).items():
        if key in HIDDEN:
            continue
        say = DETAIL.get(key)
        text = say(value, names) if say else (f"{_yes(value)}" if isinstance(value, bool) else "")
        if text:
            parts.append(text)
    return "；".join(parts)
