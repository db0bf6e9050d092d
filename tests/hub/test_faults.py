"""Fault injection: a real hub process behind a proxy that cuts, drops, delays and fakes errors on purpose.

After every run: every case on the hub exactly once with all its scans, nothing lost locally, and nothing
marked synced that the hub lacks (checked after every single pass, not only at the end).
"""

from __future__ import annotations

import os
import random
import time

import pytest
from sqlalchemy import create_engine

from desktop.sync import client as syncclient, engine as sync, state as syncstate
from tests.hub.deskside import (
    attach_scans,
    check_all_arrived,
    check_synced_is_true,
    hub_cases,
    new_case,
    open_store,
)
from tests.hub.faultproxy import KINDS, Fault, FaultProxy
from tests.hub.servers import HubProcess

OFFICE = "白水乡便民服务中心"
TIMEOUT = 1.0  # the desk's read timeout in these tests; 'delay' faults hold answers longer than this


@pytest.fixture
def hub(tmp_path):
    proc = HubProcess(tmp_path / "hub").start()
    proc.engine = create_engine(f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite'}")
    proc.blob_root = tmp_path / "hub" / "blobs"
    yield proc
    proc.engine.dispose()
    proc.stop()


def _enroll(store, hub, url: str) -> None:
    code = hub.hub_cli("device", "add", "L12", "--office", OFFICE).stdout.split("：")[1].split("（")[0]
    sync.connect(store, hub.url, code)
    from desktop.storage import settings

    settings.set_value(store.db, "hub_url", url)


def _engine(store, seed: int = 0, clock=time.time) -> sync.SyncEngine:
    return sync.SyncEngine(store, rng=random.Random(seed), clock=clock, timeout=TIMEOUT, connect_timeout=TIMEOUT)


def random_plan(rng: random.Random):
    """Every fault kind twice in a shuffled order first (so none can be missed), then at random."""
    kinds = ["pass"] * 5 + ["cut_upload"] * 3 + ["drop_response"] * 3 + ["delay"] * 2 + ["http_503", "http_500",
                                                                                      "refuse"]
    first = [k for k in KINDS if k != "pass"] * 2
    rng.shuffle(first)

    def plan(n: int) -> Fault:
        kind = first[n] if n < len(first) else rng.choice(kinds)
        return Fault(kind, at=rng.randint(1, 450_000), seconds=TIMEOUT * 1.5)

    return plan


def test_random_faults_lose_nothing_and_duplicate_nothing(tmp_path, hub, monkeypatch):
    monkeypatch.setattr(syncclient, "SMALL_BLOB", 256 * 1024)  # the 700 KB scans go in resumable chunks
    rng = random.Random(int(os.environ.get("FAULT_SEED", "2026")))  # FAULT_SEED=n to explore other runs
    store = open_store(tmp_path / "desk")
    with FaultProxy(hub.port) as proxy:
        _enroll(store, hub, proxy.url)
        uuids = [new_case(store, rng) for _ in range(10)]
        for uuid in uuids:
            attach_scans(store, uuid, [rng.randint(20_000, 250_000) for _ in range(rng.randint(0, 3))], rng)
        attach_scans(store, uuids[0], [700_000], rng)
        proxy.plan = random_plan(rng)
        engine, deadline, passes = _engine(store), time.monotonic() + 25, 0
        while time.monotonic() < deadline and (syncstate.counts(store.db)["pending"] or passes < 30):
            engine.sync_now()
            passes += 1
            check_synced_is_true(store, hub.engine, OFFICE)
            if rng.random() < 0.2:  # the desk restarts (maybe mid-backoff, maybe with a request in doubt)
                store.close()
                store = open_store(tmp_path / "desk")
                engine = _engine(store, passes)
            if passes in (6, 12, 18):  # the clerk keeps working while the network misbehaves
                store.transition(uuids[passes // 6], "submit", actor="测试")
                attach_scans(store, uuids[passes // 6 + 3], [30_000], rng)
                uuids.append(new_case(store, rng))
                attach_scans(store, uuids[-1], [120_000, 80_000], rng)
        proxy.plan = lambda n: Fault()
        final = engine.sync_now()
    assert final.ok and final.pending == 0, final
    faults = {k for k, v in proxy.stats.items() if v}
    assert faults >= {"cut_upload", "drop_response", "delay", "http_503", "http_500", "refuse"}, proxy.stats
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)
    assert len(hub_cases(hub.engine)) == 13
    store.close()


def test_a_lost_answer_is_recognised_when_the_desk_has_moved_on(tmp_path, hub):
    """The hub committed revision 1 but the answer was lost; the clerk then made revision 2. The in-doubt
    request is re-sent first (replayed), so revision 2 is not taken for a conflict."""
    store = open_store(tmp_path / "desk")
    rng = random.Random(1)
    with FaultProxy(hub.port, lambda n: Fault("drop_response" if n == 0 else "pass")) as proxy:
        _enroll(store, hub, proxy.url)
        uuid = new_case(store, rng)
        first = _engine(store).sync_now()
        assert not first.ok and hub_cases(hub.engine)[uuid]["revision"] == 1  # committed, answer lost
        assert syncstate.case_row(store.db, uuid)["doubt_revision"] == 1
        store.transition(uuid, "submit", actor="测试")
        second = _engine(store).sync_now()
    assert second.ok and (second.replayed, second.sent, second.conflicts) == (1, 1, 0)
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_an_upload_cut_midway_resumes_where_the_hub_stopped(tmp_path, hub, monkeypatch):
    monkeypatch.setattr(syncclient, "SMALL_BLOB", 100_000)
    store = open_store(tmp_path / "desk")
    rng = random.Random(2)
    with FaultProxy(hub.port, lambda n: Fault("cut_upload", at=350_000) if n == 0 else Fault()) as proxy:
        _enroll(store, hub, proxy.url)
        uuid = new_case(store, rng)
        attach_scans(store, uuid, [500_000], rng)
        assert not _engine(store).sync_now().ok
        report = _engine(store).sync_now()
    assert report.ok and report.sent == 1
    assert report.bytes_sent <= 500_000 - 200_000  # at least the first two full chunks were not sent again
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_a_desk_restarted_mid_backoff_waits_then_drains(tmp_path, hub):
    now = [1_000_000.0]
    store = open_store(tmp_path / "desk")
    rng = random.Random(3)
    with FaultProxy(hub.port, lambda n: Fault("http_503")) as proxy:
        _enroll(store, hub, proxy.url)
        uuids = [new_case(store, rng) for _ in range(3)]
        report = _engine(store, clock=lambda: now[0]).sync_now()
        assert not report.ok and "HTTP 503" in report.errors[0]
        store.close()
        store = open_store(tmp_path / "desk")
        engine = _engine(store, clock=lambda: now[0])
        wait = engine.seconds_until_due()
        assert sync.BACKOFF_BASE / 2 <= wait <= sync.BACKOFF_BASE
        seen = proxy.connections
        assert engine.tick() is None and proxy.connections == seen  # still backing off: no request at all
        proxy.plan = lambda n: Fault()
        now[0] += wait + 0.001
        report = engine.tick()
    assert report is not None and report.ok and report.sent == 3
    assert set(engine.case_states(uuids).values()) == {"synced"}
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)
