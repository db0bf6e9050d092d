"""代办服务委托书, with the separate consent to personal and sensitive information, and for 低保 / 特困 the
家庭经济状况查询核对授权书 (domain.md §3.2; 民法典第165条 for the mandate's minimum fields; 个人信息保护法
第29条 and 第31条 for the separate consent to sensitive information and minors' information).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, TableStyle

from desktop.domain import eligibility, idnumber
from desktop.domain.case import PROXY_KINDS, STAFF_PROXY_KINDS, Person
from desktop.domain.errors import ValidationError
from desktop.forms import esign, layout
from desktop.forms.layout import BODY, CONTENT_W, NOTE, SECTION, SMALL, Table, fields, gap, para
from desktop.forms.page import PageSigns, Unsigned
from desktop.forms.parts import Context, header, id_text, received_table

TITLE = "代办服务委托书"
# A 委托书 of more than one page is signed on every page (the 授权书 after it signs itself)
PAGE_SIGNS = PageSigns("每页签字确认", ("委托人（或监护人）", "受托人"), "委托书")
POWERS = (
    (True, "代为提交、补正申请材料"),
    (True, "代为填写申请表格（须委托人本人签字、捺印之处除外）"),
    (True, "代为查询办理进度、接收告知"),
    (False, "代为领取办理结果或证件"),
    (False, "代为缴纳法定费用（费用由委托人承担）"),
)


def document(ctx: Context, **_) -> tuple[str, list]:
    if not ctx.case.is_proxy or ctx.case.proxy is None:
        raise ValidationError("本案件为本人申请，没有代办人，不需要代办服务委托书", field="applied_by")
    # The mandate and its signatures first, the separately signed consent next, the handover list last: a
    # long list flows onto the next page without parting the signatures from what they sign.
    story = [*header(ctx, TITLE), gap(1.5), *parties(ctx), *scope(ctx), *terms(ctx), *signature_block(ctx),
             *consent_block(ctx), *handover(ctx)]
    if ctx.service.consent.get("finance_check"):
        story += [PageBreak(), Unsigned(), *finance_check(ctx)]
    return TITLE, story


def _sex(person: Person) -> str:
    try:
        return idnumber.parse(person.id_number).sex
    except ValidationError:
        return ""


def parties(ctx: Context) -> list:
    """委托人, 监护人 and 受托人 with their IDs; the principal's masked only if the county chose so."""
    c, mask = ctx.case, ctx.office.consent_mask_id
    a, p = c.applicant, c.proxy or Person()
    rows = [["委托人", f"{a.name}（{_sex(a)}）" if _sex(a) else a.name, "身份证号", id_text(a.id_number, mask=mask)],
            ["联系电话", a.phone, "人群类别", ctx.service.group], ["住址", a.address]]
    if c.guardian:
        g = c.guardian
        rows += [["监护人", f"{g.name}（{g.relation}）" if g.relation else g.name,
                  "身份证号", id_text(g.id_number, mask=mask)], ["监护人电话", g.phone]]
    staff = c.proxy_kind in STAFF_PROXY_KINDS  # staff are identified by 工号 and unit, not an ID number
    rows += [["受托人", f"{p.name}（{PROXY_KINDS.get(c.proxy_kind, '代办人')}）",
              *(["工号", p.staff_no] if staff
                else ["身份证号", p.id_number])],
             # a relative's relation in its own box (receipt and notice put it beside the kind: parts.proxy_row)
             ["受托人电话", p.phone, *(["所在单位", _unit(ctx)] if staff else ["与委托人关系", p.relation])]]
    return [para("委托人（服务对象）因办理下列事项，自愿委托受托人代为办理，特立此委托书。", BODY), fields(rows)]


def _unit(ctx: Context) -> str:
    """受托人's unit: a village agent works for the village's service point, a clerk for the hall."""
    c = ctx.case
    if c.proxy_kind == "village_agent" and c.applicant.village:
        return f"{c.applicant.township}{c.applicant.village}便民服务站"
    return ctx.office.office or c.office if c.proxy_kind == "clerk" else ""


