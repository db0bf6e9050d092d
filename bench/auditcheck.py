"""The audit check at login: from the checkpoint vs the full walk, at 1,000 and 100,000 entries.

The login check (desktop/storage/auditverify.py, `check(db)`) must not grow with the trail; the full walk
(`check(db, full=True)`, in the background after login) does. Baseline in the same run: opening the same
database and reading its newest entry. Printed as ratios to that baseline.
Budget (issue 16): the login check at 100,000 entries within a small factor of the one at 1,000.

    .venv/bin/python bench/auditcheck.py [--sizes 1000,100000] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.protocol.auditchain import GENESIS, canonical, row_hash
from desktop.storage import audit
from desktop.storage.db import open_db


def fill(db, n: int) -> None:
    """n chained entries in one transaction, as audit.append would write them (without its per-call cost)."""
    prev = GENESIS
    with db.atomic():
        for i in range(n):
            row = {"at": "2026-11-27T09:00:00+08:00", "device": "439901-W03", "username": "lixiaolan",
                   "action": "case.event", "case_uuid": None, "detail": canonical({"kind": "printed", "n": i})}
            row["prev_hash"], row["hash"] = prev, row_hash(prev, row)
            db.execute("INSERT INTO audit (at, device, username, action, case_uuid, detail, prev_hash, hash) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(row.values()))
            prev = row["hash"]


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(n: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp))
        fill(db, n)
        assert audit.check(db, full=True).broken is None
        base = timed(lambda: db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone(), rounds)
        login = timed(lambda: audit.check(db), rounds)
        full = timed(lambda: audit.check(db, full=True), max(1, rounds // 5))
        db.close()
    return {"base": base, "login": login, "full": full}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    results = {int(n): measure(int(n), args.rounds) for n in args.sizes.split(",")}
    for n, r in results.items():
        print(f"{n:>7} entries: login check {r['login'] * 1000:7.2f} ms, full walk {r['full'] * 1000:8.1f} ms, "
              f"newest-entry read {r['base'] * 1000:6.3f} ms")
    small, large = results[min(results)], results[max(results)]
    print(f"login check {max(results)} vs {min(results)} entries: {large['login'] / small['login']:.2f}×; "
          f"full walk: {large['full'] / small['full']:.1f}×; login/full at {max(results)}: "
          f"{large['login'] / large['full']:.4f}")


if __name__ == "__main__":
    main()
