"""The case's words and codes: its states, how it was applied for and received, as plain tables.

Apart from desktop/domain/case.py (which re-exports them) so that what shows a case list or a case's detail from its
stored row and payload does not import the case model's dataclasses (issue 16: a command's overhead ≤ 2×
`import desktop`)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

STATES = {
    "draft": "草稿",
    "accepted": "已受理",
    "pending_materials": "补正中",
    "submitted": "已提交",
    "in_progress": "办理中",
    "completed": "已办结",
    "terminated": "已终止",
    "suspended": "已中止",
}
APPLIED_BY = {"self": "本人申请", "proxy": "帮代办"}
PROXY_KINDS = {"clerk": "窗口帮代办人员", "village_agent": "村级代办员", "relative": "近亲属/监护人", "other": "其他受托人"}
STAFF_PROXY_KINDS = ("clerk", "village_agent")  # a 受托人 of these kinds is staff: known by their 工号, not an ID
# 验原件收复印件 (original seen and handed back, copy kept) is the common case; identity papers are never kept
RECEIVED = {"verified_copy": "验原件收复印件", "original": "原件", "copy": "复印件", "scan": "扫描件"}
# 结果领取方式: how the result reaches the citizen, chosen in the wizard and printed on receipt and 办结单
DELIVERY = {"window": "窗口自取", "post": "邮寄", "agent": "代办员送达", "direct": "直接发放到账户"}
IDENTITY_MATERIALS = ("id_card", "hukou_book", "proxy_docs", "guardian_docs")  # originals are seen and returned


def received_label(material_id: str, received: str) -> str:
    """How a material was received, as printed: an identity paper's original is seen and handed back, never kept."""
    if received == "original" and material_id in IDENTITY_MATERIALS:
        return "原件核验后退还"
    return RECEIVED.get(received, received)


def received_brief(materials: dict[str, Any], missing: list[str]) -> list[list[Any]]:
    """[material id, how received, count] of each material received, for a case still missing some (a ledger
    summary's `received`; desk and hub make it alike from the payload). Empty when nothing is missing: the
    ledger then says 齐全, and a year's summaries stay small."""
    if not missing:
        return []
    return [[mid, m.get("received"), m.get("count") or 0] for mid, m in (materials or {}).items()
            if isinstance(m, dict) and m.get("received") and mid not in missing]
