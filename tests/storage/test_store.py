"""The case store on real SQLite files: acceptance, numbering, outbox, transitions, drafts, search."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from desktop.domain import workdays
from desktop.domain.case import Case, MaterialState, Person
from desktop.domain.errors import StoreError, ValidationError
from desktop.intake import demo, supplement
from desktop.storage import settings
from desktop.storage.db import open_db
from desktop.storage.instance import InstanceLock
from desktop.storage.store import Store

DAY = dt.date(2026, 11, 27)  # a Friday
NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()


def _ready(store: Store, number: int, seed: int = 1, *, missing: int = 0) -> Case:
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY)
    demo.receive_all(service, case, leave_missing=missing)
    return case


def _outbox(store: Store) -> list[dict]:
    return list(store.db.query("SELECT case_uuid, revision, state FROM outbox ORDER BY id"))


@pytest.mark.parametrize("number", range(1, 21))
def test_every_service_can_be_accepted(store, number):
    case = store.accept(_ready(store, number, seed=number), actor="李晓兰", now=NOW)
    assert case.state == "accepted"
    assert case.number == "439901-W03-20261127-0001"
    assert case.items and all(i.status == "accepted" for i in case.items)
    again = store.load(case.number)
    assert again.to_dict() == case.to_dict()
    assert _outbox(store) == [{"case_uuid": case.uuid, "revision": 1, "state": "pending"}]


def test_numbers_are_sequential_per_window_and_day(store):
    numbers = [store.accept(_ready(store, 3, seed=s), now=NOW).number for s in range(3)]
    assert numbers == [f"439901-W03-20261127-{n:04d}" for n in (1, 2, 3)]
    nextday = store.accept(_ready(store, 3, seed=9), now=NOW + dt.timedelta(days=3))
    assert nextday.number == "439901-W03-20261130-0001"


def test_due_date_counts_working_days_from_acceptance(store):
    case = store.accept(_ready(store, 3), now=NOW)
    limit = store.catalog.service(3).working_days
    assert case.items[0].due_date == workdays.add_working_days(DAY, limit).isoformat()


def test_missing_required_material_means_pending_materials(store):
    case = store.accept(_ready(store, 3, missing=1), now=NOW)
    assert case.state == "pending_materials"
    assert case.missing and case.items[0].due_date is None
    assert case.notice_deadline == workdays.add_working_days(DAY, 5).isoformat()
    case = supplement.receive(store, case.uuid, {m: ("original", 1) for m in case.missing}, actor="李晓兰",
                              now=NOW + dt.timedelta(days=3))
    assert case.state == "accepted" and case.missing == [] and case.items[0].due_date
    assert [r["revision"] for r in _outbox(store)] == [1, 2]


def test_invalid_case_is_refused_with_nothing_written(store):
    case = _ready(store, 3)
    case.applicant.id_number = case.applicant.id_number[:-1] + ("0" if case.applicant.id_number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        store.accept(case, now=NOW)
    assert err.value.field == "applicant.id_number" and "校验码" in err.value.message
    assert store.rows() == [] and _outbox(store) == []


def test_ineligible_case_needs_a_reason_which_is_recorded(store):
    case = _ready(store, 3)
    case.answers["has_disability_card"] = True
    with pytest.raises(ValidationError, match="理由") as err:
        store.accept(case, now=NOW)
    assert err.value.field == "ineligible_reason"
    case.ineligible_reason = "申请人持旧版证件，需换发，窗口先行受理"
    accepted = store.accept(case, now=NOW)
    assert store.load(accepted.uuid).ineligible_reason.startswith("申请人持旧版")
    assert store.events(accepted.uuid)[0]["detail"]["ineligible_reason"] is True


def test_minor_needs_a_guardian(store):
    case = _ready(store, 10)  # 康复救助: children
    assert case.guardian is not None
    case.guardian = None
    with pytest.raises(ValidationError) as err:
        store.accept(case, now=NOW)
    assert err.value.field == "guardian.name"


def test_method_must_be_one_the_catalog_allows(store):
    case = _ready(store, 18)
    case.method = "网上办"
    with pytest.raises(ValidationError, match="上门办") as err:
        store.accept(case, now=NOW)
    assert err.value.field == "method"


def test_proxy_needs_a_signed_mandate(store):
    case = _ready(store, 3)
    case.applied_by, case.proxy_kind, case.proxy = "proxy", "village_agent", Person(name="罗德明")
    case.mandate_signed = False
    with pytest.raises(ValidationError) as err:
        store.accept(case, now=NOW)
    assert err.value.field == "mandate_signed"


def test_numbering_settings_are_required(data_dir, catalog):
    store = Store.open(data_dir, catalog)
    with pytest.raises(ValidationError, match="区划代码"):
        store.accept(_ready(store, 3), now=NOW)
    store.close()


def test_suspend_and_resume_move_the_due_date(store):
    case = store.accept(_ready(store, 3), now=NOW)
    due = dt.date.fromisoformat(case.items[0].due_date)
    with pytest.raises(ValidationError, match="原因"):
        store.transition(case.uuid, "suspend", now=NOW)
    store.transition(case.uuid, "suspend", reason="等待评残医院排期", now=NOW + dt.timedelta(days=3))
    resumed = store.transition(case.uuid, "resume", now=NOW + dt.timedelta(days=10))
    paused = workdays.working_days_between(DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=10))
    assert resumed.state == "accepted"
    assert resumed.items[0].due_date == workdays.add_working_days(due, paused).isoformat()


def test_transitions_are_checked_in_one_place(store):
    case = store.accept(_ready(store, 3), now=NOW)
    with pytest.raises(ValidationError, match="不能"):
        store.transition(case.uuid, "start", now=NOW)
    for action in ("submit", "start", "complete"):
        case = store.transition(case.uuid, action, actor="周文斌", now=NOW)
    assert case.state == "completed" and case.revision == 4
    with pytest.raises(ValidationError):
        store.transition(case.uuid, "terminate", reason="x", now=NOW)
    assert [e["kind"] for e in store.events(case.uuid)] == ["accepted", "submit", "start", "complete"]


def test_drafts_save_on_every_edit_and_resume(store, data_dir, catalog):
    case = Case(service=7)
    case.applicant.name = "单德发"
    case.page = 1
    store.save_draft(case)
    case.applicant.phone = "13800001111"
    store.save_draft(case)
    store.close()
    reopened = Store.open(data_dir, catalog)
    draft = reopened.load(case.uuid)
    assert (draft.applicant.name, draft.applicant.phone, draft.page) == ("单德发", "13800001111", 1)
    assert reopened.outbox_pending() == 0, "drafts stay on the device"
    reopened.discard_draft(case.uuid)
    assert reopened.drafts() == []
    reopened.close()


def test_linked_services_become_linked_drafts_sharing_applicant_and_materials(store):
    case = _ready(store, 3, seed=4)
    case.answers["disability_grade"] = 1
    case.linked_services = [6, 7]
    accepted = store.accept(case, now=NOW)
    children = [store.load(u) for u in accepted.linked_cases]
    assert [c.service for c in children] == [6, 7]
    for child in children:
        assert child.state == "draft" and child.linked_from == accepted.uuid
        assert child.applicant == accepted.applicant
        assert "id_card" in child.materials


def test_search_by_name_initials_with_special_readings_id_tail_phone_and_number(store):
    case = _ready(store, 3)
    case.applicant.name = "单德发"
    case.applicant.phone = "13812345678"
    accepted = store.accept(case, now=NOW)
    for query in ("单德", "sdf", "ddf", "cdf", accepted.applicant.id_number[-4:], "5678", "138123",
                  accepted.number, accepted.number[:10]):
        hits = [r["uuid"] for r in store.search(query)]
        assert accepted.uuid in hits, query
    assert store.search("zzz") == []


def test_second_instance_is_refused_and_a_crash_frees_the_lock(data_dir):
    data_dir.mkdir(parents=True)
    with InstanceLock(data_dir), pytest.raises(StoreError, match="另一个工作台"):
        InstanceLock(data_dir).acquire()
    InstanceLock(data_dir).acquire().release()


def test_the_lock_creates_a_first_runs_data_dir_and_names_an_unwritable_one(tmp_path):
    fresh = tmp_path / "新 机器" / "数据"
    InstanceLock(fresh).acquire().release()
    assert fresh.is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="数据目录不可写"):
        InstanceLock(blocker / "sub").acquire()


def test_unwritable_data_dir_is_refused_with_its_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="数据目录不可写"):
        open_db(blocker / "sub")


def test_damaged_database_is_refused_clearly(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "desk.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="损坏"):
        open_db(data_dir)


def test_settings_are_checked(store):
    with pytest.raises(ValidationError, match="区划代码"):
        settings.set_value(store.db, "county_code", "12345")
    with pytest.raises(ValidationError, match="没有名为"):
        settings.set_value(store.db, "nope", "1")


def test_material_states_round_trip(store):
    case = _ready(store, 13)
    case.materials["id_card"] = MaterialState(received="copy", count=3, note="全家成员")
    accepted = store.accept(case, now=NOW)
    assert store.load(accepted.uuid).materials["id_card"] == MaterialState("copy", 3, "全家成员")
