"""A case from acceptance to 办结 through a real hub on loopback: rated (差评), rectified, return-visited, and
every step on the hub in the case's payload, byte for byte what the desk holds."""

from __future__ import annotations

import datetime as dt
import random

from desktop.protocol import schema as syncschema
from desktop.storage import feedback
from desktop.sync import state as syncstate
from hub import cases as hub_cases
from tests.hub.deskside import hub_cases as hub_rows, new_case


def _on_hub(hub, uuid: str) -> dict:
    return hub_rows(hub.engine)[uuid]["payload"]


def test_rated_rectified_and_visited_case_reaches_the_hub(store, hub, engine):
    uuid = new_case(store, random.Random(19), service=3)
    feedback.rate(store, uuid, "very_dissatisfied", reasons=["runs"], note="跑了三趟", actor="lixiaolan")
    assert engine.sync_now().sent == 1  # offline-first: the rating waited in the outbox like any change
    rated = _on_hub(hub, uuid)["ratings"]
    assert [(r["level"], r["reasons"], r["rectify_due"] is not None) for r in rated] == [
        ("very_dissatisfied", ["runs"], True)]

    hub_cases.set_status(hub.engine, store.load(uuid).number, "已办结", department="县民政局")
    engine.sync_now()
    assert store.load(uuid).state == "completed"
    today = dt.date.today()
    assert sorted(v["reason"] for v in feedback.due_visits(store, today)) == ["bad_rating", "completed"]

    feedback.rectify(store, uuid, 1, "已核实：材料清单不清，已修订办事指南", actor="zhangli")
    feedback.record_visit(store, uuid, "bad_rating", reached=True, satisfied=True, notes="已电话回访", actor="zhangli")
    feedback.record_visit(store, uuid, "completed", reached=True, satisfied=True, actor="lixiaolan")
    assert feedback.due_visits(store, today) == [] and feedback.open_rectifications(store, today) == []
    engine.sync_now()
    assert syncstate.counts(store.db)["pending"] == 0
    on_hub = _on_hub(hub, uuid)
    assert syncschema.payload_hash(on_hub) == syncschema.payload_hash(store.load(uuid).to_dict())
    assert on_hub["ratings"][0]["rectified_by"] == "zhangli"
    assert [(v["reason"], v["reached"], v["satisfied"]) for v in on_hub["visits"]] == [
        ("bad_rating", True, True), ("completed", True, True)]
