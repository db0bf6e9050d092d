"""What the catalog says about one case: facts, eligibility, items, checklist, links, and what blocks acceptance.

Pure functions over (service, case, date); the wizard calls them on every change, the store at acceptance,
so the command line and the desk can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from desktop.domain import idnumber, limits, rules
from desktop.domain.case import DELIVERY, IDENTITY_MATERIALS, PROXY_KINDS, RECEIVED, Case, Person
from desktop.domain.catalog import Catalog, Item, Material, Service
from desktop.domain.errors import ValidationError

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

# a local landline (no area code) starts with 2-9: seven or eight digits starting with 1 are a mobile cut short
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|[2-9]\d{6,7})$")
NAME_MAX = 40


@dataclass(frozen=True)
class RuleResult:
    """One eligibility rule's outcome: True, False, or None (待确认)."""

    id: str
    fail: str
    ok: bool | None
    needs: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistEntry:
    """A material as it applies to this case: 'required', 'maybe' (rule unknown) or 'optional'."""

    material: Material
    status: str
    received: str
    count: int
    items: tuple[str, ...]

    @property
    def missing(self) -> bool:
        return self.status == "required" and not self.received


def application_day(case: Case) -> dt.date:
    return dt.date.fromisoformat(case.application_date) if case.application_date else dt.date.today()


def facts(service: Service, case: Case) -> dict[str, Any]:
    """Fact values for rules: built-ins from the ID number and the case, then the answers given."""
    values: dict[str, Any] = {"proxy": case.is_proxy, "method": case.method or None}
    try:
        info = idnumber.parse(case.applicant.id_number, today=application_day(case))
    except ValidationError:
        info = None
    if info is not None:
        age = info.age_on(application_day(case))
        values.update(age=age, sex=info.sex, minor=age < 18, id_kind=info.kind)
    for qid in service.ask:
        answer = case.answers.get(qid)
        values[qid] = None if answer in ("", None) else answer
    return values


def eligibility(service: Service, case: Case, fx: dict[str, Any] | None = None) -> list[RuleResult]:
    fx = facts(service, case) if fx is None else fx
    results = []
    for rule in service.eligibility:
        ok = rules.evaluate(rule.rule, fx)
        needs = tuple(n for n in sorted(rules.names_in(rule.rule)) if fx.get(n) is None) if ok is None else ()
        results.append(RuleResult(rule.id, rule.fail, ok, needs))
    return results


def applicable_items(service: Service, fx: dict[str, Any]) -> list[Item]:
    """Items whose rule holds or is still open; an item ruled out by the facts is left out of the case."""
    return [i for i in service.items if not i.applies_when or rules.evaluate(i.applies_when, fx) is not False]


def checklist(service: Service, case: Case, fx: dict[str, Any] | None = None) -> list[ChecklistEntry]:
    fx = facts(service, case) if fx is None else fx
    keys = {i.key for i in applicable_items(service, fx)}
    entries = []
    for m in service.materials:
        items = tuple(k for k in (m.items or keys) if k in keys)
        status = _need(m, fx)
        if not items or status is None:
            continue
        got = case.materials.get(m.id)
        entries.append(ChecklistEntry(m, status, got.received if got else "", got.count if got else 0, items))
    return entries


def _need(m: Material, fx: dict[str, Any]) -> str | None:
    if m.need != "conditional":
        return m.need
    verdict = rules.evaluate(m.when, fx)
    return {True: "required", None: "maybe", False: None}[verdict]


def missing_materials(service: Service, case: Case) -> list[str]:
    return [e.material.id for e in checklist(service, case) if e.missing]


def tolerated(service: Service, missing: list[str]) -> bool:
    """容缺受理: every missing material is one the catalog lets the case be accepted without, for now."""
    return bool(missing) and all(service.material(m).tolerable for m in missing)


def default_received(m: Material) -> str:
    """How a material is usually received: an original-and-copy paper is seen and handed back, its copy kept."""
    if m.form in ("原件及复印件", "原件") and m.id in IDENTITY_MATERIALS:
        return "verified_copy"
    return {"原件及复印件": "verified_copy", "复印件": "copy", "原件": "original", "现场填写": "original",
            "电子版": "scan"}.get(m.form, "original")


