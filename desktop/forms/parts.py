"""Blocks several forms share: the render context, the header with QR, people, items and materials tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm

from desktop.domain import eligibility, workdays
from desktop.domain.case import (
    DELIVERY,
    PROXY_KINDS,
    RECEIVED,
    STAFF_PROXY_KINDS,
    STATES,
    Case,
    ItemState,
    received_label,
)
from desktop.domain.catalog import UNKNOWN_LIMIT, Catalog, Material, Service
from desktop.domain.errors import ValidationError
from desktop.domain.idnumber import mask_id, mask_phone
from desktop.forms import fonts, layout
from desktop.forms.layout import CONTENT_W, SMALL, fmt_date, grid, para
from desktop.forms.office import OfficeInfo


@dataclass
class Context:
    """Everything one render needs, gathered once."""

    case: Case
    catalog: Catalog
    office: OfficeInfo
    reprint: bool
    printed_at: dt.datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    signatures: dict[tuple[str, str], Any] = field(default_factory=dict)  # (part, signer) → forms.esign.Signature

    @property
    def service(self) -> Service:
        return self.catalog.service(self.case.service)

    @property
    def number(self) -> str:
        return self.case.number or ""

    def material(self, material_id: str) -> Material:
        try:
            return self.service.material(material_id)
        except KeyError:
            raise ValidationError(f"一件事{self.service.number}没有编号为“{material_id}”的材料",
                                  field="material") from None

    def received(self) -> list[tuple[Material, str, int]]:
        """(material, how it was received, count) for each material received, in catalog order."""
        got = self.case.materials
        return [(m, received_label(m.id, got[m.id].received), got[m.id].count)
                for m in self.service.materials if m.id in got and got[m.id].received]

    @property
    def paper(self) -> str:
        """受理回执, or 收件凭证 while required materials are missing (容缺受理 where the catalog tolerates them)."""
        if not self.case.missing:
            return "受理回执"
        return "受理回执（容缺受理）" if eligibility.tolerated(self.service, self.case.missing) else "收件凭证"

    def last_event(self, *kinds: str) -> dict[str, Any] | None:
        return next((e for e in reversed(self.events) if e["kind"] in kinds), None)


_PERSON_FIELDS = (("name", "姓名"), ("address", "住址"), ("relation", "关系"), ("township", "乡镇"), ("village", "村（社区）"))


def clerk_text(case: Case) -> str:
    """The clerk as papers name them: 李晓兰（工号 XZ0301）, the 工号 their account had at acceptance."""
    return f"{case.clerk}（工号 {case.clerk_no}）" if case.clerk_no else case.clerk


def check_people(case: Case) -> None:
    """Check the people's fields first, so a refusal names the field (申请人姓名) as well as the character."""
    for who, person in (("申请人", case.applicant), ("监护人", case.guardian), ("代办人", case.proxy)):
        for attr, label in _PERSON_FIELDS if person else ():
            fonts.check(getattr(person, attr), f"{who}{label}")


def require_number(case: Case) -> None:
    if not case.number:
        raise ValidationError("草稿尚未受理，没有受理编号，不能打印", field="case")


