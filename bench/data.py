"""Bench data: a desk data dir of N realistic cases (1k / 10k / 100k), built once and cached on disk.

About 130 cases are made exactly as the desk makes them (desktop.intake.demo: the demo staff and settings, eligible
applicants for every service, proxies, missing materials, state changes, the audit chain). Those are the
templates: the rest are clones with a fresh person (name, ID number, phone, village), number and dates, spread
over two years of working days up to today, each with its timeline, outbox rows (nothing sent: the worst case,
a desk never connected) and audit entries chained as `audit.append` chains them. Cloning writes the tables
directly in one transaction: accepting 100,000 cases through `Store.accept` would take an hour.

    python bench/data.py 100000          # prints the data dir (cached under $BENCH_CACHE or ~/.cache)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import random
import shutil
import sqlite3
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.domain import workdays
from desktop.intake import demo
from desktop.protocol.auditchain import GENESIS, canonical, row_hash
from desktop.storage import ledgerrows, searchkeys
from desktop.storage.migrations import MIGRATIONS
from desktop.storage.store import Store

VERSION = 1  # bump when the generated shape changes, so stale caches are rebuilt
YEARS = 2
ACTIONS = {"accepted": "case.create"}  # every other timeline kind is a transition


def cache_root() -> Path:
    return Path(os.environ.get("BENCH_CACHE") or Path.home() / ".cache" / "yijianshi-bench")


def data_dir(count: int) -> Path:
    """The cached data dir of `count` cases, built on first use, with this tree's migrations applied."""
    target = cache_root() / f"cases-{count}-v{VERSION}"
    if not (target / "desk.sqlite").exists():
        build(count, target)
    return migrated(target)


def migrated(source: Path) -> Path:
    """`source` if it has every migration of this tree; else a copy of it beside it, named after the newest
    migration, migrated (made once, then reused). The cache is shared by trees at different migrations: one
    migrated in place would no longer open in a tree without that migration, or migrate twice once renumbered.
    Migrations are applied here, not inside a measurement."""
    with contextlib.closing(sqlite3.connect(f"file:{source / 'desk.sqlite'}?mode=ro", uri=True)) as conn:
        if not MIGRATIONS.pending(conn):
            return source
    target = source.with_name(f"{source.name}-{MIGRATIONS.steps[-1][0]}")
    if not (target / "desk.sqlite").exists():
        partial = target.with_name(target.name + ".part")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(source, partial, ignore=shutil.ignore_patterns("desk.sqlite*", "desk.lock"))
        with (contextlib.closing(sqlite3.connect(f"file:{source / 'desk.sqlite'}?mode=ro", uri=True)) as src,
              contextlib.closing(sqlite3.connect(partial / "desk.sqlite")) as dst):
            src.backup(dst)  # a consistent copy, whatever is still in the source's WAL
        Store.open(partial).close()
        partial.rename(target)
    Store.open(target).close()
    return target


