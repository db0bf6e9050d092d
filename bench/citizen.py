"""The citizen's progress page and the hub-wide rating totals at county scale: a hub database with N cases
(each with a code, one in three rated), the page for one code and a day's /v1/ratings, each against
GET /v1/hello in the same run (a ratio, never a timed test). The page allowance is lifted for the run.

    python bench/citizen.py --sizes 10000,100000
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.common import arguments, load
from bench.hubscale import fill

BUDGET = 3.0  # a page may cost a few hellos: one indexed lookup, one payload parsed, HTML written


def median_ms(client: httpx.Client, path: str, runs: int = 60, **params) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assert client.get(path, params=params).status_code == 200, path
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def prepare(engine) -> None:
    """A code for every case and rating rows for one in three (as the hub keeps them at write time)."""
    from hub.db import case_codes, cases, rating_rows

    with engine.begin() as conn:
        rows = conn.execute(cases.select().with_only_columns(cases.c.uuid, cases.c.office, cases.c.accepted_on)).all()
        conn.execute(case_codes.insert(), [{"code": f"code{n:018d}xyz", "case_uuid": r.uuid} for n, r in enumerate(rows)])
        day = lambda r: f"{r.accepted_on[:4]}-{r.accepted_on[4:6]}-{r.accepted_on[6:]}"  # noqa: E731
        conn.execute(rating_rows.insert(), [
            {"case_uuid": r.uuid, "seq": 1, "office": r.office, "clerk": "测试", "service": 3, "level": "satisfied",
             "rated_day": day(r)} for n, r in enumerate(rows) if n % 3 == 0])


def run(count: int) -> None:
    from hub import devices, limits
    from hub.config import HubConfig
    from tests.hub.servers import ThreadedHub

    with tempfile.TemporaryDirectory() as tmp:
        config = HubConfig(data_dir=Path(tmp), db_url=f"sqlite:///{tmp}/hub.sqlite")
        with ThreadedHub(config) as hub:
            fill(hub.engine, count)
            prepare(hub.engine)
            hub.app.state.limits.pages = limits.Window(10**9, 60)
            code = devices.add(hub.engine, "bench", "演示县政务服务中心", 1)
            enrolled = httpx.post(f"{hub.url}/v1/enroll", json={"code": code}).json()["token"]
            with httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {enrolled}"}) as client:
                hello = median_ms(client, "/v1/hello")
                page = median_ms(client, f"/p/code{count // 2:018d}xyz")
                print(f"{count:>7} cases  progress page {page:6.1f} ms / hello {hello:5.1f} ms  ratio {page / hello:4.2f}"
                      f"  (budget ≤ {BUDGET})")
                day = dt.date(2026, 6, 1).isoformat()
                totals = median_ms(client, "/v1/ratings", runs=20, date_from=day, date_to=day)
                month = median_ms(client, "/v1/ratings", runs=5, date_from="2026-06-01", date_to="2026-06-30")
                print(f"{'':>7}        /v1/ratings a day {totals:6.1f} ms (ratio {totals / hello:4.2f}), "
                      f"a month {month:6.1f} ms (ratio {month / hello:4.2f})")


def main() -> int:
    args = arguments(sizes=(10_000, 100_000))
    print(load())
    for count in args.sizes:
        run(count)
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
