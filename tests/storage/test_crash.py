"""Kill the process at random points while it saves: nothing that returned is lost, nothing is half-written.

The child counts SQL statements and SIGKILLs itself at a random one (so kills land inside transactions,
between a case row and its outbox row), or the parent kills it after a random number of saves.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX; Windows kill tests are in docs/decisions.md")

CHILD = textwrap.dedent(
    """
    import datetime as dt, os, random, signal, sys
    from pathlib import Path
    from desktop.intake import demo
    from desktop.storage import settings
    from desktop.storage.store import Store

    data_dir, seed, kill_at = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    store = Store.open(data_dir)
    settings.set_value(store.db, "county_code", "439901")
    settings.set_value(store.db, "window_code", "W03")
    count = 0
    def trace(statement):
        global count
        count += 1
        if kill_at and count >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    store.db.conn.set_trace_callback(trace)
    rng = random.Random(seed)
    print("READY", flush=True)
    day = dt.date(2026, 11, 27)
    while True:
        service = store.catalog.service(rng.randint(1, 20))
        case = demo.eligible_case(service, store.catalog, rng, day)
        case.page = 1
        store.save_draft(case)
        print("DRAFT", case.uuid, flush=True)
        demo.receive_all(service, case, leave_missing=rng.random() < 0.3)
        case = store.accept(case, actor="crash-test")
        print("ACCEPTED", case.uuid, case.number, flush=True)
        if rng.random() < 0.5:
            store.transition(case.uuid, "suspend", reason="test")
            print("SUSPENDED", case.uuid, flush=True)
    """
)


def _run_child(data_dir: Path, seed: int, kill_at: int, parent_kill_after: int) -> list[list[str]]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    lines = []
    with subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), str(seed), str(kill_at)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.split())
            if parent_kill_after and len(lines) >= parent_kill_after:
                proc.send_signal(signal.SIGKILL)
                break
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err
    return lines[1:] if lines and lines[0] == ["READY"] else lines


def _check(data_dir: Path, reported: list[list[str]]) -> None:
    conn = sqlite3.connect(data_dir / "desk.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cases = {u: (state, rev, json.loads(p)) for u, state, rev, p in
                 conn.execute("SELECT uuid, state, revision, payload FROM cases")}
        outbox = {}
        for u, rev in conn.execute("SELECT case_uuid, revision FROM outbox"):
            outbox.setdefault(u, set()).add(rev)
    finally:
        conn.close()
    for kind, uuid, *rest in reported:
        assert uuid in cases, f"{kind} {uuid} returned but is gone"
        state, rev, payload = cases[uuid]
        if kind == "ACCEPTED":
            assert state != "draft" and payload["number"] == rest[0]
        if kind == "SUSPENDED":
            assert state == "suspended"
    for uuid, (state, rev, payload) in cases.items():
        assert payload["uuid"] == uuid and payload["state"] == state and payload["revision"] == rev
        if state == "draft":
            assert uuid not in outbox, "a draft never reaches the outbox"
        else:
            assert outbox.get(uuid) == set(range(1, rev + 1)), "every committed revision has its outbox row"
    assert set(outbox) <= set(cases), "no outbox row without its case"


@pytest.mark.slow
def test_kill_at_random_points_loses_nothing_committed(tmp_path):
    rng = random.Random(11643)
    runs = int(os.environ.get("CRASH_RUNS", "24"))
    data_dir = tmp_path / "崩溃 测试"
    all_reported: list[list[str]] = []
    for run in range(runs):
        if run % 3 == 2:
            reported = _run_child(data_dir, run, 0, rng.randint(2, 12))
        else:
            reported = _run_child(data_dir, run, rng.randint(40, 400), 0)
        all_reported += reported
        _check(data_dir, all_reported)
    assert any(r[0] == "ACCEPTED" for r in all_reported)
