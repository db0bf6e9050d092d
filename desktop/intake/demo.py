"""`python -m desktop demo`: realistic demo cases across all services, and the helpers tests use to make them."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from desktop.accounts.roles import Area
from desktop.accounts.staff import Accounts
from desktop.domain import eligibility, idnumber, rules, workdays
from desktop.domain.case import Case, MaterialState, Person
from desktop.domain.catalog import Catalog, Question, Service
from desktop.intake import supplement
from desktop.storage import settings
from desktop.storage.db import Database
from desktop.storage.store import Store

DEMO_SETTINGS = {
    "county_code": "439901", "county_name": "演示县", "office": "演示县政务服务中心",
    "window_code": "W03", "clerk": "李晓兰", "office_phone": "0739-5201234",
    "office_address": "演示县政务服务中心一楼绿色通道（县府路8号）",
}
TOWNSHIPS = [
    {"name": "城关镇", "villages": ["东门社区", "西街社区", "河背村"]},
    {"name": "白水乡", "villages": ["白水村", "石门村", "枫树坪村"]},
    {"name": "青山铺镇", "villages": ["青山村", "茶园村", "大塘村"]},
    {"name": "麻阳坪乡", "villages": ["麻阳坪村", "岩口村"]},
]
SURNAMES = "王李张刘陈杨黄赵周吴曾单解谭彭罗蒋唐邓"
GIVEN = ["秀英", "建国", "桂兰", "德发", "玉梅", "志强", "冬生", "春花", "䶮", "𠈌明", "小军", "淑芬", "国庆", "美玲"]
REGIONS = ["439901", "430124", "430521", "431021", "430682"]
AGES = [4, 9, 15, 16, 35, 48, 55, 62, 70, 82, 91, 101]
CLERKS = ["李晓兰", "周文斌", "陈雪梅"]
# Demo staff of every role (README.md lists them with the password). Cases record the username as the actor
# and the display name as the case's 经办人.
DEMO_PASSWORD = "demo2026"
STAFF = [  # username, display name, role, area
    ("admin", "黄建华", "admin", Area()),
    ("lixiaolan", "李晓兰", "clerk", Area()),
    ("zhouwenbin", "周文斌", "clerk", Area()),
    ("chenxuemei", "陈雪梅", "clerk", Area()),
    ("luodeming", "罗德明", "village_agent", Area("白水乡", ("白水村", "石门村"))),
    ("tanxiaohong", "谭小红", "village_agent", Area("青山铺镇")),
    ("zhangli", "张丽", "supervisor", Area()),
    ("pengzhiyuan", "彭志远", "auditor", Area()),
]
USERNAMES = {display: username for username, display, _, _ in STAFF}
# 工号 of the demo staff (README.md lists them): printed as 受托人 on the 委托书 and as 受理人 on the receipt
STAFF_NUMBERS = {"admin": "XZ0001", "lixiaolan": "XZ0301", "zhouwenbin": "XZ0302", "chenxuemei": "XZ0303",
                 "luodeming": "CD1201", "tanxiaohong": "CD1302", "zhangli": "XZ0101", "pengzhiyuan": "XZ0901"}
AGENTS = ["罗德明（白水村代办员）", "谭小红（青山村代办员）"]


def make_id(rng: random.Random, birth: dt.date, region: str | None = None) -> str:
    first17 = f"{region or rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1, 999):03d}"
    return first17 + idnumber.check_digit(first17)


def _values(q: Question) -> list[Any]:
    if q.type == "bool":
        return [True, False]
    if q.type == "choice":
        return list(q.options)
    if q.type == "int":
        return list(range(q.min if q.min is not None else 0, (q.max if q.max is not None else 5) + 1))
    return ["（演示）"]


def satisfying_answers(service: Service, catalog: Catalog, base: dict[str, Any]) -> dict[str, Any] | None:
    """Answers to the service's questions under which every eligibility rule holds, or None."""
    answers: dict[str, Any] = {}
    for rule in service.eligibility:
        facts = base | answers
        if rules.evaluate(rule.rule, facts) is True:
            continue
        open_names = [n for n in sorted(rules.names_in(rule.rule)) if facts.get(n) is None and n in catalog.questions]
        for combo in itertools.product(*(_values(catalog.questions[n]) for n in open_names)):
            trial = answers | dict(zip(open_names, combo, strict=True))
            if rules.evaluate(rule.rule, base | trial) is True:
                answers = trial
                break
        else:
            return None
    if any(rules.evaluate(r.rule, base | answers) is not True for r in service.eligibility):
        return None
    return answers


