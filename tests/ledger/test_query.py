"""The ledger's rows and totals against the cases themselves, for a generated month; filters; overdue; sync."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections import Counter

import pytest

from desktop.accounts.staff import Accounts
from desktop.domain.case import APPLIED_BY, PROXY_KINDS, STATES
from desktop.domain.errors import ValidationError
from desktop.domain.idnumber import mask_id
from desktop.ledger import query as ledger
from desktop.storage.store import Store
from tests import ledgerdata
from tests.ledgerdata import END, START, TODAY

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures


def cases_between(store: Store, start: dt.date, end: dt.date):
    cases = [store.load(r["uuid"]) for r in store.rows("state != 'draft'")]
    return [c for c in cases if start.isoformat() <= c.accepted_at[:10] <= end.isoformat()]


def overdue(case, today: dt.date) -> bool:
    if case.state in ("completed", "terminated", "suspended"):
        return False
    return any(i.due_date and i.status not in ("completed", "terminated") and dt.date.fromisoformat(i.due_date) < today
               for i in case.items)


def test_rows_and_totals_match_the_cases_of_a_generated_month(month):
    today = dt.date(2027, 1, 15)  # late enough for some open cases to be overdue
    result = ledger.query(month, ledger.Filters(START, END), today=today)
    cases = {c.number: c for c in cases_between(month, START, END)}
    names = Accounts(month.db).names()
    assert len(cases) > 40 and [r.number for r in result.rows] == sorted(cases, key=lambda n: cases[n].accepted_at)
    assert [r.serial for r in result.rows] == list(range(1, len(cases) + 1))
    for row in result.rows:
        c = cases[row.number]
        service = month.catalog.service(c.service)
        assert (row.applicant, row.id_number) == (c.applicant.name, mask_id(c.applicant.id_number))
        assert (row.group, row.service_name, row.method) == (service.group, service.name, c.method)
        assert row.items == tuple(i.name for i in c.items) and row.state == c.state
        assert row.applied_by == c.applied_by and row.materials_complete == (not c.missing)
        if c.applied_by == "proxy":
            assert row.applied_by_text == f"代办：{c.proxy.name}（{PROXY_KINDS[c.proxy_kind]}）"
        assert row.overdue == overdue(c, today)
        assert row.clerk == names.get(c.clerk, c.clerk) and row.clerk in names.values()
        assert (row.window, row.township, row.village) == ("W03", c.applicant.township, c.applicant.village)
        assert row.sync == "pending"  # no hub: every accepted revision waits in the outbox
    t = result.totals
    assert t.cases == len(cases) and t.overdue == sum(overdue(c, today) for c in cases.values()) > 0
    assert dict(t.by_state) == {STATES[s]: n for s, n in Counter(c.state for c in cases.values()).items()}
    assert dict(t.by_method) == Counter(c.method for c in cases.values())
    assert dict(t.by_group) == Counter(month.catalog.service(c.service).group for c in cases.values())
    assert dict(t.by_applied) == {APPLIED_BY[k]: n for k, n in Counter(c.applied_by for c in cases.values()).items()}
    by_service = Counter(c.service for c in cases.values())
    assert dict(t.by_service) == {f"{n}. {month.catalog.service(n).name}": by_service[n] for n in by_service}
    assert t.unsynced == t.cases and t.pending_materials == sum(bool(c.missing) for c in cases.values())
    assert result.source == "local" and result.source_label == "仅本机" and result.warning is None


def test_a_day_is_its_own_cases_in_order_of_acceptance(month):
    day = dt.date(2026, 11, 18)
    result = ledger.query(month, ledger.Filters(day, day), today=TODAY)
    expected = sorted(cases_between(month, day, day), key=lambda c: c.accepted_at)
    assert [r.number for r in result.rows] == [c.number for c in expected] and len(expected) == 3
    assert all(r.number.split("-")[2] == "20261118" for r in result.rows)


def test_the_range_is_read_from_the_stored_rows_by_their_date_index_in_order(month):
    for parts in (ledger._MASKED, ledger._FULL):
        sql = ledger._SQL.format(more="", **parts)
        plan = month.db.execute("EXPLAIN QUERY PLAN " + sql, ["2026-11-01", "2026-11-02"]).fetchall()
        assert any("ledger_rows_accepted" in row[-1] for row in plan), plan
        assert not any("TEMP B-TREE" in row[-1] for row in plan), plan  # the index gives the order: no sort
        assert "payload" not in sql and "json" not in sql


@pytest.mark.parametrize("field", ["window", "clerk", "clerk_username", "township", "village", "service",
                                   "state", "state_label", "overdue_only"])
def test_each_filter_narrows_to_exactly_the_matching_cases(month, field):
    today = dt.date(2027, 1, 15)
    everything = ledger.query(month, ledger.Filters(START, END), today=today).rows
    sample = next(r for r in everything if r.overdue) if field == "overdue_only" else everything[7]
    value, match = {
        "window": ("W03", lambda r: r.window == "W03"),
        "clerk": (sample.clerk, lambda r: r.clerk == sample.clerk),
        "clerk_username": ({v: k for k, v in Accounts(month.db).names().items()}[sample.clerk],
                           lambda r: r.clerk == sample.clerk),
        "township": (sample.township, lambda r: r.township == sample.township),
        "village": (sample.village, lambda r: r.village == sample.village),
        "service": (sample.service, lambda r: r.service == sample.service),
        "state": (sample.state, lambda r: r.state == sample.state),
        "state_label": (sample.state_label, lambda r: r.state == sample.state),
        "overdue_only": (True, lambda r: r.overdue),
    }[field]
    key = {"clerk_username": "clerk", "state_label": "state"}.get(field, field)
    result = ledger.query(month, dataclasses.replace(ledger.Filters(START, END), **{key: value}), today=today)
    assert [r.number for r in result.rows] == [r.number for r in everything if match(r)]
    assert result.rows and [r.serial for r in result.rows] == list(range(1, len(result.rows) + 1))
    assert result.totals.cases == len(result.rows)
    other = ledger.query(month, dataclasses.replace(ledger.Filters(START, END), window="L99"), today=today)
    assert other.rows == [] and other.totals.cases == 0


@pytest.mark.parametrize(("filters", "field"), [
    (ledger.Filters(END, START), "date_to"),
    (ledger.Filters(dt.date(2025, 1, 1), END), "date_to"),
    (ledger.Filters(START, END, service=21), "service"),
    (ledger.Filters(START, END, state="办完了"), "state"),
    (ledger.Filters(START, END, state="草稿"), "state"),
])
def test_bad_filters_are_refused_naming_the_field(store, filters, field):
    with pytest.raises(ValidationError) as caught:
        ledger.query(store, filters)
    assert caught.value.field == field and caught.value.message


def test_rows_made_without_init_are_the_dataclass_rows(month):
    rows = ledger.query(month, ledger.Filters(START, END), today=TODAY).rows
    assert any(r.received for r in rows) and any(not r.materials_complete for r in rows)
    for row in rows:
        fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(ledger.LedgerRow)}
        made = ledger.LedgerRow(**fields)
        assert vars(row) == vars(made) and row == made and hash(row) == hash(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].applicant = "x"  # type: ignore[misc]


def test_the_collector_pauses_for_a_ledger_and_resumes_after_it_even_on_error(month):
    seen = []
    real = ledger._query

    def spy(*args, **kw):
        seen.append(gc.isenabled())
        return real(*args, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger, "_query", spy)
        result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
        with pytest.raises(ValidationError):
            ledger.query(month, ledger.Filters(END, START))
    assert seen == [False, False] and gc.isenabled() and result.rows
    gc.disable()
    try:  # a caller that had paused it itself keeps it paused
        ledger.query(month, ledger.Filters(START, START), today=TODAY)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overdue_counts_open_items_only_and_not_while_suspended():
    today = dt.date(2026, 12, 1)
    items = [{"due_date": "2026-11-20", "status": "completed"}, {"due_date": "2026-11-25", "status": "submitted"},
             {"due_date": "2026-12-10", "status": "submitted"}]
    assert ledger.due_and_overdue("submitted", items, today) == ("2026-11-25", True)
    assert ledger.due_and_overdue("suspended", items, today) == ("2026-12-10", False)
    assert ledger.due_and_overdue("completed", items, today) == ("2026-12-10", False)
    assert ledger.due_and_overdue("submitted", items, dt.date(2026, 11, 25)) == ("2026-11-25", False)
    assert ledger.due_and_overdue("pending_materials", [{"due_date": None, "status": "pending_materials"}],
                                  today) == (None, False)


def test_sync_state_comes_from_the_newest_outbox_row(month):
    rows = ledger.query(month, ledger.Filters(START, END), today=TODAY).rows
    picks = {"acked": rows[0], "conflict": rows[1], "rejected": rows[2]}
    with month.db.atomic():
        for state, row in picks.items():
            outbox_id = month.db.execute("SELECT max(id) FROM outbox WHERE case_uuid = ?", [row.uuid]).fetchone()[0]
            month.db.execute("UPDATE outbox SET state = ? WHERE id = ?", [state, outbox_id])
            if state == "rejected":
                month.db.execute("INSERT INTO sync_items (outbox_id, status, at, resolved_at) VALUES (?, 422, ?, ?)",
                                 [outbox_id, "2026-11-28", "2026-11-28"])
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    states = {r.uuid: r.sync for r in result.rows}
    assert [states[r.uuid] for r in picks.values()] == ["synced", "conflict", "reviewed"]
    assert result.totals.unsynced == len(rows) - 1
    assert {r.sync_label for r in result.rows} >= {"已同步", "冲突待处理", "拒收（已查看）", "待上传"}


def test_the_result_travels_as_json(month):
    import json

    result = ledger.query(month, ledger.Filters(START, START), today=TODAY)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["source"] == "local" and data["filters"]["date_from"] == "2026-11-02"
    assert data["rows"][0]["number"] == result.rows[0].number and "materials_text" in data["rows"][0]
    assert data["totals"]["cases"] == len(result.rows)
    assert all("*" in r["id_number"] for r in data["rows"])