def _items(ctx: Context) -> list[tuple[str, str]]:
    """(name, code) of the case's items; a draft's from the catalog and its answers."""
    if ctx.case.items:
        return [(i.name, i.code) for i in ctx.case.items]
    fx = eligibility.facts(ctx.service, ctx.case)
    return [(i.name, i.code) for i in eligibility.applicable_items(ctx.service, fx)]


def scope(ctx: Context) -> list:
    """The items, ticked, and the powers granted (optional ones left for the principal to tick)."""
    items = [(True, f"{name}（{code or '无编码'}）") for name, code in _items(ctx)]
    start = layout.fmt_date(ctx.case.accepted_at) if ctx.case.accepted_at else "签署之日"
    return [para(f"【委托事项】{ctx.service.name}", SECTION), layout.choices(items, columns=1),
            para("【委托权限】（受托人无转委托权）", SECTION), layout.choices(POWERS),
            para(f"【委托期限】自{start}起至上述事项办结或终止之日止，"
                 "届时本委托自动失效。", SECTION)]


def terms(ctx: Context) -> list:
    s = ctx.service
    appear = s.proxy.get("appear_note") or ("本事项须本人到场的环节，本人配合到场或申请上门服务" if s.must_appear else "")
    lines = ["本人自愿申请帮代办服务，知悉该服务免费，受托人不收取任何费用。",
             "本人对所提供材料的真实性、有效性负责，并承担相应法律责任。",
             "受托人不得将委托事项转委托他人，不得超越权限办理。"]
    if appear:
        lines.append(f"{appear}。".replace("。。", "。"))
    return [para("【委托人声明】" + "".join(f"{'①②③④⑤'[n]}{t}" for n, t in enumerate(lines)), SECTION)]


SENSITIVE_LABELS = {"disability": "残疾情况", "health": "健康、疾病及诊疗信息", "minor": "未成年人信息",
                    "finance": "家庭收入、财产及金融账户信息"}


def sensitive_kinds(ctx: Context) -> list[tuple[bool, str]]:
    """Which kinds of sensitive information this case involves (ticked): the service's own (catalog `consent`),
    those a yes answer brings (a question's `sensitive`), and a minor's."""
    s, answers = ctx.service, ctx.case.answers
    kinds = set(s.consent.get("sensitive", ()))
    kinds |= {ctx.catalog.questions[q].sensitive for q, v in answers.items()
              if v and q in ctx.catalog.questions and ctx.catalog.questions[q].sensitive}
    if eligibility.facts(s, ctx.case).get("minor"):
        kinds.add("minor")
    return [(kind in kinds, label) for kind, label in SENSITIVE_LABELS.items()]


def consent_block(ctx: Context) -> list:
    """The separate consent (单独同意) to processing personal and sensitive information, signed on its own."""
    text = ("为办理上述事项，本人同意受托人及承办部门收集、使用本人（及共同生活家庭成员）的姓名、身份证件号码、"
            "联系方式、住址等个人信息，并向承办部门提供，其中包括以下敏感个人信息（已勾选者）：")
    after = ("上述信息仅用于办理本委托事项，按档案管理规定保存；本人有权查阅、复制、更正，"
             "可以撤回本同意（撤回不影响撤回前已进行的处理）。涉及不满十四周岁未成年人的，由其监护人同意。")
    kinds = layout.choices(sensitive_kinds(ctx), columns=2, width=CONTENT_W - 12, style=SMALL)
    mark = esign.signed(ctx.signatures.get(("consent", "principal")), content_digest(ctx), 56 * mm)
    sign = (esign.line("委托人（监护人）签字：", mark) if mark else
            layout.signatures([("委托人（监护人）签字并捺印：", layout.date_blank())], line_w=40 * mm, after_w=60 * mm))
    box = Table([[para("个人信息处理单独同意", layout.CELL_C)], [[para(text, SMALL), kinds, para(after, SMALL)]],
                 [sign]],
                colWidths=[CONTENT_W], style=TableStyle([
                    ("BOX", (0, 0), (-1, -1), 0.6, layout.colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), layout.SHADE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, layout.colors.black)]))
    return [gap(2), KeepTogether([box])]


