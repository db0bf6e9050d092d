"""政务服务评价表 (好差评 on paper): the five levels and the 差评 reasons to tick, and a QR to rate later.

For desks without a citizen-facing screen (village laptops, 上门办): the citizen ticks the paper (书面评价表)
and the clerk types it in, or scans the QR to rate on the hub's page (setting rating_url) within the period.
The applicant's name is masked: the paper may be left on a counter.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from desktop.domain import feedback
from desktop.domain.idnumber import mask_name
from desktop.forms import layout
from desktop.forms.layout import BODY, SECTION, choices, fields, gap, para
from desktop.forms.parts import Context, clerk_text, header

TITLE = "政务服务评价表（好差评）"


def document(ctx: Context, **_) -> tuple[str, list]:
    c = ctx.case
    rows = [["申请人", mask_name(c.applicant.name), "受理日期", layout.fmt_date(c.accepted_at)],
            ["办理事项", ctx.service.name], ["办理点", ctx.office.office or c.office, "窗口工作人员", clerk_text(c) or "—"]]
    link = ctx.office.rating_payload(ctx.number, ctx.case.public_code)
    online = link != ctx.number  # without a rating page the QR holds only the number, for the clerk's scanner
    scan = para(("扫描右侧二维码，可在手机上评价。" if online else "本办理点暂未开通网上评价，请填写本表交回窗口"
                 "（右侧二维码仅含本件编号）。") + "评价自愿，个人信息受保护，工作人员不得干预您的评价。", BODY)
    return TITLE, [
        *header(ctx, TITLE, qr=False), gap(1.5), fields(rows), gap(1),
        layout.side_by_side(scan, layout.qr(link, 30 * mm), layout.CONTENT_W - 34 * mm),
        para("【总体评价】（请在一项前打“√”）", SECTION),
        choices([(False, label) for label in feedback.LEVELS.values()], columns=5),
        para("【如不满意，原因是】（可多选）", SECTION),
        choices([(False, label) for label in feedback.REASONS.values()], columns=3),
        para("【意见和建议】", SECTION), gap(14),
        layout.signatures([("评价人（可不署名）：", layout.date_blank())]), gap(2),
        para("不满意的评价由办理点负责人核实整改，并在十五个工作日内回访反馈。", layout.SMALL_R),
    ]

