"""One rule for 超期: the home list, the case view and the ledger agree, case by case."""

from __future__ import annotations

import datetime as dt
import random

from desktop.domain import overdue
from desktop.intake import demo
from desktop.ledger import query
from desktop.ui.caseview import _overdue as caseview_item_overdue
from desktop.ui.models import CaseTableModel

TODAY = dt.date(2026, 12, 1)


def test_the_rule():
    items = [{"due_date": "2026-11-20", "status": "completed"}, {"due_date": "2026-11-25", "status": "accepted"},
             {"due_date": "2026-12-09", "status": "accepted"}]
    assert overdue.case_due_date(items, "in_progress") == "2026-11-25"  # the nearest still open, not the latest
    assert overdue.case_due_date(items, "suspended") == "2026-12-09"  # the clock stopped: the latest
    assert overdue.is_overdue("in_progress", "2026-11-25", TODAY)
    assert not overdue.is_overdue("suspended", "2026-11-25", TODAY)  # the clock stops
    assert not overdue.is_overdue("completed", "2026-11-25", TODAY)
    assert not overdue.is_overdue("accepted", "2026-12-01", TODAY)  # due today is not yet late
    assert overdue.case_due_date([{"due_date": "2026-11-20", "status": "completed"}], "accepted") == "2026-11-20"
    assert not overdue.item_overdue("accepted", "completed", "2026-11-20", TODAY)


def test_home_case_view_and_ledger_agree(qapp, store, monkeypatch):
    service = store.catalog.service(7)  # three items
    case = demo.eligible_case(service, store.catalog, random.Random(5), TODAY)
    demo.receive_all(service, case)
    case = store.accept(case, now=dt.datetime(2026, 10, 1, 9).astimezone())
    assert len(case.items) >= 2
    model = CaseTableModel(store.catalog)
    model.today = TODAY.isoformat()
    monkeypatch.setattr("desktop.ui.caseview.dt.date", type("D", (dt.date,), {"today": staticmethod(lambda: TODAY)}))
    for state in ("accepted", "submitted", "in_progress", "suspended", "completed", "pending_materials"):
        loaded = store.load(case.uuid)
        loaded.items[0].due_date, loaded.items[-1].due_date = "2026-11-20", "2026-12-20"
        loaded.state = state
        store.apply_remote(loaded, "test", {})
        row = store.rows("uuid = ?", [case.uuid])[0]
        due, ledger = query.due_and_overdue(state, [vars(i) for i in loaded.items], TODAY)
        view = caseview_item_overdue({"status": loaded.items[0].status, "due_date": "2026-11-20"}, state)
        assert row["due_date"] == due == ("2026-12-20" if state in ("suspended", "completed") else "2026-11-20"), state
        assert model._overdue(row) == ledger == view == (state != "suspended" and state != "completed"), state


def test_old_cases_get_the_decisive_due_date_on_upgrade(store, data_dir):
    from desktop.storage.db import open_db

    service = store.catalog.service(7)
    case = demo.eligible_case(service, store.catalog, random.Random(6), TODAY)
    demo.receive_all(service, case)
    case = store.accept(case, now=dt.datetime(2026, 10, 1, 9).astimezone())
    right = store.rows("uuid = ?", [case.uuid])[0]["due_date"]
    store.db.execute("UPDATE cases SET due_date = '2099-01-01'")  # as the old rule might have stored it
    store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_due_date_one_rule'")
    db = open_db(data_dir)
    assert db.execute("SELECT due_date FROM cases").fetchone()[0] == right
    db.close()
