"""不予受理通知书: the reason, the rule it rests on where the catalog has one, and the citizen's remedies.

The paper a hall hands over when it refuses an application (《行政许可法》第三十二条 practice, papers.md):
applicant, service, the day the materials were received, the reason, the conditions not met, where to apply
instead when this office is not competent, and 行政复议 (60 days) / 行政诉讼 (6 months).
"""

from __future__ import annotations

from typing import Any

from desktop.domain import eligibility
from desktop.domain.errors import ValidationError
from desktop.forms import layout
from desktop.forms.layout import BODY, LETTER, SECTION, fields, gap, para
from desktop.forms.parts import Context, guardian_rows, header, id_text, proxy_row, received_table

TITLE = "不予受理通知书"


def document(ctx: Context, **_) -> tuple[str, list]:
    event = ctx.last_event("refuse")
    if event is None:
        raise ValidationError("该案件的办理记录中没有“不予受理”，不能打印不予受理通知书", field="events")
    c, o = ctx.case, ctx.office
    reason = (event.get("detail") or {}).get("reason") or "（未填写）"
    story = [*header(ctx, TITLE), gap(1.5), fields(_people(ctx)),
             para(f"{c.applicant.name}：", SECTION),
             para(f"您于{layout.fmt_date(c.accepted_at)}提交的“{ctx.service.name}”申请材料收悉。经审查，"
                  f"本机关决定不予受理。理由：{reason.rstrip('。')}。", LETTER),
             *_basis(ctx),
             para("【已收取的材料】下列材料已当场退还（复印件一并退还）：", SECTION),
             *received_table(ctx, extra="已退还（签收）"),
             para(f"【救济途径】如对本决定不服，可以自知道该决定之日起六十日内向{_reviewer(ctx)}申请行政复议"
                  "（《中华人民共和国行政复议法》），或者自知道该决定之日起六个月内依法向人民法院提起行政诉讼"
                  "（《中华人民共和国行政诉讼法》第四十六条）。", SECTION),
             para("如有疑问，可向受理窗口咨询" + (f"（电话 {o.phone}）" if o.phone else "")
                  + (f"；监督投诉电话 {o.complaint_phone}" if o.complaint_phone else "")
                  + ("。" if o.complaint_phone == "12345" else "；也可拨打12345政务服务便民热线。"), BODY),
             para(f"{o.office or c.office}（印章）\n{layout.fmt_date(event['at'])}", layout.SIGN_R),
             layout.signatures([("经办人签字：", layout.date_blank()), ("申请人（代办人）签收：", layout.date_blank())])]
    return TITLE, story


def _people(ctx: Context) -> list[list[str]]:
    a = ctx.case.applicant
    return [["申请人", a.name, "身份证号", id_text(a.id_number)], *guardian_rows(ctx.case), proxy_row(ctx.case),
            ["申请事项", ctx.service.name], ["承办部门", "、".join(ctx.service.departments)]]


def _basis(ctx: Context) -> list[Any]:
    """The catalog's conditions this case does not meet (where the catalog has them), as the basis."""
    failed = [r.fail for r in eligibility.eligibility(ctx.service, ctx.case) if r.ok is False]
    if not failed:
        return []
    lines = "；".join(f"{'①②③④⑤⑥⑦⑧⑨'[n] if n < 9 else n + 1}{text}" for n, text in enumerate(failed))
    return [para(f"【依据】本事项的办理条件：{lines}。", SECTION)]


def _reviewer(ctx: Context) -> str:
    """The county government hears reviews of its departments' decisions (行政复议法 2023 第二十四条)."""
    county = ctx.office.county_name
    return f"{county}人民政府" if county else "本级人民政府"