def offered_links(service: Service, case: Case, catalog: Catalog) -> list[tuple[int, str, bool | None]]:
    """(service number, reason, verdict) for each link whose rule is not false."""
    fx = facts(service, case)
    out: list[tuple[int, str, bool | None]] = []
    for link in service.links:
        if link.excludes:  # a warning about an open case, never something to apply for alongside
            continue
        verdict = rules.evaluate(link.when, fx)
        if verdict is not False and link.service in catalog.services:
            out.append((link.service, link.reason, verdict))
    return out


def guardian_required(service: Service, case: Case) -> bool:
    fx = facts(service, case)
    if fx.get("minor"):
        return True
    rule = service.proxy.get("guardian_when", "")
    return bool(rule) and rules.evaluate(rule, fx) is True


def _person_errors(person: Person, who: str, field: str, *, id_required: bool) -> list[ValidationError]:
    errors = []
    name = person.name.strip()
    if not name:
        errors.append(ValidationError(f"{who}姓名：不能为空", field=f"{field}.name"))
    elif len(name) > NAME_MAX:
        errors.append(ValidationError(f"{who}姓名：超过{NAME_MAX}个字", field=f"{field}.name"))
    if person.id_number or id_required:
        try:
            idnumber.parse(person.id_number)
        except ValidationError as exc:
            errors.append(ValidationError(f"{who}身份证号码：{exc.message}", field=f"{field}.id_number"))
    if person.phone and not PHONE_RE.match(person.phone.replace(" ", "")):
        errors.append(ValidationError(f"{who}联系电话：应为11位手机号或带区号的固定电话", field=f"{field}.phone"))
    return errors + limits.person_errors(person, who, field)


def _other_adult_errors(case: Case, person: Person, who: str, field: str) -> list[ValidationError]:
    """A guardian or a 受托人 is an adult other than the applicant: a child's number, or the applicant's typed
    twice, is a slip of the clerk's that would print on the 委托书 and the receipt."""
    day = application_day(case)
    try:
        info = idnumber.parse(person.id_number, today=day)
    except ValidationError:
        return []  # an empty or bad number is reported by _person_errors
    if info.number == idnumber.stored(case.applicant.id_number):
        return [ValidationError(f"{who}身份证号码：与申请人的相同，请核对", field=f"{field}.id_number")]
    age = info.age_on(day)
    if age < 18:
        return [ValidationError(f"{who}身份证号码：按号码为{age}周岁，{who}须为成年人，请核对", field=f"{field}.id_number")]
    return []


def page_errors(service: Service, case: Case, catalog: Catalog, page: str) -> list[ValidationError]:
    """The problems that keep the wizard on the page named `page` (a key of PAGE_CHECKS, not a position, so
    reordering the wizard cannot misalign its checks); each names its field."""
    return PAGE_CHECKS[page](service, case, catalog)


def accept_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:
    """Everything that blocks acceptance, in wizard order (missing materials do not: they mean 补正中)."""
    return [e for page in PAGE_CHECKS for e in page_errors(service, case, catalog, page)]


def _applicant_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:
    errors = _person_errors(case.applicant, "申请人", "applicant", id_required=True)
    if not (case.applicant.phone or (case.guardian and case.guardian.phone) or (case.proxy and case.proxy.phone)):
        errors.append(ValidationError("申请人联系电话：申请人、监护人或代办人至少留一个电话", field="applicant.phone"))
    if guardian_required(service, case):
        if case.guardian is None or case.guardian.is_empty():
            errors.append(ValidationError("监护人：申请人未成年或本事项要求监护人，须填写监护人", field="guardian.name"))
        else:
            errors += _person_errors(case.guardian, "监护人", "guardian", id_required=True)
            errors += _other_adult_errors(case, case.guardian, "监护人", "guardian")
            if not case.guardian.relation.strip():
                errors.append(ValidationError("监护人与申请人关系：不能为空", field="guardian.relation"))
    return errors


def _proxy_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:
    errors = []
    if case.method not in service.methods:
        allowed = "、".join(service.methods)
        what = f"本事项可选 {allowed}" if case.method else f"请选择一种（本事项可选 {allowed}）"
        errors.append(ValidationError(f"办理方式：{what}", field="method"))
    if case.delivery and case.delivery not in DELIVERY:
        errors.append(ValidationError(f"结果领取方式：应为{'、'.join(DELIVERY)}之一（{'、'.join(DELIVERY.values())}）",
                                      field="delivery"))
    if case.applied_by not in ("self", "proxy"):
        errors.append(ValidationError("申请方式：应为本人申请或帮代办", field="applied_by"))
    if case.is_proxy:
        errors += _mandate_errors(case)
        kinds = service.proxy.get("kinds")
        if kinds and case.proxy_kind in PROXY_KINDS and case.proxy_kind not in kinds:
            allowed = "、".join(service.proxy.get("allowed", [])) or "、".join(PROXY_KINDS[k] for k in kinds)
            errors.append(ValidationError(f"代办人类型：本事项只能由{allowed}申请，"
                                          f"不能由{PROXY_KINDS[case.proxy_kind]}代办", field="proxy_kind"))
    return errors


