"""A village agent's search filters by area inside the query, not after the 50-row limit."""

from __future__ import annotations

import datetime as dt
import random

from desktop.accounts.roles import Area, Session
from desktop.intake import demo

AGENT = Session("luodeming", "罗德明", "village_agent", Area("白水乡", ("白水村",)))


def draft(store, seed: int, township: str, village: str, uuid: str = ""):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), dt.date.today())
    case.applicant.name, case.applicant.township, case.applicant.village = "王秀英", township, village
    case.uuid = uuid or case.uuid
    store.save_draft(case)
    return case


def test_the_agents_own_case_is_found_behind_sixty_others(qtbot, store, main_window):
    # the agent's case sorts last among the keys and is the oldest: a limit applied before the area drops it
    mine = draft(store, 99, "白水乡", "白水村", uuid="ffffffff-ffff-4fff-bfff-ffffffffffff")
    draft(store, 98, "白水乡", "青山村")  # the agent's township, not one of their villages
    for seed in range(60):
        draft(store, seed, "城关镇", "东门社区")
    assert mine.uuid not in [r["uuid"] for r in store.search("王秀英")]  # the plain search's 50 rows miss it
    assert [r["uuid"] for r in store.search("王秀英", township="白水乡", villages=("白水村",))] == [mine.uuid]
    window = main_window(AGENT)
    window.home.search.setText("王秀英")
    with qtbot.waitSignal(window.home.searched):
        window.home.run_search()
    model = window.home.search_model
    assert [model.uuid_at(r) for r in range(model.rowCount())] == [mine.uuid]
    assert window.home.search_info.text() == "找到 1 件"
