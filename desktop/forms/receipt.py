"""受理回执: the citizen's copy and, below a cut line, the office stub, on A4 (flowing on when long)."""

from __future__ import annotations

from reportlab.platypus import KeepTogether

from desktop.forms import layout
from desktop.forms.layout import BODY, NOTE, SECTION, SMALL, fields, gap, para
from desktop.forms.parts import (
    Context,
    clerk_text,
    day_kinds_text,
    delivery_text,
    due_text,
    header,
    id_text,
    items_table,
    missing_names,
    numbers_line,
    person_rows,
    received_table,
)

TIPS = (
    "请妥善保管本联，查询进度、补交材料和领取结果时请出示本联及有效身份证件。",
    "帮代办服务免费，工作人员和代办人不收取任何费用；如需缴纳法定费用，以承办部门开具的票据为准。",
    "申请人对所提交材料的真实性负责；如需补正材料，我们将一次性告知。",
)


def story(ctx: Context) -> list:
    """申请人联 and 存根联 of the paper the case's materials allow: 受理回执, 容缺受理 or 收件凭证."""
    return [*citizen_copy(ctx), KeepTogether([layout.CutLine(), *office_stub(ctx)])]


def office_rows(ctx: Context) -> list[list[str]]:
    c = ctx.case
    what = "收件" if ctx.paper == "收件凭证" else "受理"
    return [[f"{what}单位", f"{ctx.office.office or c.office}（{c.window}窗口）", f"{what}人", clerk_text(c)]]


def citizen_copy(ctx: Context) -> list:
    """申请人联: everything the citizen needs to follow the case and to collect the result."""
    s, c = ctx.service, ctx.case
    parts = [*header(ctx, ctx.paper, "（申请人联）"), gap(1.5), fields(person_rows(c) + office_rows(ctx))]
    parts += [para(f"【申请事项】{s.name}（{s.group}）　办理渠道：{c.method}　结果领取方式：{delivery_text(c)}", SECTION),
              items_table(ctx)]
    if note := s.time_limit.get("note"):
        parts.append(para(f"时限说明：{note}", NOTE))
    if any("估算" in due_text(ctx, i) for i in c.items):
        parts.append(para("标“估算”的日期：该年度法定节假日安排尚未公布，暂按周一至周五推算，以公布后的安排为准。", NOTE))
    parts += [para("【已收取的材料】", SECTION), *received_table(ctx)]
    if missing_names(ctx):
        parts.append(para(missing_text(ctx), BODY))
    parts += [para(f"【进度查询】{progress_text(ctx)}", SECTION),
              KeepTogether([para("【温馨提示】" + "".join(f"{'①②③④⑤'[n]}{t}" for n, t in enumerate((*TIPS, day_kinds_text(c)))), SMALL),
                            layout.signatures([("申请人（代办人）签收：", layout.time_blank()),
                                               (f"{'收件' if ctx.paper == '收件凭证' else '受理'}人签字：", "（单位印章）")])])]
    return parts


def missing_text(ctx: Context) -> str:
    """What a receipt says of the materials still missing: why it is only a 收件凭证, or the 容缺 promise."""
    names, deadline = "、".join(missing_names(ctx)), layout.fmt_date(ctx.case.notice_deadline)
    if ctx.paper == "收件凭证":
        return (f"尚缺必需材料：{names}。申请暂未受理，本凭证仅证明已收到上列材料，不作为受理凭证。"
                f"请按《一次性告知书》于{deadline}前补齐，补齐后出具《受理回执》，办理时限自补齐之日起计算。")
    return (f"本件按容缺受理：{names}可于{deadline}前补交，办理时限自受理之日起计算；"
            "逾期未补交的，可能影响后续审批和发放。")


def progress_text(ctx: Context) -> str:
    o, c = ctx.office, ctx.case
    where = o.office or c.office or "受理单位"
    ways = [f"到{where}{c.window}窗口查询" + (f"（电话 {o.phone}）" if o.phone else "")]
    if c.is_proxy and c.proxy and c.proxy.name:
        ways.append(f"联系代办人{c.proxy.name}" + (f"（电话 {c.proxy.phone}）" if c.proxy.phone else ""))
    if o.progress_url and c.public_code:  # a case accepted before the codes has none: its QR opens nothing
        ways.append("扫描右上角二维码查询")
    numbered = "；".join(f"{'①②③'[n]}{w}" for n, w in enumerate(ways))
    complaint = o.complaint_phone or "12345"
    return f"凭编号 {ctx.number} 查询办理进度：{numbered}。【监督投诉】{complaint}"


def office_stub(ctx: Context) -> list:
    """存根联: what the office files; the applicant signs it when taking the citizen's copy."""
    c, got = ctx.case, ctx.received()
    items = "；".join(f"{i.name}（{i.code or '无编码'}）" for i in c.items)
    materials = f"{len(got)}种，共{sum(n for _m, _k, n in got)}份" if got else "未收取材料"
    if c.missing:
        materials += f"；尚缺{len(c.missing)}种，{layout.fmt_date(c.notice_deadline)}前补正"
    last = max((i for i in c.items if i.due_date), key=lambda i: i.due_date or "", default=None)
    rows = [["申请人", c.applicant.name, "身份证号", id_text(c.applicant.id_number)],
            ["申请事项", f"{ctx.service.name}：{items}"], ["收取材料", materials],
            ["经办人", f"{clerk_text(c)}　{c.window}窗口", "预计办结", due_text(ctx, last).replace("\n", "") if last else "—"]]
    if c.is_proxy and c.proxy:
        rows.append(["代办人", c.proxy.name, "代办人电话", c.proxy.phone])
    rows.append(["流转部门", "", "流转日期", ""])
    return [layout.Line(f"{ctx.paper}（存根联）", 13, space_after=0), numbers_line(ctx), gap(1), fields(rows),
            layout.signatures([("申请人（代办人）签字：", layout.date_blank("时间："))])]


def document(ctx: Context, **_) -> tuple[str, list]:
    return ctx.paper, story(ctx)
