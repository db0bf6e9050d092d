"""Research notes never reach paper: every printable catalog text is meant for the citizen (issue 13)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from desktop.domain import catalog as catalog_mod, workdays
from desktop.domain.errors import DeskError
from desktop.storage.catalog_build import build
from tests.domain.test_catalog import COUNTY_SERVICE, _copy_source

# Place names outside Hunan, the editors' words, URLs and source markers: none may be printed.
REFUSED = re.compile(r"未查到|推断|https?://|www\.|(?<![A-Za-z])S\d+\b|\bNAT\b|湖北|河南|安徽|北京|山东|四川|广东|"
                     r"沂水|武汉|硚口|宜昌|濮阳|洛阳|金安|燕山|部分(?:县|地区|城市|地方)|各(?:地|县)|旧地方")


@pytest.mark.parametrize("number", range(1, 21))
def test_every_printable_text_of_every_service_is_for_the_citizen(catalog, number):
    texts = catalog_mod.printable_texts(catalog.service(number))
    assert any(where.startswith("materials[") for where, _ in texts)
    for where, text in texts:
        assert not REFUSED.search(text), (number, where, text)
        assert not catalog_mod.editorial_marks(text), (number, where, text)


def test_the_editors_notes_are_kept_in_the_catalog_not_lost(catalog):
    s3 = catalog.service(3)
    assert "湖南数据未查到" in s3.time_limit["source_note"]
    assert "湖南数据未查到" not in s3.time_limit["note"]
    assert s3.material("photo").source_note == "各县3–4张" and s3.material("photo").note == ""
    hukou = next(r for r in s3.eligibility if r.id == "hukou")
    assert hukou.fail == "须在户籍所在地申请" and "跨省通办" in hukou.source_note


def test_catalog_show_prints_the_editors_note_apart(capsys):
    from desktop.cli.main import main

    assert main(["catalog", "show", "3"]) == 0
    out = capsys.readouterr().out
    assert "【编者注，不打印】沂水30个工作日" in out
    assert "时限说明（打印）：新办残疾人证免收工本费" in out


def test_a_research_note_in_a_printed_field_is_refused_at_build(tmp_path):
    src = _copy_source(tmp_path)
    bad = COUNTY_SERVICE.replace('fail = "须年满60周岁且为本县户籍"', 'fail = "须年满60周岁（湖北10个工作日，未查到）"')
    assert bad != COUNTY_SERVICE
    (src / "services" / "101.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(DeskError, match=r"101\.toml.*eligibility\[0\]\.fail.*source_note"):
        build(src, tmp_path / "bad.sqlite")


def test_unknown_limits_print_what_the_hall_can_promise(catalog):
    assert catalog.service(4).limit_words == "7日（自然日）"
    assert catalog.service(19).limit_words == "15日（自然日）"
    assert catalog.service(13).limit_words == "30个工作日"
    assert catalog.service(2).limit_words == "按年度集中确认"


def test_calendar_day_limits_run_over_holidays_and_end_on_a_working_day():
    # 2026-09-28 + 7 days = 10-05, inside the National Day holiday: the limit ends on the first working day after
    assert workdays.due_after(dt.date(2026, 9, 28), None, 7) == dt.date(2026, 10, 8)
    assert workdays.due_after(dt.date(2026, 11, 2), None, 15) == dt.date(2026, 11, 17)
    assert workdays.due_after(dt.date(2026, 11, 2), 15, None) == workdays.add_working_days(dt.date(2026, 11, 2), 15)
    assert workdays.due_after(dt.date(2026, 11, 2), None, None) is None


def test_residence_permit_refuses_a_staff_proxy_in_wizard_and_import_alike(catalog):
    import random

    from desktop.domain import eligibility
    from desktop.domain.case import Person
    from desktop.intake import demo

    service = catalog.service(19)
    case = demo.eligible_case(service, catalog, random.Random(3), dt.date(2026, 11, 27))
    case.applied_by, case.proxy_kind, case.mandate_signed = "proxy", "village_agent", True
    case.proxy = Person(name="罗德明", phone="13907301234")
    errors = [e for e in eligibility.accept_errors(service, case, catalog) if e.field == "proxy_kind"]
    assert errors and "只能由本人、监护人、近亲属申请，不能由村级代办员代办" in errors[0].message
    case.proxy_kind = "relative"
    case.proxy = Person(name="罗德明", phone="13907301234", relation="儿子",
                        id_number=demo.make_id(random.Random(4), dt.date(1990, 3, 9)))
    assert not [e for e in eligibility.accept_errors(service, case, catalog) if e.field == "proxy_kind"]


@pytest.mark.parametrize("number", [11, 12])
def test_orphan_allowances_have_an_upper_age_bound(catalog, number):
    from desktop.domain import rules

    rule = next(r for r in catalog.service(number).eligibility if r.id == "age")
    assert rules.evaluate(rule.rule, {"minor": False, "in_full_time_school": True, "age": 21}) is True
    assert rules.evaluate(rule.rule, {"minor": False, "in_full_time_school": True, "age": 22}) is False
    assert "最长至22周岁" in rule.fail


def test_special_hardship_limit_follows_the_national_rule_and_is_sourced(catalog):
    s14 = catalog.service(14)
    assert s14.working_days == 30 and s14.time_limit["source"] == "NAT"
    assert "民发〔2021〕43号" in s14.time_limit["note"] and "民发〔2021〕43号" in s14.time_limit["source_note"]


def test_disability_allowance_says_it_starts_by_itself(catalog):
    assert catalog.service(7).auto_start.startswith("将自动启动")
    assert [k.service for k in catalog.service(13).links if k.auto] == [7]


def test_import_takes_the_delivery_and_refuses_an_unknown_one(catalog):
    import json
    from pathlib import Path

    from desktop.domain import eligibility
    from desktop.intake import importer

    example = json.loads((Path(__file__).parents[2] / "docs" / "examples" / "03.json").read_text(encoding="utf-8"))
    case = importer.case_from_json({**example, "delivery": "post"})
    assert case.delivery == "post"
    assert not [e for e in eligibility.accept_errors(catalog.service(3), case, catalog) if e.field == "delivery"]
    case.delivery = "drone"
    errors = [e for e in eligibility.accept_errors(catalog.service(3), case, catalog) if e.field == "delivery"]
    assert errors and "结果领取方式" in errors[0].message
