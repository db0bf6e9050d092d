"""回访 and 整改 lists at 1k / 10k / 100k cases: the list a supervisor opens, against the store's list of the 50
most recently changed cases in the same run (a ratio, never a timed test). The first read catches up on the
whole timeline (a desk whose visit_scan starts at 0: the worst case, once); later reads see only new entries.

    python bench/ratings.py 10000
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data
from desktop.storage import feedback
from desktop.storage.store import Store


def timed(fn, rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(count: int) -> int:
    work = Path(tempfile.mkdtemp()) / "desk"
    shutil.copytree(data.data_dir(count), work)
    store = Store.open(work)
    try:
        completed = store.db.execute("SELECT count(*) FROM cases WHERE state = 'completed'").fetchone()[0]
        start = time.perf_counter()
        due = feedback.due_visits(store)
        first = (time.perf_counter() - start) * 1000
        base = timed(lambda: store.rows("state != 'draft'", limit=50))
        visits = timed(lambda: (feedback.due_visits(store, limit=500), feedback.visit_counts(store)))  # as the page reads
        rectify = timed(lambda: feedback.open_rectifications(store))
        print(f"{count} cases, {completed} completed, {len(due)} visits due")
        print(f"first read (due visits made): {first:.1f} ms")
        print(f"50 recent cases: {base:.1f} ms; 回访 list {visits:.1f} ms ({visits / base:.1f}×); "
              f"整改 list {rectify:.1f} ms ({rectify / base:.1f}×)")
    finally:
        store.close()
        shutil.rmtree(work.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
