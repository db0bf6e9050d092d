"""A generated month of cases for the ledger tests, made the way the desk makes them (explicit times)."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from desktop.domain import catalog as catalog_mod, workdays
from desktop.intake import demo, supplement
from desktop.storage import settings
from desktop.storage.store import Store

START = dt.date(2026, 11, 2)
DAYS = 26  # 2026-11-02 … 2026-11-27
END = dt.date(2026, 11, 27)
TODAY = dt.date(2026, 11, 28)
CLERKS = ["lixiaolan", "zhouwenbin", "chenxuemei"]
SETTINGS = {"county_code": "439901", "window_code": "W03", "office": "演示县政务服务中心"}


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute)).astimezone()


def make_month(store: Store, *, per_day: int = 3, seed: int = 11) -> list[str]:
    """Cases over the working days of November 2026 (demo staff on the device); returns their UUIDs.

    Half the cases name their clerk by display name (as the wizard does), half leave it to the acceptance,
    which records the username: the ledger must show a display name either way. Some are by proxy, some
    lack a material, and older ones move on (submitted, in progress, completed, suspended, terminated)."""
    demo.demo_staff(store.db)
    rng = random.Random(seed)
    uuids = []
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        if not workdays.is_workday(day):
            continue
        for n in range(per_day):
            uuids.append(_one(store, rng, day, n))
    return uuids


def _one(store: Store, rng: random.Random, day: dt.date, n: int) -> str:
    service = store.catalog.service(rng.randint(1, 20))
    case = demo.eligible_case(service, store.catalog, rng, day)
    demo.receive_all(service, case, leave_missing=1 if rng.random() < 0.2 else 0)
    username = rng.choice(CLERKS)
    case.clerk = demo.STAFF[[s[0] for s in demo.STAFF].index(username)][1] if n % 2 else ""
    when = at(day, 8 + n * 2, rng.randint(0, 59))
    case = store.accept(case, actor=username, now=when)
    for action in _later(rng, (TODAY - day).days, case.state):
        when += dt.timedelta(days=rng.randint(1, 2))
        if when.date() >= TODAY:
            break
        if action == "materials_received":  # the missing materials arrive, recorded per material
            missing = {m: ("original", 1) for m in store.load(case.uuid).missing}
            supplement.receive(store, case.uuid, missing, actor=username, now=when)
            continue
        store.transition(case.uuid, action, actor=username, now=when, reason="测试：等待核查")
    return case.uuid


def _later(rng: random.Random, age: int, state: str) -> list[str]:
    if state == "pending_materials":
        return ["materials_received"] if age > 6 and rng.random() < 0.6 else []
    steps = ["submit", "start", "complete"][: min(3, rng.randint(0, 3) + age // 20)]
    roll = rng.random()
    if roll < 0.08 and steps[-1:] != ["complete"]:
        steps.append("suspend")
    elif roll < 0.14 and steps[-1:] != ["complete"]:
        steps.append("terminate")
    return steps


@pytest.fixture(scope="module")
def month_dir(tmp_path_factory) -> Path:
    """A data dir holding a generated month (built once; each test works on its own copy)."""
    path = tmp_path_factory.mktemp("ledger") / "month"
    store = Store.open(path, catalog_mod.load())
    for key, value in SETTINGS.items():
        settings.set_value(store.db, key, value)
    make_month(store)
    store.close()
    return path


@pytest.fixture
def month(month_dir: Path, tmp_path: Path):
    path = tmp_path / "台账 数据"
    shutil.copytree(month_dir, path)
    store = Store.open(path, catalog_mod.load())
    yield store
    store.close()