def eligible_case(service: Service, catalog: Catalog, rng: random.Random, day: dt.date) -> Case:
    """A complete draft that passes every rule of `service`, for an applicant of a fitting age."""
    for age in rng.sample(AGES, len(AGES)):
        birth = dt.date(day.year - age, rng.randint(1, 12), rng.randint(1, 28))
        if birth > day:
            continue
        case = _draft(service, rng, birth, day)
        base = eligibility.facts(service, case)
        answers = satisfying_answers(service, catalog, base)
        if answers is not None:
            case.answers = answers
            _fill_people(service, case, rng, day)
            return case
    raise ValueError(f"no eligible demo applicant for service {service.number}")


def _draft(service: Service, rng: random.Random, birth: dt.date, day: dt.date) -> Case:
    town = rng.choice(TOWNSHIPS)
    village = rng.choice(town["villages"])
    name = (rng.choice(["欧阳", "司马"]) if rng.random() < 0.1 else rng.choice(SURNAMES)) + rng.choice(GIVEN)
    applicant = Person(name=name, id_number=make_id(rng, birth), phone=f"13{rng.randrange(10**9):09d}",
                       address=f"{town['name']}{village}{rng.randint(1, 30)}组", township=town["name"],
                       village=village)
    case = Case(service=service.number, applicant=applicant, application_date=day.isoformat())
    case.method = rng.choice(service.methods)
    if rng.random() < 0.65:
        case.applied_by = "proxy"
        case.proxy_kind = rng.choice(service.proxy.get("kinds") or ["clerk", "village_agent"])
        if case.proxy_kind == "relative":  # a close relative, identified by ID number (居住证: no staff proxy)
            case.proxy = Person(name=rng.choice(SURNAMES) + rng.choice(GIVEN), relation=rng.choice(["女儿", "儿子"]),
                                id_number=make_id(rng, dt.date(day.year - rng.randint(25, 45), 3, 9)),
                                phone=f"139{rng.randrange(10**8):08d}")
        else:  # staff: known by their 工号
            name = rng.choice(CLERKS if case.proxy_kind == "clerk" else AGENTS).split("（")[0]
            case.proxy = Person(name=name, phone=f"139{rng.randrange(10**8):08d}",
                                staff_no=STAFF_NUMBERS[USERNAMES[name]])
        case.mandate_signed = True
    return case


def _fill_people(service: Service, case: Case, rng: random.Random, day: dt.date) -> None:
    if eligibility.guardian_required(service, case):
        birth = dt.date(day.year - rng.randint(30, 60), rng.randint(1, 12), rng.randint(1, 28))
        relation = rng.choice(["父亲", "母亲", "祖母", "祖父"])
        male = relation in ("父亲", "祖父")
        id_number = make_id(rng, birth)
        while (int(id_number[16]) % 2 == 1) != male:  # the 17th digit is odd for men (GB 11643)
            id_number = make_id(rng, birth)
        given = rng.choice(["建国", "德发", "志强", "国庆"] if male else ["秀英", "桂兰", "玉梅", "春花"])
        case.guardian = Person(name=rng.choice(SURNAMES) + given, id_number=id_number,
                               phone=f"137{rng.randrange(10**8):08d}", relation=relation)


def receive_all(service: Service, case: Case, *, leave_missing: int = 0) -> None:
    """Mark required and 'maybe' materials received, leaving the last `leave_missing` required ones out."""
    entries = [e for e in eligibility.checklist(service, case) if e.status in ("required", "maybe")]
    required = [e for e in entries if e.status == "required"]
    skip = {e.material.id for e in required[len(required) - leave_missing:]} if leave_missing else set()
    for e in entries:
        if e.material.id not in skip:
            case.materials[e.material.id] = MaterialState(received=eligibility.default_received(e.material),
                                                          count=max(1, e.material.copies))


