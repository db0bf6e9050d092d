"""GET /v1/ledger on SQLite and PostgreSQL: the office's cases of a date range, masked, with later statuses."""

from __future__ import annotations

import base64

from sqlalchemy import select

from desktop.domain.idnumber import mask_id
from hub import cases as hub_cases, supervisors as hub_supervisors
from hub.db import personal_exports
from tests.hub.conftest import enroll, sample_case

OFFICE = "演示县政务服务中心"


def put(hub, headers, seed: int, *, day: str = "20261127", hour: int = 9, revision: int = 1, base: int = 0,
        state: str = "accepted", case=None):
    case = case or sample_case(seed)
    case.number = f"439901-W03-{day}-{seed:04d}"
    case.accepted_at = f"{day[:4]}-{day[4:6]}-{day[6:]}T{hour:02d}:00:00+08:00"
    case.state, case.revision = state, revision
    answer = hub.put(f"/v1/cases/{case.uuid}", headers=headers,
                     json={"revision": revision, "base_revision": base, "payload": case.to_dict()})
    assert answer.status_code == 200, answer.text
    return case


def supervisor(hub, name: str, office: str, secret: str | None = None) -> dict[str, str]:
    """A supervisor added on the hub; the header the desk sends for them (with `secret` instead, if given)."""
    real = hub_supervisors.add(hub.engine, name, office)
    return {"X-Hub-Supervisor": base64.b64encode(f"{name}:{secret or real}".encode()).decode()}


def ledger(hub, headers, date_from="2026-11-27", date_to="2026-11-27", **params):
    return hub.get("/v1/ledger", headers=headers, params={"date_from": date_from, "date_to": date_to, **params})


def test_the_office_cases_of_the_range_masked_and_nothing_of_other_offices(hub):
    mine, theirs = enroll(hub, "W03", OFFICE), enroll(hub, "X01", "另一个县政务服务中心")
    a, b = put(hub, mine, 1, hour=10), put(hub, mine, 2, hour=9)
    put(hub, mine, 3, day="20261126")
    put(hub, theirs, 4)
    data = ledger(hub, mine).json()
    assert data["ok"] and data["office"] == OFFICE
    assert [c["number"] for c in data["cases"]] == [b.number, a.number]  # in order of acceptance
    row = data["cases"][1]
    assert row["id_number"] == mask_id(a.applicant.id_number) and row["applicant_name"] == a.applicant.name
    assert (row["service"], row["state"], row["revision"], row["device"], row["statuses"]) == (3, "accepted", 1, "W03", [])
    assert row["items"] == [i for i in a.to_dict()["items"]] and row["window"] == a.window
    wide = ledger(hub, mine, "2026-11-26", "2026-11-27").json()
    assert len(wide["cases"]) == 3
    assert ledger(hub, mine, personal=1).json()["error"]["code"] == "supervisor_required"
    full = ledger(hub, mine | supervisor(hub, "zhangli", OFFICE), personal=1).json()
    assert {c["id_number"] for c in full["cases"]} == {a.applicant.id_number, b.applicant.id_number}
    assert [d["device"] for d in data["devices"]] == ["W03"]


def test_statuses_published_after_the_latest_revision_come_with_the_case(hub):
    headers = enroll(hub)
    case = put(hub, headers, 5)
    hub_cases.set_status(hub.engine, case.number, "已办结", department="县残联")
    row = ledger(hub, headers).json()["cases"][0]
    assert [(s["state"], s["item"]) for s in row["statuses"]] == [("completed", "")]
    put(hub, headers, 5, revision=2, base=1, state="completed", case=case)  # the desk's next revision carries it
    assert ledger(hub, headers).json()["cases"][0]["statuses"] == []


def test_refusals_are_envelopes(hub):
    assert ledger(hub, {}).status_code == 401
    headers = enroll(hub)
    for date_from, date_to in (("2026-11-31", "2026-12-01"), ("2026-11-27", "2026-11-01"), ("2025-01-01", "2026-11-27")):
        answer = ledger(hub, headers, date_from, date_to)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_range"
        assert not answer.json()["ok"]


def test_full_id_numbers_need_a_supervisor_of_this_office_and_are_recorded_on_the_hub(hub):
    mine = enroll(hub, "W03", OFFICE)
    case = put(hub, mine, 1)
    refused = ledger(hub, mine, personal=1)
    assert refused.status_code == 403 and case.applicant.id_number not in refused.text
    wrong = supervisor(hub, "zhangli", OFFICE, secret="guessed")
    other = supervisor(hub, "wangfang", "另一个县政务服务中心")
    for headers in (wrong, other, {"X-Hub-Supervisor": "not base64!"}, {"X-Hub-Supervisor": ""}):
        answer = ledger(hub, mine | headers, personal=1)
        assert answer.status_code == 403 and answer.json()["error"]["code"] in {"supervisor_refused",
                                                                             "supervisor_required"}
        assert case.applicant.id_number not in answer.text
    hub_supervisors.add(hub.engine, "liming", OFFICE)
    hub_supervisors.disable(hub.engine, "liming")
    disabled = {"X-Hub-Supervisor": base64.b64encode(b"liming:x").decode()}
    assert ledger(hub, mine | disabled, personal=1).status_code == 403
    with hub.engine.connect() as conn:
        assert conn.execute(select(personal_exports)).all() == []
    boss = supervisor(hub, "chenjing", OFFICE)
    full = ledger(hub, mine | boss, personal=1).json()
    assert [c["id_number"] for c in full["cases"]] == [case.applicant.id_number]
    masked = ledger(hub, mine | boss).json()  # the credential alone unmasks nothing
    assert [c["id_number"] for c in masked["cases"]] == [mask_id(case.applicant.id_number)]
    with hub.engine.connect() as conn:
        rows = conn.execute(select(personal_exports)).all()
    assert [(r.supervisor, r.date_from, r.date_to, r.rows) for r in rows] == [("chenjing", "2026-11-27", "2026-11-27", 1)]
