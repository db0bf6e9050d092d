"""好差评, 整改 and 回访 on real SQLite files: each change with its outbox row, index rows and timeline, or nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from desktop.domain import workdays
from desktop.domain.errors import ValidationError
from desktop.intake import demo
from desktop.storage import feedback, settings
from desktop.storage.store import Store

DAY = dt.date(2026, 11, 27)  # a Friday
NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()


def _accepted(store: Store, number: int = 3, seed: int = 1):
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY)
    demo.receive_all(service, case)
    return store.accept(case, actor="lixiaolan", now=NOW)


def _revisions(store: Store, uuid: str) -> list[int]:
    return [r[0] for r in store.db.execute("SELECT revision FROM outbox WHERE case_uuid = ? ORDER BY id", [uuid])]


def test_a_good_rating_is_queued_with_the_case_and_opens_nothing(store):
    case = _accepted(store)
    rated = feedback.rate(store, case.number, "very_satisfied", actor="lixiaolan", now=NOW)
    assert store.load(case.uuid).ratings[0].level == "very_satisfied"
    assert rated.revision == 2 and _revisions(store, case.uuid) == [1, 2]
    assert feedback.open_rectifications(store, DAY) == []
    assert feedback.due_visits(store, DAY) == []
    assert store.events(case.uuid)[-1]["kind"] == "rated"


def test_a_bad_rating_needs_a_reason_and_opens_rectification_and_visit(store):
    case = _accepted(store)
    with pytest.raises(ValidationError, match="差评原因"):
        feedback.rate(store, case.uuid, "dissatisfied", now=NOW)
    assert _revisions(store, case.uuid) == [1]  # refused: nothing written
    feedback.rate(store, case.uuid, "very_dissatisfied", reasons=["runs", "waiting"], note="跑了三趟", now=NOW)
    open_ = feedback.open_rectifications(store, DAY)
    assert [(r["number"], r["seq"], r["rectify_due"]) for r in open_] == [
        (case.number, 1, workdays.add_working_days(DAY, 15).isoformat())]
    visits = feedback.due_visits(store, DAY)
    assert [(v["reason"], v["overdue"]) for v in visits] == [("bad_rating", False)]
    late = workdays.add_working_days(DAY, 16)
    assert feedback.open_rectifications(store, late)[0]["overdue"]
    assert feedback.due_visits(store, late)[0]["overdue"]


def test_rectification_is_recorded_once_and_leaves_the_list(store):
    case = _accepted(store)
    feedback.rate(store, case.uuid, "dissatisfied", reasons=["attitude"], now=NOW)
    with pytest.raises(ValidationError, match="整改情况"):
        feedback.rectify(store, case.uuid, 1, "  ", actor="zhangli")
    feedback.rectify(store, case.uuid, 1, "已核实，对窗口人员谈话提醒", actor="zhangli", now=NOW)
    assert feedback.open_rectifications(store, DAY) == []
    assert store.load(case.uuid).ratings[0].rectified_by == "zhangli"
    with pytest.raises(ValidationError, match="已整改"):
        feedback.rectify(store, case.uuid, 1, "再来一次", actor="zhangli")


def test_unknown_level_is_refused_by_name(store):
    case = _accepted(store)
    with pytest.raises(ValidationError, match="评价等级"):
        feedback.rate(store, case.uuid, "meh")


def test_completed_cases_of_the_configured_services_come_due(store):
    visited, skipped = _accepted(store, 3, seed=1), _accepted(store, 1, seed=2)
    settings.set_value(store.db, "visit_services", "[3]")
    settings.set_value(store.db, "visit_days", "5")
    for case in (visited, skipped):
        store.transition(case.uuid, "complete", now=NOW)
    due = feedback.due_visits(store, DAY)
    assert [(v["number"], v["reason"], v["due_date"]) for v in due] == [
        (visited.number, "completed", workdays.add_working_days(DAY, 5).isoformat())]


def test_a_visit_not_reached_stays_due_and_counts_the_try(store):
    case = _accepted(store)
    store.transition(case.uuid, "complete", now=NOW)
    feedback.record_visit(store, case.uuid, "completed", reached=False, notes="无人接听", now=NOW)
    assert feedback.due_visits(store, DAY)[0]["tries"] == 1
    with pytest.raises(ValidationError, match="是否满意"):
        feedback.record_visit(store, case.uuid, "completed", reached=True)
    feedback.record_visit(store, case.uuid, "completed", reached=True, satisfied=True, now=NOW)
    assert feedback.due_visits(store, DAY) == []
    assert [v.reached for v in store.load(case.uuid).visits] == [False, True]
    with pytest.raises(ValidationError, match="没有待办"):
        feedback.record_visit(store, case.uuid, "completed", reached=True, satisfied=True)


def test_a_failed_write_leaves_nothing_half_changed(store):
    case = _accepted(store)

    def refuse(*_args):
        raise OSError("audit write refused")

    store.audit = refuse
    with pytest.raises(OSError):
        feedback.rate(store, case.uuid, "dissatisfied", reasons=["slow"], now=NOW)
    assert store.load(case.uuid).ratings == []
    assert store.db.execute("SELECT count(*) FROM ratings").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM return_visits").fetchone()[0] == 0
    assert _revisions(store, case.uuid) == [1]


def test_a_draft_cannot_be_rated(store):
    from desktop.domain.case import Case

    draft = Case(service=3)
    store.save_draft(draft)
    with pytest.raises(ValidationError, match="受理后"):
        feedback.rate(store, draft.uuid, "satisfied")


def test_cases_closed_before_the_upgrade_are_not_suddenly_due(store):
    old, new = _accepted(store, 3, seed=1), _accepted(store, 3, seed=2)
    store.transition(old.uuid, "complete", now=NOW)
    # as migration 0012 leaves a desk that already had a timeline: read up to its newest entry
    store.db.execute("UPDATE visit_scan SET last_event = (SELECT max(id) FROM events)")
    store.transition(new.uuid, "complete", now=NOW)
    assert [v["number"] for v in feedback.due_visits(store, DAY)] == [new.number]
    assert [v["number"] for v in feedback.due_visits(store, DAY)] == [new.number]  # read again: the same, once
