"""公示 as data: which services have one (the catalog), how its days count, what the stage says."""

from __future__ import annotations

import datetime as dt

from desktop.domain import publicity
from desktop.domain.publicity import Publicity


def test_only_dibao_tekun_and_the_disability_subsidies_have_a_publicity_period(catalog):
    found = {n: (s.time_limit["publicity_days"], s.time_limit.get("publicity_working"))
             for n, s in catalog.services.items() if s.time_limit.get("publicity_days")}
    assert found == {7: (5, True), 13: (7, False), 14: (7, False)}  # 公示5个工作日 [S4]; 公示7天 [S26][S27]


def test_calendar_days_count_weekends_and_working_days_skip_them():
    friday = dt.date(2026, 11, 27)
    assert publicity.period_end(friday, 7, working=False) == dt.date(2026, 12, 3)
    assert publicity.period_end(friday, 5, working=True) == dt.date(2026, 12, 3)  # Fri, Mon–Thu
    assert publicity.period_end(dt.date(2026, 11, 28), 5, working=True) == dt.date(2026, 12, 4)  # starts Monday
    p = Publicity(start="2026-11-27", end="2026-12-03", days=5, working=True)
    assert publicity.days_counted(p, dt.date(2026, 11, 30)) == 2 and publicity.days_counted(p, dt.date(2027, 1, 1)) == 5


def test_the_stage_in_words_before_during_after_and_ended():
    p = Publicity(start="2026-12-01", end="2026-12-07", days=7, place="幸福村村务公开栏")
    assert publicity.stage(None, dt.date(2026, 12, 1)) == ""
    assert publicity.stage(p, dt.date(2026, 11, 30)).startswith("待公示")
    assert "已公示3天" in publicity.stage(p, dt.date(2026, 12, 3)) and "幸福村村务公开栏" in publicity.stage(p, dt.date(2026, 12, 3))
    p.objections = ["邻居反映有经营收入"]
    assert publicity.stage(p, dt.date(2026, 12, 8)).startswith("公示期满，待审批") and "异议1件" in publicity.stage(p, dt.date(2026, 12, 8))
    assert "邻居" not in publicity.stage(p, dt.date(2026, 12, 8))  # what was said stays off the citizen's page
    p.ended_at, p.result = "2026-12-08T10:00:00+08:00", "objection_unfounded"
    assert publicity.stage(p, dt.date(2026, 12, 8)).endswith("异议经核实不成立")