def fill(store: Store, *, days: int = 45, per_day: int = 6, seed: int = 2026) -> int:
    """Demo settings, then about `per_day` cases a working day over the last `days` days; returns the count."""
    for key, value in DEMO_SETTINGS.items():
        settings.set_value(store.db, key, value)
    settings.set_value(store.db, "townships", TOWNSHIPS)
    demo_staff(store.db)
    rng, after = random.Random(seed), random.Random(seed + 19)  # `after` leaves the cases' own draws as they were
    today = dt.date.today()
    numbers = sorted(store.catalog.services)
    count = 0
    for offset in range(days, -1, -1):
        day = today - dt.timedelta(days=offset)
        if not workdays.is_workday(day):
            continue
        for _ in range(per_day):
            uuid = _one(store, rng, store.catalog.services[rng.choice(numbers)], day, offset)
            _after(store, after, uuid)
            count += 1
    _one_draft(store, rng, today)
    return count


def demo_staff(db: Database) -> bool:
    """Create the demo staff (all with DEMO_PASSWORD, no forced change) on a device without accounts."""
    accounts = Accounts(db)
    if accounts.any_users():
        return False
    (admin, display, _, _), *others = STAFF
    accounts.create_admin(admin, display, DEMO_PASSWORD, staff_no=STAFF_NUMBERS[admin])
    session = accounts.login(admin, DEMO_PASSWORD)
    for username, display, role, area in others:
        accounts.add_user(session, username, display, role, area, DEMO_PASSWORD, must_change=False,
                          staff_no=STAFF_NUMBERS[username])
    accounts.logout(session)
    return True


def _one(store: Store, rng: random.Random, service: Service, day: dt.date, age_days: int) -> str:
    case = eligible_case(service, store.catalog, rng, day)
    receive_all(service, case, leave_missing=1 if rng.random() < 0.15 else 0)
    when = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59))).astimezone()
    clerk = rng.choice(CLERKS)
    case.clerk = clerk
    clerk = USERNAMES[clerk]
    case = store.accept(case, actor=clerk, now=when)
    for action in _progress(rng, age_days, case.state):
        when += dt.timedelta(days=rng.randint(1, 3))
        if when.date() > dt.date.today():
            break
        if action == "materials_received":  # the citizen brings what was missing: recorded per material
            missing = store.load(case.uuid).missing
            supplement.receive(store, case.uuid, {m: ("verified_copy", 1) for m in missing}, actor=clerk, now=when)
            continue
        store.transition(case.uuid, action, actor=clerk, now=when, reason="演示：等待部门补充核查")
    return case.uuid


def _after(store: Store, rng: random.Random, uuid: str) -> None:
    """After acceptance: a 公示 for about half the open cases of services that have one, and a rating of about
    a third of the cases at the window (one in eight of them a 差评, which opens a 整改 and a 回访)."""
    from desktop.storage import feedback, publicity

    case = store.load(uuid)
    at = dt.datetime.fromisoformat(case.accepted_at or "") + dt.timedelta(minutes=5)
    if store.catalog.service(case.service).time_limit.get("publicity_days") and case.state in publicity.OPEN \
            and rng.random() < 0.5:
        publicity.start(store, uuid, f"{case.applicant.village or case.applicant.township}村务公开栏",
                        on=at.date() + dt.timedelta(days=7), actor=USERNAMES[case.clerk], now=at)
    if case.state != "pending_materials" and rng.random() < 0.35:
        level = rng.choice(["dissatisfied", "very_dissatisfied"]) if rng.random() < 0.125 else rng.choice(
            ["very_satisfied", "very_satisfied", "satisfied", "basically_satisfied"])
        feedback.rate(store, uuid, level, reasons=["waiting"] if level in ("dissatisfied", "very_dissatisfied")
                      else [], now=at, actor=USERNAMES[case.clerk])


def _progress(rng: random.Random, age_days: int, state: str) -> list[str]:
    if state == "pending_materials":
        return ["materials_received"] if age_days > 5 and rng.random() < 0.7 else []
    steps = ["submit", "start", "complete"][: min(3, age_days // 7 + rng.randint(0, 1))]
    if rng.random() < 0.05 and steps[-1:] != ["complete"]:  # a closed case cannot be suspended
        steps.append("suspend")
    return steps


def _one_draft(store: Store, rng: random.Random, day: dt.date) -> None:
    service = store.catalog.service(3)
    case = eligible_case(service, store.catalog, rng, day)
    case.page = 2
    store.save_draft(case)
