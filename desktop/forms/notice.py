"""一次性告知书: every missing material, what exactly is needed, where to bring it, and by when."""

from __future__ import annotations

from reportlab.lib.units import mm

from desktop.domain.catalog import Material
from desktop.domain.errors import ValidationError
from desktop.forms import layout
from desktop.forms.layout import CONTENT_W, SECTION, fields, gap, grid, para
from desktop.forms.parts import Context, guardian_rows, header, id_text, phone_text, proxy_row

TITLE = "一次性告知书"


def document(ctx: Context, **_) -> tuple[str, list]:
    if not ctx.case.missing:
        raise ValidationError("该案件材料已齐全，没有需要一次性告知的补正材料", field="missing")
    c = ctx.case
    story = [*header(ctx, TITLE, "（补正材料告知）"), gap(1.5), fields(_people(ctx)),
             para(f"{c.applicant.name}" + (f"（监护人{c.guardian.name}）" if c.guardian and c.guardian.name else "") + "：",
                  SECTION),
             para(f"您于{layout.fmt_date(c.accepted_at)}申请办理的“{ctx.service.name}”，经审查，尚需补正以下材料。"
                  "现将需要补正的全部材料一次性告知如下：", layout.LETTER),
             gap(1), missing_table(ctx), *where_to_bring(ctx),
             layout.signatures([("告知人（受理人）签字：", layout.date_blank()),
                                ("申请人（代办人）签收：", layout.date_blank())])]
    return TITLE, story


def _people(ctx: Context) -> list[list[str]]:
    a = ctx.case.applicant
    return [["申请人", a.name, "身份证号", id_text(a.id_number)],
            ["联系电话", phone_text(a.phone), "一件事", ctx.service.name], *guardian_rows(ctx.case), proxy_row(ctx.case)]


def requirement(m: Material) -> str:
    """What exactly is needed: the form (原件/复印件…), how many copies, and the catalog's note."""
    if m.form == "原件及复印件":  # the original is seen and handed back; the copy is kept
        text = f"原件及复印件{m.copies or 1}份（原件核验后退还）"
    else:
        text = "，".join(p for p in (m.form or "原件", f"{m.copies}份" if m.copies else "") if p)
    return f"{text}；{m.note}" if m.note else text


def _items_of(ctx: Context, m: Material) -> str:
    """The items a material is for; named only when it is not for all of them (three long names a row ran the
    notice onto a second page)."""
    names = [i.name for i in ctx.case.items if not m.items or i.key in m.items]
    return "、".join(names) if names and (len(names) < len(ctx.case.items) or len(names) == 1) else "本件各事项"


def missing_table(ctx: Context) -> layout.Table:
    rows = [["序号", "需补正的材料", "具体要求", "对应事项"]]
    for n, mid in enumerate(ctx.case.missing, start=1):
        m = ctx.material(mid)
        rows.append([str(n), m.name, requirement(m), _items_of(ctx, m)])
    widths = [11 * mm, 52 * mm, None, 44 * mm]
    widths[2] = CONTENT_W - sum(w for w in widths if w)
    return grid(rows, widths, header=True)


def where_to_bring(ctx: Context) -> list:
    o, c = ctx.office, ctx.case
    # the address as its own clause: the county's setting often holds the office's name and brackets already
    place = (o.office or c.office) + f"{c.window}窗口" + (f"，地址：{o.address}" if o.address else "")
    phone = f"，联系电话 {o.phone}" if o.phone else ""
    proxy = f"也可交由代办人{c.proxy.name}代为提交。" if c.is_proxy and c.proxy and c.proxy.name else ""
    return [
        para(f"【补正期限】请于{layout.fmt_date(c.notice_deadline)}前补齐上述材料。", SECTION),
        para(f"【提交地点】{place}{phone}。{proxy}", SECTION),
        para("【说明】材料补齐之日起开始计算承诺办理时限；逾期未补齐的，本次申请暂不能进入办理，"
             "材料备齐后可继续办理。对本告知有疑问的，可向受理窗口咨询或拨打12345政务服务便民热线。", SECTION),
        para("特此告知。", SECTION),
        para(f"{o.office or c.office}（盖章）\n{layout.fmt_date(c.accepted_at)}", layout.SIGN_R),
    ]
