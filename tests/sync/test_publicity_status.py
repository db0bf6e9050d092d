"""A department's 公示中 status from the hub: it starts the 公示 of a service that has one, and is a visible
conflict (nothing changed) for a service that has none."""

from __future__ import annotations

import random

from hub import cases as hub_cases
from tests.hub.deskside import new_case


def _told_publicity(store, hub, engine, *made: tuple[int, int]) -> list:
    """Cases made from (seed, service), synced, then told 公示中 by the department at the hub: the cases as they
    were before that status reached the desk."""
    cases = [store.load(new_case(store, random.Random(seed), service=service)) for seed, service in made]
    engine.sync_now()
    for case in cases:
        hub_cases.set_status(hub.engine, case.number, "公示", note="城关镇公示栏", department="县民政局")
    engine.sync_now()
    return cases


def test_publicity_status_starts_the_publicity_or_is_a_visible_conflict(store, hub, engine):
    dibao, card = _told_publicity(store, hub, engine, (13, 13), (3, 3))
    started = store.load(dibao.uuid)
    assert started.publicity.place == "城关镇公示栏" and started.state == "accepted"
    assert started.items[0].due_date > dibao.items[0].due_date
    untouched = store.load(card.uuid)
    assert untouched.publicity is None and untouched.revision == card.revision
    [conflict] = [e for e in store.events(card.uuid) if e["kind"] == "hub_status_conflict"]
    assert "没有公示期" in conflict["detail"]["reason"]


def test_completion_from_the_department_ends_a_running_publicity_unless_objections_wait_for_a_result(
        store, hub, engine):
    from desktop.storage import publicity

    quiet, disputed = _told_publicity(store, hub, engine, (31, 13), (32, 13))
    publicity.objection(store, disputed.uuid, "邻居反映家中有车辆")
    engine.sync_now()
    for case in (quiet, disputed):
        hub_cases.set_status(hub.engine, case.number, "已办结", department="县民政局")
    engine.sync_now()
    done = store.load(quiet.uuid)
    assert done.state == "completed" and done.publicity.ended_at and done.publicity.result == "no_objection"
    assert [e["detail"]["by"] for e in store.events(quiet.uuid) if e["kind"] == "publicity_ended"] == ["department"]
    held = store.load(disputed.uuid)
    assert held.state != "completed" and not held.publicity.ended_at
    [conflict] = [e for e in store.events(disputed.uuid) if e["kind"] == "hub_status_conflict"]
    assert "异议尚未登记处理结果" in conflict["detail"]["reason"]
