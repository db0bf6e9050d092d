"""The supervisor's queries at county scale: a hub database with N cases (default 500,000) over a year,
30 devices of one office; times `devices/summary` and the ledger (a day, a month) on SQLite, and on
PostgreSQL too when HUB_BENCH_PG_URL names an empty database. The cases are inserted as an older hub held them
(no ledger rows), so the start-up back-fill of the stored ledger rows (hub/ledgerrows.py) is timed as well. Budget (DESIGN.md §7): < 200 ms each.

    .venv/bin/python bench/sync.py --queries 500000
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

OFFICE, DEVICES = "演示县政务服务中心", 30
BUDGET_MS = 200.0


def payload(n: int, day: dt.date, rng: random.Random) -> tuple[str, dict]:
    number = f"439901-W{n % DEVICES:02d}-{day:%Y%m%d}-{n // DEVICES:05d}"  # unique: (device, sequence) is n
    return number, {"uuid": "", "number": number, "service": rng.randint(1, 20), "state": "accepted",
                    "accepted_at": f"{day.isoformat()}T09:30:00+08:00", "revision": 1, "clerk": "测试",
                    "window": f"W{n % DEVICES:02d}", "method": "window", "applied_by": "self",
                    "applicant": {"name": "张三", "id_number": "430102199001011234", "township": "白水乡",
                                  "village": "白水村"}, "items": [{"key": "a", "code": "x", "name": "事项", "status": "accepted"}]}


def fill(engine, count: int) -> None:
    from hub.db import cases, devices, utcnow

    rng, start = random.Random(1), dt.date(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(devices.insert(), [{"name": f"W{i:02d}", "office": OFFICE, "created_at": utcnow()}
                                        for i in range(DEVICES)])
        ids = [r.id for r in conn.execute(devices.select().order_by(devices.c.id))]
        for low in range(0, count, 20_000):
            rows = []
            for n in range(low, min(count, low + 20_000)):
                day = start + dt.timedelta(days=n * 365 // count)
                number, data = payload(n, day, rng)
                rows.append({"uuid": str(uuid.UUID(int=n)), "office": OFFICE, "device_id": ids[n % DEVICES],
                             "number": number, "accepted_on": f"{day:%Y%m%d}", "revision": 1, "payload_hash": "0" * 64,
                             "payload": json.dumps(data, ensure_ascii=False), "received_at": day.isoformat(),
                             "updated_at": f"{day.isoformat()}T10:00:00"})
            conn.execute(cases.insert(), rows)


def timed(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        at = time.perf_counter()
        fn()
        times.append((time.perf_counter() - at) * 1000)
    return statistics.median(times)


def measure(url: str, count: int) -> dict[str, float]:
    from hub import devices, ledger, ledgerrows
    from hub.db import open_engine

    engine = open_engine(url)
    at = time.perf_counter()
    fill(engine, count)
    engine.dispose()
    engine = open_engine(url)  # as a restarted hub: the devices' counters computed once (hub/db.py _upgrade)
    print(f"  filled {count} cases in {time.perf_counter() - at:.0f} s", flush=True)
    at = time.perf_counter()
    rows = ledgerrows.backfill(engine)  # as the hub does before serving (hub/app.py): the stored ledger rows
    print(f"  ledger rows back-filled for {rows} cases in {time.perf_counter() - at:.0f} s", flush=True)
    day, month = dt.date(2026, 6, 15), (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    out = {"devices/summary": timed(lambda: devices.summary(engine, OFFICE)),
           "ledger, one day": timed(lambda: ledger.office_cases(engine, OFFICE, day, day, personal=False)),
           "ledger, one month": timed(lambda: ledger.office_cases(engine, OFFICE, *month, personal=False), 3)}
    engine.dispose()
    return out


def main(count: int) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-hubscale-"))
    backends = {"SQLite": f"sqlite:///{tmp / 'hub.sqlite'}"}
    if os.environ.get("HUB_BENCH_PG_URL"):
        from hub.config import normalize_url

        backends["PostgreSQL"] = normalize_url(os.environ["HUB_BENCH_PG_URL"])
    worst = 0.0
    for name, url in backends.items():
        print(f"{name}: {count} cases, {DEVICES} devices", flush=True)
        for query, ms in measure(url, count).items():
            print(f"  {query:18s} {ms:8.1f} ms  (budget < {BUDGET_MS:.0f} ms)")
            worst = max(worst, ms if query != "ledger, one month" else 0.0)
    __import__("shutil").rmtree(tmp, ignore_errors=True)
    return 0 if worst < BUDGET_MS else 1
