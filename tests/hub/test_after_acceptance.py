"""One case through a real hub process, as the hall lives it: accepted → 公示 (a department's 公示中) → 办结 (a
department's status) → rated by the citizen on the hub's page → 回访 recorded → nothing left open. After each
step the desk syncs and shows it; the citizen's page shows it too."""

from __future__ import annotations

import datetime as dt
import random

import httpx
import pytest

from desktop.storage import feedback, publicity
from desktop.sync import engine as sync
from tests.hub.deskside import new_case, open_store
from tests.hub.servers import HubProcess


@pytest.fixture
def hall(tmp_path, hub_db_url):
    # on SQLite and PostgreSQL (tests/hub/conftest.py): the citizen pages' and ratings' tables on both
    hub = HubProcess(tmp_path / "hub", db_url=hub_db_url).start()
    store = open_store(tmp_path / "desk")
    try:
        added = hub.hub_cli("device", "add", "W03", "--office", "演示县政务服务中心")
        sync.connect(store, hub.url, added.stdout.split("登记码：")[1].split("（")[0])
        yield hub, store, sync.SyncEngine(store, rng=random.Random(5))
    finally:
        store.close()
        hub.stop()


def _status(hub, number: str, state: str, *extra: str) -> None:
    done = hub.hub_cli("status", "set", number, state, "--department", "县民政局", *extra)
    assert done.returncode == 0, done.stderr


def test_accepted_publicised_completed_rated_visited_and_closed(hall):
    hub, store, engine = hall
    uuid = new_case(store, random.Random(1919), service=13)
    case = store.load(uuid)
    page = f"{hub.url}/p/{case.public_code}"
    assert engine.sync_now().sent == 1 and "已受理" in httpx.get(page).text

    _status(hub, case.number, "公示中", "--note", "幸福村村务公开栏")
    engine.sync_now()
    case = store.load(uuid)
    assert case.publicity.place == "幸福村村务公开栏" and case.publicity.days == 7
    assert any(e["kind"] == "publicity_started" and e["actor"] == "县民政局" for e in store.events(uuid))
    engine.sync_now()  # the 公示 went back to the hub as the case's next revision
    assert "公示中" in httpx.get(page).text
    publicity.end(store, uuid, actor="测试")  # 公示期满无异议, recorded by the clerk

    _status(hub, case.number, "已办结")
    engine.sync_now()
    assert store.load(uuid).state == "completed"
    engine.sync_now()
    assert "已办结" in httpx.get(page).text and "公示已结束" in httpx.get(page).text

    rated = httpx.post(page + "/rate", data={"level": "very_satisfied"})
    assert "评价已提交" in rated.text
    engine.sync_now()
    [rating] = store.load(uuid).ratings
    assert (rating.level, rating.channel, rating.rectify_due) == ("very_satisfied", "qr", None)

    later = dt.date.today() + dt.timedelta(days=60)
    [due] = feedback.due_visits(store, later)
    assert (due["reason"], due["overdue"]) == ("completed", True)  # 办结回访, overdue if nobody calls
    feedback.record_visit(store, uuid, "completed", reached=True, satisfied=True, notes="电话回访", actor="测试")
    engine.sync_now()
    closed = store.load(uuid)
    assert closed.state == "completed" and feedback.due_visits(store, later) == []
    assert feedback.open_rectifications(store, later) == [] and closed.publicity.ended_at
    assert [v.reason for v in closed.visits] == ["completed"]
    assert engine.sync_now().sent == 0 and "您已评价" in httpx.get(page).text