def header(ctx: Context, title: str, subtitle: str = "", *, qr: bool = True) -> list:
    """Office name, the centred title, and the case number's QR code at the right."""
    side = 30 * mm
    middle = [layout.Line(ctx.office.office or ctx.office.county_name or "政务服务中心", 11, bold=False),
              layout.title(title)]
    if subtitle:
        middle.append(layout.Line(subtitle, 10.5, bold=False))
    right = [layout.qr(ctx.office.qr_payload(ctx.number, ctx.case.public_code), 22 * mm)] if qr and ctx.number else []
    table = layout.Table([["", middle, right]], colWidths=[side, CONTENT_W - 2 * side, side], style=[
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (2, 0), (2, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return [table, numbers_line(ctx)]


def numbers_line(ctx: Context) -> layout.Table:
    what = "收件" if ctx.paper == "收件凭证" else "受理"  # a 收件凭证 does not claim the case was accepted
    left = para(f"{what}编号：{ctx.number or '（受理时生成）'}", layout.CELL)
    right = para(f"{what}时间：{layout.fmt_time(ctx.case.accepted_at) or '（尚未受理）'}", layout.SMALL_R)
    return layout.side_by_side(left, right, CONTENT_W * 0.6)


def id_text(number: str, *, mask: bool = True) -> str:
    return (mask_id(number) if mask else number) if number else ""


def phone_text(phone: str, *, mask: bool = True) -> str:
    return (mask_phone(phone) if mask else phone) if phone else ""


def person_rows(case: Case, *, mask: bool = True) -> list[list[str]]:
    """Applicant, guardian and proxy rows for a fields() table."""
    a = case.applicant
    rows = [["申请人", a.name, "身份证号", id_text(a.id_number, mask=mask)],
            ["联系电话", phone_text(a.phone, mask=mask), "户籍乡镇/村", f"{a.township}{a.village}"],
            ["住址", a.address]]
    if case.guardian:
        g = case.guardian
        rows.append(["监护人", f"{g.name}（{g.relation}）" if g.relation else g.name,
                     "身份证号", id_text(g.id_number, mask=mask)])
    rows.append(proxy_row(case))
    return rows


def guardian_rows(case: Case) -> list[list[str]]:
    """A minor's (or the service's) guardian, who signs and brings what is missing: none when there is none."""
    g = case.guardian
    if g is None or g.is_empty():
        return []
    return [["监护人", f"{g.name}（{g.relation}）" if g.relation else g.name, "监护人电话", phone_text(g.phone)]]


def proxy_row(case: Case) -> list[str]:
    """The proxy agent and their phone in full: 代办员 contacts are public by practice (domain.md §3)."""
    if not case.is_proxy or case.proxy is None:
        return ["办理方式", "本人申请（无代办人）"]
    kind = PROXY_KINDS.get(case.proxy_kind, "代办人")
    if case.proxy.relation and case.proxy_kind not in STAFF_PROXY_KINDS:
        kind += f"：{case.proxy.relation}"  # which relative, as on the 委托书
    return ["代办人", f"{case.proxy.name}（{kind}）", "代办人电话", case.proxy.phone]


def delivery_text(case: Case) -> str:
    return DELIVERY.get(case.delivery, "") or "窗口自取"


def departments(ctx: Context) -> str:
    # The catalog names departments per service, not per item: every item shows them all.
    return "、".join(ctx.service.departments)


def limit_text(item: ItemState) -> str:
    if item.working_days:
        return f"{item.working_days}个工作日"
    return f"{item.calendar_days}日（自然日）" if item.calendar_days else UNKNOWN_LIMIT


def day_kinds_text(case: Case) -> str:
    """The fine print: which kind of day each of the case's limits counts, and what is not counted."""
    kinds = []
    if any(i.working_days for i in case.items):
        kinds.append("“工作日”不含法定节假日和休息日")
    if any(i.calendar_days and not i.working_days for i in case.items):
        kinds.append("“自然日”连续计算，期满日逢法定节假日顺延")
    if not kinds:
        return "本事项办理时间按承办部门规定。"
    return "办理期限自受理次日起算：" + "；".join(kinds) + "；公示、鉴定、入户调查和补正材料的时间不计入。"


def due_text(ctx: Context, item: ItemState) -> str:
    """The expected completion date, marked 估算 when the holiday schedule of its year is not out yet."""
    if item.due_date:
        start = dt.date.fromisoformat((ctx.case.accepted_at or item.due_date)[:10])
        due = dt.date.fromisoformat(item.due_date)
        return fmt_date(due) + ("" if workdays.is_exact(start, due) else "\n（估算）")
    if ctx.case.state == "pending_materials":
        return "材料补齐后起算"
    return "—"


def items_table(ctx: Context, *, with_due: bool = True, status: bool = False) -> layout.Table:
    """The bundled items with code and department (and time limit, expected date or status)."""
    head = ["序号", "事项名称", "事项编码", "承办部门"]
    widths = [10 * mm, None, 26 * mm, 26 * mm]
    if with_due:
        head += ["承诺时限", "预计办结日期"]
        widths += [28 * mm, 28 * mm]
    if status:
        head.append("状态")
        widths.append(18 * mm)
    rows = [head]
    for n, item in enumerate(ctx.case.items, start=1):
        row = [str(n), item.name, item.code or "（无编码）", departments(ctx)]
        row += [limit_text(item), due_text(ctx, item)] if with_due else []
        row += [STATES.get(item.status, item.status)] if status else []
        rows.append(row)
    widths[1] = CONTENT_W - sum(w for w in widths if w)
    return grid(rows, widths, header=True)


def received_table(ctx: Context, *, extra: str | tuple[str, ...] = "", originals_only: bool = False,
                   exclude: tuple[str, ...] = ()) -> list:
    """Materials received (how, count), with blank columns `extra` to fill by hand; a line when none were."""
    got = [g for g in ctx.received() if (not originals_only or g[1] == RECEIVED["original"]) and g[0].id not in exclude]
    if not got:
        return [para("（未收取原件）" if originals_only else "（未收取材料）", SMALL)]
    extras = (extra,) if isinstance(extra, str) and extra else tuple(extra)
    head = ["序号", "材料名称", "接收方式", "份数", *extras]
    rows = [head] + [[str(n), m.name, kind, str(count)] + [""] * len(extras)
                     for n, (m, kind, count) in enumerate(got, start=1)]
    fixed = [11 * mm, None, 31 * mm, 12 * mm] + [(30 if len(extras) == 1 else 22) * mm for _ in extras]
    fixed[1] = CONTENT_W - sum(w for w in fixed if w)
    return [grid(rows, fixed, header=True)]


def missing_names(ctx: Context) -> list[str]:
    return [ctx.material(mid).name for mid in ctx.case.missing]