def _mandate_errors(case: Case) -> list[ValidationError]:

    if case.proxy_kind not in PROXY_KINDS:
        return [ValidationError("代办人类型：请选择窗口人员、村级代办员、近亲属或其他受托人", field="proxy_kind")]
    errors = _person_errors(case.proxy or Person(), "代办人", "proxy", id_required=case.proxy_kind in ("relative", "other"))
    errors += _other_adult_errors(case, case.proxy or Person(), "代办人", "proxy")
    if case.proxy_kind == "relative" and not (case.proxy and case.proxy.relation.strip()):
        # a close relative may act where others may not (居住证): the 委托书 says which relative
        errors.append(ValidationError("代办人与申请人关系：近亲属代办须填写（如：女儿、父亲）", field="proxy.relation"))
    if not case.mandate_signed:
        errors.append(ValidationError("委托：帮代办须由申请人（或监护人）签署授权委托书", field="mandate_signed"))
    return errors


def _eligibility_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:
    fx = facts(service, case)
    found = [_answer_error(catalog, qid, case.answers[qid]) for qid in service.ask if case.answers.get(qid) not in (None, "")]
    errors = [e for e in found if e]
    results = eligibility(service, case, fx)
    for r in results:
        if r.ok is None:
            asked = [catalog.questions[n].text for n in r.needs if n in catalog.questions] or ["身份证号码"]
            errors.append(ValidationError(f"资格条件：请先回答“{asked[0]}”", field=f"answers.{r.needs[0] if r.needs else 'id'}"))
    if any(r.ok is False for r in results) and not case.ineligible_reason.strip():
        fail = next(r.fail for r in results if r.ok is False)
        errors.append(ValidationError(f"资格条件不符（{fail}）：继续办理须填写理由", field="ineligible_reason"))
    if not applicable_items(service, fx):
        errors.append(ValidationError("资格条件：按所填情况，本一件事没有适用的事项", field="answers"))
    return errors


def _answer_error(catalog: Catalog, qid: str, value: Any) -> ValidationError | None:
    q = catalog.questions[qid]
    bad = (
        (q.type == "bool" and not isinstance(value, bool))
        or (q.type == "choice" and value not in q.options)
        or (q.type == "int" and (not isinstance(value, int) or isinstance(value, bool)
                                 or (q.min is not None and value < q.min) or (q.max is not None and value > q.max)))
        or (q.type == "text" and not isinstance(value, str))
    )
    if not bad:
        return None
    hint = {"bool": "是或否", "choice": "、".join(q.options), "int": f"{q.min}–{q.max}的整数", "text": "文字"}[q.type]
    return ValidationError(f"“{q.text}”的回答无效：应为{hint}", field=f"answers.{qid}")


def _materials_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:

    errors = []
    known = {m.id for m in service.materials}
    for mid, state in case.materials.items():
        if mid not in known:
            errors.append(ValidationError(f"材料“{mid}”不属于本一件事", field=f"materials.{mid}"))
        elif state.received and state.received not in RECEIVED:
            errors.append(ValidationError(f"材料“{service.material(mid).name}”的接收方式应为原件、复印件或扫描件",
                                          field=f"materials.{mid}"))
    return errors


def _links_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:
    offered = {number for number, _, _ in offered_links(service, case, catalog)}
    return [
        ValidationError(f"关联事项：一件事{n}不在本事项可关联的范围内", field="linked_services")
        for n in case.linked_services if n not in offered
    ]


def _no_errors(service: Service, case: Case, catalog: Catalog) -> list[ValidationError]:
    return []


# The wizard's pages by name, each with what keeps the clerk on it (desktop/ui/wizard/wizard.py's PAGES).
PAGE_CHECKS = {
    "applicant": _applicant_errors,
    "proxy": _proxy_errors,
    "eligibility": _eligibility_errors,
    "materials": _materials_errors,
    "links": _links_errors,
    "review": _no_errors,
}
