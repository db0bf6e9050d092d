"""好差评 totals per clerk and service, from real ratings in a real store."""

from __future__ import annotations

import datetime as dt
import random

from desktop.intake import demo
from desktop.ledger import ratings
from desktop.storage import feedback

DAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()


def _case(store, number: int, clerk: str, seed: int):
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY)
    demo.receive_all(service, case)
    case.clerk = clerk
    return store.accept(case, now=NOW)


def test_totals_per_clerk_and_service(store):
    levels = {("李晓兰", 3): ["very_satisfied", "satisfied", "dissatisfied"], ("周文斌", 3): ["very_dissatisfied"],
              ("李晓兰", 9): ["basically_satisfied"]}
    seed = 0
    for (clerk, number), given in levels.items():
        for level in given:
            seed += 1
            case = _case(store, number, clerk, seed)
            feedback.rate(store, case.uuid, level, reasons=["waiting"] if level in ("dissatisfied",
                                                                                    "very_dissatisfied") else [], now=NOW)
            if clerk == "周文斌":
                feedback.rectify(store, case.uuid, 1, "已整改", now=NOW)
    rows = {(r.clerk, r.service): r for r in ratings.totals(store, DAY, DAY, today=DAY + dt.timedelta(days=60))}
    assert set(rows) == set(levels)
    li = rows[("李晓兰", 3)]
    assert (li.count, li.bad, li.open, li.overdue, li.rectified) == (3, 1, 1, 1, 0)
    assert round(li.satisfaction, 3) == 0.667
    zhou = rows[("周文斌", 3)]
    assert (zhou.bad, zhou.rectified, zhou.open, zhou.satisfaction) == (1, 1, 0, 0.0)
    assert rows[("李晓兰", 9)].levels["basically_satisfied"] == 1 and rows[("李晓兰", 9)].satisfaction == 1.0
    assert ratings.totals(store, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)) == []