def signature_block(ctx: Context) -> list:
    """Signatures and fingerprint boxes of both parties, with the date."""
    half = CONTENT_W / 2
    current = content_digest(ctx)

    def party(label: str, signer: str) -> Table:
        mark = esign.signed(ctx.signatures.get(("mandate", signer)), current, half - 26 * mm)
        top = [para(f"{label}签字：", BODY), *([mark[0]] if mark and mark[0] is not None else [])]
        return Table([[top, layout.Box(18 * mm)], [mark[1] if mark else layout.date_blank(), ""]],
                     colWidths=[half - 22 * mm, 22 * mm], style=TableStyle([
                         ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("SPAN", (1, 0), (1, 1)),
                         ("LINEBELOW", (0, 0), (0, 0), 0.6, layout.colors.black)]))

    table = Table([[party("委托人（或监护人）", "principal"), party("受托人", "proxy")]], colWidths=[half, half],
                  style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    return [gap(3), KeepTogether([table, para("附：委托人、受托人身份证件复印件各一份；材料交接清单。", NOTE)])]


def content_digest(ctx: Context) -> str:
    """The short digest of what the 委托书 and the separate consent say, printed beside on-screen signatures: the
    service and items, the parties and their numbers, the powers and the sensitive kinds ticked. Dates and the case
    number are left out: they are filled in at acceptance, after the signing."""
    c = ctx.case

    def person(p: Person | None) -> list[str]:
        p = p or Person()
        return [p.name.strip(), idnumber.normalize(p.id_number), p.phone.strip(), p.address.strip(), p.relation]

    return esign.digest({"paper": "consent/1", "service": ctx.service.number, "items": _items(ctx),
                         "applicant": person(c.applicant), "guardian": person(c.guardian),
                         "proxy_kind": c.proxy_kind, "proxy": person(c.proxy), "powers": POWERS,
                         "sensitive": sensitive_kinds(ctx)})


def handover(ctx: Context) -> list:
    """附：材料交接清单, what the principal hands to the agent, signed by both on handing over."""
    # the 委托书 itself is not handed over (it is this paper), nor the agent's own identity papers
    return [para("附：材料交接清单（原件办结后归还委托人）", SECTION), *received_table(ctx, extra=("归还日期", "委托人签收"), exclude=("proxy_docs",)),
            layout.signatures([("移交人（委托人）签字：", layout.date_blank()),
                               ("接收人（受托人）签字：", layout.date_blank())])]


def finance_check(ctx: Context) -> list:
    """家庭经济状况查询核对授权书 for 低保 / 特困: every adult family member signs."""
    c = ctx.case
    text = (f"本人及共同生活的家庭成员因申请“{ctx.service.name}”" + (f"（受理编号 {ctx.number}）" if ctx.number else "") + "，"
            "授权民政部门及其委托的居民家庭经济状况核对机构，通过公安、人力资源社会保障、自然资源、住房城乡建设、"
            "市场监管、税务、医保、公积金管理及银行、证券、保险等部门和机构，查询、核对本家庭成员的户籍、收入、"
            "存款、有价证券、房产、车辆、工商登记、社保缴费、公积金等信息。核对结果仅用于本次申请的审核确认"
            "及享受待遇期间的定期核查。本授权自签字之日起生效，至上述审核确认及核查工作结束时止。")
    rows = [["序号", "家庭成员姓名", "与申请人关系", "身份证号码", "签字（捺印）"]]
    rows.append(["1", c.applicant.name, "本人", id_text(c.applicant.id_number, mask=ctx.office.consent_mask_id), ""])
    rows += [[str(n), "", "", "", ""] for n in range(2, 9)]
    widths = [12 * mm, 32 * mm, 26 * mm, 52 * mm, CONTENT_W - 122 * mm]
    table = layout.grid(rows, widths, header=True)
    table.setStyle([("ROWBACKGROUNDS", (0, 1), (-1, -1), [None]), ("TOPPADDING", (0, 1), (-1, -1), 7),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 7)])
    return [*header(ctx, "家庭经济状况查询核对授权书"), gap(2), para(text, BODY), gap(2), table,
            para("未成年家庭成员由其监护人代为签字；无民事行为能力或限制民事行为能力的成员由其监护人代为签字。", NOTE),
            layout.signatures([("申请人签字：", layout.date_blank())])]
