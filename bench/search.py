"""Search latency over 100,000 cases (name, pinyin initials, ID tail, phone, case number).

Rows are written straight into the store's tables with the store's own key function (accepting 100,000
cases through the wizard path would take minutes). Prints medians in ms and each as a ratio against a
primary-key lookup in the same database. Budget (DESIGN.md §7): < 50 ms.   python bench/search.py [--cases N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from desktop.intake import demo
from desktop.storage import searchkeys
from desktop.storage.store import Store

SURNAMES = "王李张刘陈杨黄赵周吴曾单解谭彭罗蒋唐邓欧阳"
GIVEN = "秀英建国桂兰德发玉梅志强冬生春花小军淑芬国庆美玲明华红霞"


def fill(store: Store, count: int, rng: random.Random) -> list[dict]:
    rows, keys, samples = [], [], []
    for n in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
        id_number = demo.make_id(rng, demo.dt.date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)))
        phone = f"13{rng.randrange(10**9):09d}"
        number = f"439901-W{n % 7:02d}-2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{n:04d}"
        u = str(uuid.uuid4())
        rows.append((u, number, rng.randint(1, 20), "accepted", 1, "2026-01-01", "2026-01-01", name, id_number,
                     phone, json.dumps({})))
        keys += [(k, u) for k in searchkeys.keys_for(name, id_number, phone, number)]
        if n % (count // 50) == 0:
            samples.append({"name": name[:2], "initials": searchkeys.initials(name)[0], "tail": id_number[-4:],
                            "phone": phone[-4:], "number": number, "uuid": u})
    with store.db.atomic():
        store.db.conn.executemany(
            "INSERT INTO cases (uuid, number, service, state, revision, created_at, updated_at, applicant_name,"
            " id_number, phone, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        store.db.conn.executemany("INSERT OR IGNORE INTO case_keys (key, case_uuid) VALUES (?, ?)", keys)
    return samples


def median_ms(fn, queries: list) -> float:
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "data")
        samples = fill(store, args.cases, random.Random(1))
        base = median_ms(lambda s: store.db.execute("SELECT payload FROM cases WHERE uuid = ?", [s["uuid"]]).fetchone(),
                         samples)
        print(f"{args.cases} cases; primary-key lookup baseline {base:.3f} ms")
        for kind in ("name", "initials", "tail", "phone", "number"):
            ms = median_ms(lambda s, k=kind: store.search(s[k]), samples)
            print(f"search by {kind:<8} median {ms:6.2f} ms   ratio {ms / base:7.1f}   (budget < 50 ms)")
        store.close()


if __name__ == "__main__":
    main()