def build(count: int, target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    store = Store.open(partial)
    try:
        demo.fill(store, days=30)
        templates = _templates(store)
        made = store.db.execute("SELECT count(*) FROM cases").fetchone()[0]
        _clone(store, templates, max(0, count - made), random.Random(count))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def _templates(store: Store) -> list[dict]:
    rows = list(store.db.query("SELECT uuid, payload FROM cases WHERE state != 'draft'"))
    for row in rows:
        row["case"] = json.loads(row["payload"])
        row["events"] = list(store.db.query("SELECT at, kind, actor, detail FROM events WHERE case_uuid = ? "
                                            "ORDER BY id", [row["uuid"]]))
    return rows


def _days(today: dt.date) -> list[dt.date]:
    start = today - dt.timedelta(days=365 * YEARS)
    days = [start + dt.timedelta(days=n) for n in range((today - start).days)]
    return [d for d in days if workdays.is_workday(d)]  # before the demo's own 30 days, so numbers never clash


def _clone(store: Store, templates: list[dict], count: int, rng: random.Random) -> None:
    today = dt.date.today() - dt.timedelta(days=31)
    days = _days(today)
    chain = _Chain(store)
    sequences: dict[str, int] = {}
    with store.db.atomic():
        for n in range(count):
            day = days[n * len(days) // max(count, 1)]
            template = rng.choice(templates)
            case, events = _person(template, day, rng)
            head = f"{case['county_code']}-{case['window']}-{day:%Y%m%d}"
            sequences[head] = sequences.get(head, 0) + 1
            case["number"] = f"{head}-{sequences[head]:04d}"
            _write(store, case, events, chain)
        store.db.conn.executemany("INSERT INTO sequences (prefix, last) VALUES (?, ?) ON CONFLICT(prefix) "
                                  "DO UPDATE SET last = max(last, excluded.last)", list(sequences.items()))
        chain.flush()


def _person(template: dict, day: dt.date, rng: random.Random) -> tuple[dict, list[dict]]:
    """The template's case for a new person on `day`: every date moved by the same number of days."""
    case = json.loads(template["payload"])
    shift = day - dt.date.fromisoformat(case["accepted_at"][:10])
    person = case["applicant"]
    birth = dt.date(int(person["id_number"][6:10]), int(person["id_number"][10:12]), int(person["id_number"][12:14]))
    town = rng.choice(demo.TOWNSHIPS)
    person.update(name=rng.choice(demo.SURNAMES) + rng.choice(demo.GIVEN), id_number=demo.make_id(rng, birth),
                  phone=f"13{rng.randrange(10**9):09d}", township=town["name"], village=rng.choice(town["villages"]))
    case["uuid"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    case["accepted_at"] = _moved(case["accepted_at"], shift)
    case["application_date"] = day.isoformat()
    case["linked_cases"] = []
    for item in case.get("items", []):
        item["due_date"] = item.get("due_date") and _moved(item["due_date"], shift)
    events = [{**e, "at": _moved(e["at"], shift)} for e in template["events"] if e["kind"] != "created_linked"]
    return case, events


def _moved(stamp: str, shift: dt.timedelta) -> str:
    if len(stamp) == 10:
        return (dt.date.fromisoformat(stamp) + shift).isoformat()
    return (dt.datetime.fromisoformat(stamp) + shift).isoformat()


@functools.lru_cache(maxsize=4096)
def _name_keys(name: str) -> frozenset[str]:
    return frozenset(searchkeys.keys_for(name, "", "", None))  # pinyin once per distinct name


def _write(store: Store, case: dict, events: list[dict], chain: _Chain) -> None:
    person = case["applicant"]
    due = max((i["due_date"] for i in case.get("items", []) if i.get("due_date")), default=None)
    updated = events[-1]["at"]
    store.db.execute(
        "INSERT INTO cases (uuid, number, service, state, revision, created_at, updated_at, accepted_at, accepted_date,"
        " due_date, applicant_name, id_number, phone, township, village, clerk, window, linked_from, page, payload)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [case["uuid"], case["number"], case["service"], case["state"], case["revision"], case["accepted_at"], updated,
         case["accepted_at"], case["accepted_at"][:10], due, person["name"], person["id_number"], person["phone"],
         person["township"], person["village"], case["clerk"], case["window"], None, case.get("page", 0),
         json.dumps(case, ensure_ascii=False, sort_keys=True)])
    ledgerrows.write(store.db, case, updated)  # as Store._write does
    keys = _name_keys(person["name"]) | searchkeys.keys_for("", person["id_number"], person["phone"], case["number"])
    store.db.conn.executemany("INSERT INTO case_keys (key, case_uuid) VALUES (?, ?)",
                              [(k, case["uuid"]) for k in sorted(keys)])
    for e in events:
        if e["kind"] == "accepted":
            e["detail"] = json.dumps(json.loads(e["detail"]) | {"number": case["number"]}, ensure_ascii=False)
    store.db.conn.executemany("INSERT INTO events (case_uuid, at, kind, actor, detail) VALUES (?,?,?,?,?)",
                              [(case["uuid"], e["at"], e["kind"], e["actor"], e["detail"]) for e in events])
    store.db.conn.executemany("INSERT INTO outbox (case_uuid, revision, created_at) VALUES (?, ?, ?)",
                              [(case["uuid"], r + 1, events[min(r, len(events) - 1)]["at"])
                               for r in range(case["revision"])])
    for e in events:
        detail = {"service": case["service"], "state": case["state"], "number": case["number"]} \
            if e["kind"] == "accepted" else {"action": e["kind"], "state": json.loads(e["detail"]).get("state")}
        chain.add(e["at"], e["actor"], ACTIONS.get(e["kind"], "case.transition"), case["uuid"], detail)


class _Chain:
    """Audit entries appended after the demo's own, hashed as desktop/storage/audit.py hashes them."""

    def __init__(self, store: Store):
        self.db = store.db
        last = self.db.execute("SELECT hash, device FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        self.prev, self.device = (last[0], last[1]) if last else (GENESIS, "439901-W03")
        self.rows: list[tuple] = []

    def add(self, at: str, username: str, action: str, case_uuid: str, detail: dict) -> None:
        row = {"at": at, "device": self.device, "username": username, "action": action, "case_uuid": case_uuid,
               "detail": canonical(detail)}
        digest = row_hash(self.prev, row)
        self.rows.append((*row.values(), self.prev, digest))
        self.prev = digest
        if len(self.rows) >= 10_000:
            self.flush()

    def flush(self) -> None:
        self.db.conn.executemany("INSERT INTO audit (at, device, username, action, case_uuid, detail, prev_hash, hash)"
                                 " VALUES (?,?,?,?,?,?,?,?)", self.rows)
        self.rows = []


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["1000"]:
        print(data_dir(int(arg)))
