"""Encryption at rest: store writes, search and start with an encrypted data dir, as ratios against the same
plain in one run (DESIGN.md §7: ≤ 1.3× for writes and search; start within the desk's start budget).

Two data dirs made the same way, one converted with storage/encrypt.py; rounds alternate between them so
machine noise falls on both.   python bench/crypto.py [--cases N] [--writes N] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import fill, median_ms  # the search bench's generator (this runs as a script from bench/)

from desktop.accounts.staff import Accounts
from desktop.intake import demo
from desktop.storage import crypto, encrypt, settings
from desktop.storage.store import Store

PASSWORD = "benchpass1"
START = """
import sys
from pathlib import Path
from desktop.accounts.staff import Accounts
from desktop.storage import crypto
from desktop.storage.store import Store
if crypto.is_encrypted(Path(sys.argv[1])):
    crypto.unlock_password(Path(sys.argv[1]), "admin", sys.argv[2])
store = Store.open(Path(sys.argv[1]))
Accounts(store.db).login("admin", sys.argv[2])
"""


def make(data: Path, cases: int, encrypted: bool) -> None:
    store = Store.open(data)
    for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", "演示县")):
        settings.set_value(store.db, key, value)
    Accounts(store.db).create_admin("admin", "黄建华", PASSWORD)
    fill(store, cases, random.Random(1))
    store.close()
    if encrypted:
        encrypt.convert(data, "admin", PASSWORD)


def write_seconds(store: Store, n: int, seed: int) -> float:
    """n cases accepted as the wizard does (case, timeline, outbox, audit in one transaction each)."""
    rng, service = random.Random(seed), store.catalog.service(3)
    made = []
    for _ in range(n):
        case = demo.eligible_case(service, store.catalog, rng, dt.date(2026, 11, 27))
        demo.receive_all(service, case)
        made.append(case)
    start = time.perf_counter()
    for case in made:
        store.accept(case, actor="admin")
    return time.perf_counter() - start


def start_seconds(data: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", START, str(data), PASSWORD], check=True, capture_output=True,
                   env=dict(os.environ))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {"plain": Path(tmp) / "plain", "encrypted": Path(tmp) / "encrypted"}
        for kind, data in dirs.items():
            make(data, args.cases, kind == "encrypted")
        stores = {kind: Store.open(data) for kind, data in dirs.items()}
        samples = fill(Store.open(Path(tmp) / "samples"), args.cases, random.Random(1))
        writes: dict[str, list[float]] = {k: [] for k in dirs}
        search: dict[str, list[float]] = {k: [] for k in dirs}
        starts: dict[str, list[float]] = {k: [] for k in dirs}
        for run in range(args.runs):
            for kind, store in stores.items():
                writes[kind].append(write_seconds(store, args.writes // args.runs, run))
                starts[kind].append(start_seconds(dirs[kind]))
        for run in range(args.runs + 1):  # the first round warms each connection's page cache, and is dropped
            for kind, store in stores.items():
                ms = median_ms(lambda s, st=store: [st.search(s[k]) for k in ("name", "initials", "tail", "phone")],
                               samples)
                search[kind] += [ms] if run else []
        for store in stores.values():
            store.close()
        crypto._unlocked.clear()
    print(f"{args.cases} cases, {args.writes} accepted cases per kind, {args.runs} rounds")
    for label, table, budget in (("writes", writes, "≤ 1.3"), ("search", search, "≤ 1.3"), ("start", starts, "")):
        p, e = statistics.median(table["plain"]), statistics.median(table["encrypted"])
        unit = "ms" if label == "search" else "s"
        print(f"{label:<7} plain {p:8.3f} {unit}   encrypted {e:8.3f} {unit}   ratio {e / p:5.2f}  {budget}")


if __name__ == "__main__":
    main()
