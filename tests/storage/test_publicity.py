"""公示 written to a case: due dates moved by the period, objections, an end with a result, refusals in Chinese."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from desktop.domain.errors import ValidationError
from desktop.storage import publicity
from desktop.sync import state as syncstate
from tests.hub.deskside import new_case


def test_working_day_publicity_moves_due_dates_and_each_step_is_a_queued_revision(store):
    uuid = new_case(store, random.Random(7), service=7)  # 两项补贴: 5 working days
    before = store.load(uuid)
    case = publicity.start(store, uuid, "城关镇公示栏", on=dt.date(2026, 12, 4), actor="测试")  # a Friday
    assert (case.publicity.start, case.publicity.end, case.publicity.working) == ("2026-12-04", "2026-12-10", True)
    assert [dt.date.fromisoformat(i.due_date) for i in case.items] == [
        dt.date.fromisoformat(i.due_date) + dt.timedelta(days=7) for i in before.items]  # 5 working days = a week
    publicity.objection(store, uuid, "有人反映户籍不在本村", actor="测试")
    with pytest.raises(ValidationError, match="公示结果"):
        publicity.end(store, uuid, actor="测试")  # objections need a result, never a silent 无异议
    case = publicity.end(store, uuid, "objection_unfounded", actor="测试")
    assert case.publicity.objections == ["有人反映户籍不在本村"] and case.publicity.result == "objection_unfounded"
    assert [e["kind"] for e in store.events(uuid)][-3:] == ["publicity_started", "publicity_objection",
                                                             "publicity_ended"]
    assert all("户籍" not in str(e["detail"]) for e in store.events(uuid))  # the objection's words stay in the payload
    assert case.revision == before.revision + 3 and syncstate.counts(store.db)["pending"] >= 1


def test_refusals_name_the_field_and_change_nothing(store):
    other = new_case(store, random.Random(3), service=3)
    with pytest.raises(ValidationError, match="没有公示期"):
        publicity.start(store, other, "公示栏")
    uuid = new_case(store, random.Random(13), service=13)
    with pytest.raises(ValidationError, match="公示地点"):
        publicity.start(store, uuid, " ")
    with pytest.raises(ValidationError, match="没有正在进行的公示"):
        publicity.objection(store, uuid, "异议")
    assert store.load(uuid).publicity is None and store.load(uuid).revision == 1
    publicity.start(store, uuid, "公示栏")
    with pytest.raises(ValidationError, match="已在公示"):
        publicity.start(store, uuid, "公示栏")
