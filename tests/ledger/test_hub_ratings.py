"""Hub-wide 好差评 totals: two desks of one office and one of another sync their ratings to a real hub; the
ledger of either desk of the office counts both desks (and says so), never the other office; the hub's
command line gives the county's. If the hub cannot answer, the ledger says so and counts this desk's."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys

import pytest

from desktop.ledger import query as ledger
from desktop.storage import feedback, settings
from desktop.sync import engine as sync
from hub.config import HubConfig
from tests.hub.conftest import hub_db_url  # noqa: F401  (the fixture: SQLite, and PostgreSQL in CI)
from tests.hub.servers import ThreadedHub
from tests.ledger.test_hub import desk

TODAY = dt.date.today()


@pytest.fixture
def hub(tmp_path, hub_db_url):  # noqa: F811
    config = HubConfig(data_dir=tmp_path / "hub", db_url=hub_db_url)
    with ThreadedHub(config) as server:
        server.db_url = config.db_url
        yield server


def _rate(store, seed: int, level: str) -> None:
    from tests.hub.deskside import new_case

    uuid = new_case(store, random.Random(seed), service=3)
    feedback.rate(store, uuid, level, reasons=["waiting"] if level in ("dissatisfied", "very_dissatisfied") else [])


def test_hub_wide_ratings_in_the_ledger_and_the_countys_on_the_hub(tmp_path, hub):
    a, b = desk(tmp_path / "a", "W03", hub), desk(tmp_path / "b", "L12", hub)
    other = desk(tmp_path / "c", "W01", hub)
    settings.set_value(other.db, "office", "另一镇便民服务中心")
    try:
        _rate(a, 1, "very_satisfied")
        _rate(b, 2, "very_dissatisfied")
        _rate(b, 3, "satisfied")
        for store in (a, b):
            sync.SyncEngine(store, rng=random.Random(1)).sync_now()
        from hub import devices

        other_engine = sync.SyncEngine(other, rng=random.Random(2))
        sync.connect(other, hub.url, devices.add(hub.engine, "W01-镇", "另一镇便民服务中心", 1))
        _rate(other, 4, "dissatisfied")
        other_engine.sync_now()

        result = ledger.query(a, ledger.Filters(TODAY, TODAY))
        assert result.ratings_source == "hub" and result.source == "hub"
        [row] = result.ratings  # new_case's clerk is the actor 测试 on both desks
        assert (row.count, row.bad, row.open, row.levels["very_satisfied"]) == (3, 1, 1, 1)
        local = ledger.query(a, ledger.Filters(TODAY, TODAY), hub="local")
        assert [r.count for r in local.ratings] == [1] and local.ratings_source == "local"

        county = subprocess.run([sys.executable, "-m", "hub", "ratings", "--from", TODAY.isoformat(), "--json",
                                 "--db", hub.db_url, "--data-dir", str(tmp_path / "hub")],
                                capture_output=True, text=True, encoding="utf-8", timeout=60)
        assert county.returncode == 0, county.stderr
        by_office = {r["office"]: sum(r["levels"].values()) for r in json.loads(county.stdout)}
        assert by_office == {"演示县政务服务中心": 3, "另一镇便民服务中心": 1}

        hub.server.should_exit = True
        hub.thread.join(10)
        down = ledger.query(a, ledger.Filters(TODAY, TODAY))
        assert down.ratings_source == "local" and [r.count for r in down.ratings] == [1]
        assert "仅为本机" in (down.warning or "")
    finally:
        for store in (a, b, other):
            store.close()
