"""A reconnect storm against a real hub process: 300 devices come back at the same instant after an outage.

Each simulated device is the desk's own HubClient (a bundle: the case with its scan, as push.py sends small
cases) and the desk's own backoff_delay; only the desk's SQLite bookkeeping is left out, so 300 of them fit in
seconds. Time between attempts is virtual: the devices whose retry falls in the same second of the
simulation fire together, concurrently, against the real hub; the hub sheds what is past its write queue
(HUB_MAX_WAITING, small here) with 503 and Retry-After, and the desks' jitter must spread the rest.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import func, select

from desktop.sync.client import HubClient, HubFailureError
from desktop.sync.engine import backoff_delay
from hub.auth import digest
from hub.db import case_blobs, case_revisions, cases, devices, open_engine, utcnow
from tests.hub.conftest import sample_case
from tests.hub.servers import HubProcess

DEVICES, QUEUE, OFFICE = 300, 20, "演示县政务服务中心"


class Desk:
    """One simulated device: its client, its one case and scan, its failures so far."""

    def __init__(self, n: int, url: str, token: str, payload: dict, scan: Path, transport: httpx.HTTPTransport):
        self.uuid, self.scan, self.failures, self.due = str(uuid.uuid4()), scan, 0, 0.0
        self.sha = hashlib.sha256(scan.read_bytes()).hexdigest()
        payload = payload | {"uuid": self.uuid, "number": f"439901-D{n:03d}-20261127-0001"}
        self.body = {"revision": 1, "base_revision": 0, "payload": payload, "blobs": [self.sha]}
        self.client = HubClient(url, token, timeout=60, transport=transport, pending=1)

    def attempt(self) -> tuple[int, float | None]:
        """(HTTP status, Retry-After) of one sync attempt: 200 only when the hub lists the scan as held."""
        try:
            answer = self.client.put_bundle(self.uuid, self.body, [(self.sha, self.scan)])
        except HubFailureError as failure:
            return int(failure.message.split("HTTP ")[1][:3]) if "HTTP " in failure.message else 0, failure.retry_after
        assert answer.status != 200 or self.sha in answer.data["blobs"], answer.data
        return answer.status, None


def test_300_devices_reconnecting_at_once_are_shed_spread_and_all_arrive_once(tmp_path):
    hub = HubProcess(tmp_path / "hub", env={"HUB_MAX_WAITING": str(QUEUE)}).start()
    engine = open_engine(f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite'}")
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_connections=DEVICES, max_keepalive_connections=DEVICES))
    try:
        desks = _enrolled(hub.url, engine, tmp_path, transport)
        rounds, statuses = _storm(desks)
        with engine.connect() as conn:
            stored = conn.execute(select(func.count(), func.count(cases.c.uuid.distinct())).select_from(cases)).one()
            revisions = conn.execute(select(func.count()).select_from(case_revisions)).scalar()
            linked = conn.execute(select(func.count()).select_from(case_blobs)).scalar()
    finally:
        transport.close()
        engine.dispose()
        hub.stop()
    logged = Counter(json.loads(line).get("status") for line in (tmp_path / "hub" / "logs" / "hub.log")
                     .read_text(encoding="utf-8").splitlines() if '"request"' in line)
    assert statuses[503] > 0 and logged[503] == statuses[503], (statuses, logged)  # the hub shed load
    assert not [s for s in logged if s and s >= 500 and s != 503] and not statuses[0], (statuses, logged)
    assert tuple(stored) == (DEVICES, DEVICES) and revisions == DEVICES and linked == DEVICES  # each case once
    first, later = rounds[0], rounds[1:]
    assert first == DEVICES and max(later) < DEVICES // 4, rounds  # the retries came back spread, not in step
    assert statuses[200] == DEVICES and sum(rounds) == sum(statuses.values())


def _enrolled(url: str, engine, tmp_path: Path, transport: httpx.HTTPTransport) -> list[Desk]:
    """The devices as enrolled before the outage (written directly: enrolment is tested elsewhere)."""
    tokens = [secrets.token_urlsafe(32) for _ in range(DEVICES)]
    with engine.begin() as conn:
        conn.execute(devices.insert(), [{"name": f"D{n:03d}", "office": OFFICE, "created_at": utcnow(),
                                         "enrolled_at": utcnow(), "token_hash": digest(t)} for n, t in enumerate(tokens)])
    payload = sample_case(1).to_dict()
    desks = []
    for n, token in enumerate(tokens):
        scan = tmp_path / f"scan{n}.jpg"
        scan.write_bytes(random.Random(n).randbytes(2000))
        desks.append(Desk(n, url, token, payload, scan, transport))
    return desks


def _storm(desks: list[Desk]) -> tuple[list[int], Counter]:
    """Every desk at virtual second 0, then each at its backoff; returns how many fired per busy second."""
    rng, waiting, rounds, statuses = random.Random(15), list(desks), [], Counter()
    with ThreadPoolExecutor(DEVICES) as pool:
        while waiting:
            now = min(d.due for d in waiting)
            firing = [d for d in waiting if d.due < now + 1.0]
            rounds.append(len(firing))
            for desk, (status, retry_after) in zip(firing, pool.map(Desk.attempt, firing), strict=True):
                statuses[status] += 1
                if status == 200:
                    waiting.remove(desk)
                    continue
                assert status == 503 and retry_after == 30, (status, retry_after)
                desk.failures += 1
                desk.due = now + backoff_delay(desk.failures, rng, retry_after=retry_after)
    return rounds, statuses
