"""The group writer's fast path for new cases (hub/caseputs.py) answers every put exactly as put_in alone would.

One group holds every kind of put at once — new cases, a replay, a next revision, a stale base, a revision taken,
another office's case, a number taken, one number twice, one UUID twice, a public code twice, a new case with a
base — on SQLite and PostgreSQL; the fast path must take only the plain new cases and leave the rest to put_in.
"""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from desktop.domain.feedback import Rating
from desktop.protocol import schema as syncschema
from hub import caseputs, db, devices
from hub.auth import Device
from hub.cases import CaseError, PutResult, put_case
from tests.hub.conftest import sample_case


def _device(engine, name: str, office: str) -> Device:
    devices.add(engine, name, office, 1)
    with engine.connect() as conn:
        row = conn.execute(select(db.devices).where(db.devices.c.name == name)).one()
    return Device(row.id, row.name, row.office)


def _body(case, *, base: int = 0, blobs: tuple[str, ...] = ()) -> dict:
    return {"revision": case.revision, "base_revision": base, "payload": case.to_dict(), "blobs": list(blobs)}


def _case(seed_or_case, **changes):
    """A sample case (by seed), or a copy of `case` (same UUID), with `changes`."""
    if isinstance(seed_or_case, int):
        case = sample_case(seed_or_case)
        case.public_code = f"code-{seed_or_case:04d}-abcdefghijklmnop"  # as Store.accept sets one
    else:
        case = copy.deepcopy(seed_or_case)
    for key, value in changes.items():
        setattr(case, key, value)
    return case


@pytest.fixture
def engine(hub_db_url):
    from hub.config import normalize_url

    engine = db.open_engine(normalize_url(hub_db_url))
    yield engine
    engine.dispose()


def test_a_mixed_group_gets_put_ins_answers_and_only_new_cases_take_the_fast_path(engine, monkeypatch):
    here, there = _device(engine, "W03", "演示县政务服务中心"), _device(engine, "L12", "白水乡便民服务中心")
    held, theirs = _case(1), _case(2)
    put_case(engine, here, held.uuid, _body(held, blobs=("a" * 64,)))
    put_case(engine, there, theirs.uuid, _body(theirs))
    news = [_case(seed) for seed in (10, 11, 12)]
    rated = _case(13)
    rated.ratings = [Rating(level="满意", rated_at="2026-11-27T10:00:00+08:00", clerk="王敏")]
    next_rev = _case(held, revision=2)
    taken = _case(held)
    taken.applicant.phone = "13800000000"  # revision 1 again, other content
    stale = _case(held, revision=3)
    twin_a = _case(20)
    twin_b = _case(21, number=twin_a.number)  # one number twice in the group
    same_uuid = _case(22)
    code_a = _case(23)
    code_b = _case(24, public_code=code_a.public_code)
    taken_number, same_uuid_2, new_with_base = _case(30, number=held.number), _case(same_uuid, revision=2), \
        _case(40, revision=2)
    puts = [
        (here, news[0], _body(news[0], blobs=("b" * 64, "c" * 64)), "new"),
        (here, held, _body(held, blobs=("a" * 64,)), "replayed"),
        (here, next_rev, _body(next_rev, base=1, blobs=("a" * 64,)), "stored"),
        (here, taken, _body(taken), "revision_taken"),
        (here, stale, _body(stale, base=1), "stale_base"),
        (here, theirs, _body(theirs), "not_yours"),
        (here, news[1], _body(news[1]), "new"),
        (here, taken_number, _body(taken_number), "number_taken"),
        (here, twin_a, _body(twin_a), "stored"),
        (here, twin_b, _body(twin_b), "number_taken"),
        (here, same_uuid, _body(same_uuid), "stored"),
        (here, same_uuid_2, _body(same_uuid_2, base=1), "stored"),
        (here, code_a, _body(code_a), "stored"),
        (here, code_b, _body(code_b), "number_taken_or_code"),
        (here, new_with_base, _body(new_with_base, base=1), "stale_base"),
        (here, rated, _body(rated), "new"),
        (there, news[2], _body(news[2]), "new"),
    ]
    slow = []
    real_put_in = caseputs.put_in
    monkeypatch.setattr(caseputs, "put_in", lambda conn, dev, uuid, body: slow.append(uuid) or
                        real_put_in(conn, dev, uuid, body))
    with db.writing(engine) as conn:
        outcomes = caseputs.put_many(conn, [caseputs.Put(dev, case.uuid, body) for dev, case, body, _ in puts])

    for (_, _case_sent, body, expected), outcome in zip(puts, outcomes, strict=True):
        if expected in ("new", "stored"):
            assert outcome == PutResult(False, body["revision"], sorted(body["blobs"])), (expected, outcome)
        elif expected == "replayed":
            assert outcome == PutResult(True, 1, ["a" * 64])
        elif expected == "number_taken_or_code":  # a public code twice: put_in decides (the database refuses)
            assert isinstance(outcome, CaseError) and outcome.status == 503, outcome
        else:
            assert isinstance(outcome, CaseError) and outcome.code == expected, (expected, outcome)
    fast = {case.uuid for _, case, _, expected in puts if expected == "new"}
    assert fast.isdisjoint(slow) and len(slow) == len(puts) - len(fast)

    with engine.connect() as conn:
        stored = {r.uuid: r for r in conn.execute(select(db.cases)).all()}
        revisions = conn.execute(select(func.count()).select_from(db.case_revisions)).scalar()
        ledger = {r.case_uuid: json.loads(r.data) for r in conn.execute(select(db.ledger_rows)).all()}
        links = {(r.case_uuid, r.sha256) for r in conn.execute(select(db.case_blobs)).all()}
        codes = {r.case_uuid for r in conn.execute(select(db.case_codes)).all()}
        ratings = conn.execute(select(db.rating_rows)).all()
        counts = {r.name: r.cases_received for r in conn.execute(select(db.devices)).all()}
    for case in (*news, rated):
        row = stored[case.uuid]
        assert row.payload_hash == syncschema.payload_hash(case.to_dict()) and row.revision == 1
        assert ledger[case.uuid]["number"] == case.number and case.uuid in codes
    assert stored[news[2].uuid].office == "白水乡便民服务中心" and stored[news[2].uuid].device_id == there.id
    assert {(news[0].uuid, "b" * 64), (news[0].uuid, "c" * 64)} <= links
    assert [(r.case_uuid, r.level, r.office) for r in ratings] == [(rated.uuid, "满意", "演示县政务服务中心")]
    assert stored[held.uuid].revision == 2 and stored[same_uuid.uuid].revision == 2
    assert stored[twin_a.uuid].number == twin_a.number and twin_b.uuid not in stored
    # the two seeded, the 4 fast, twin_a, same_uuid and code_a; revisions: those and next_rev, same_uuid's second
    assert len(stored) == 2 + 4 + 3 and revisions == 2 + 4 + 5
    assert counts == {"W03": 1 + 3 + 3, "L12": 1 + 1}


def test_when_the_fast_statements_fail_every_put_goes_through_put_in(engine, monkeypatch):
    here = _device(engine, "W03", "演示县政务服务中心")
    cases = [_case(seed) for seed in (50, 51)]

    def broken(conn, puts):
        raise RuntimeError("as if another hub process had written one of them a moment ago")

    monkeypatch.setattr(caseputs, "_insert_new", broken)
    with db.writing(engine) as conn:
        outcomes = caseputs.put_many(conn, [caseputs.Put(here, c.uuid, _body(c)) for c in cases])
    assert outcomes == [PutResult(False, 1, []), PutResult(False, 1, [])]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.cases)).scalar() == 2


def test_a_groups_scans_are_durable_before_its_statements_and_a_damaged_one_refuses_only_its_case(
        engine, tmp_path, monkeypatch):
    """The writer's thread stores each bundled scan (verified, fsynced, renamed, directory fsynced) before the
    group's statements run, so a case is never committed, nor answered, before its scans are on disk; a scan
    whose bytes do not match its hash refuses its own case only."""
    import asyncio
    import hashlib
    import os

    from hub.blobstore import BlobError, BlobStore
    from hub.writer import GroupWriter

    here = _device(engine, "W03", "演示县政务服务中心")
    writer = GroupWriter(engine)
    blobs = BlobStore(tmp_path / "blobs", engine, writer, 10**8)
    scans = [os.urandom(5_000) for _ in range(4)]
    shas = [hashlib.sha256(scan).hexdigest() for scan in scans]
    cases = [_case(seed) for seed in (60, 61, 62, 63)]
    contents = [[(sha, memoryview(scan))] for sha, scan in zip(shas, scans, strict=True)]
    contents[2] = [(shas[2], memoryview(b"not the scan"))]
    jobs = [caseputs.PutJob(blobs, caseputs.Put(here, case.uuid, _body(case, blobs=(sha,))), parts)
            for case, sha, parts in zip(cases, shas, contents, strict=True)]
    on_disk = []

    def looking(real):
        def statements(conn, *args):
            on_disk.append({sha: blobs.path(sha).is_file() for sha in shas})
            return real(conn, *args)
        return statements

    monkeypatch.setattr(caseputs, "put_many", looking(caseputs.put_many))
    monkeypatch.setattr(caseputs, "put_in", looking(caseputs.put_in))
    fsynced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: fsynced.append(fd) or real_fsync(fd))

    async def run_all():
        return await asyncio.gather(*(writer.run(job) for job in jobs), return_exceptions=True)

    outcomes = asyncio.run(run_all())
    assert len(on_disk) == 2  # the first job alone, then the other three as one group
    assert on_disk[0][shas[0]] and all(on_disk[1][sha] for sha in (shas[0], shas[1], shas[3]))
    assert not on_disk[1][shas[2]] and not blobs.path(shas[2]).exists()
    assert isinstance(outcomes[2], BlobError) and outcomes[2].code == "hash_mismatch"
    for n in (0, 1, 3):
        result, held = outcomes[n]
        assert result == PutResult(False, 1, [shas[n]]) and held == [shas[n]]
        assert blobs.path(shas[n]).read_bytes() == scans[n]
    assert len(fsynced) >= 2 * 3  # each stored scan: its file, then its directory
    with engine.connect() as conn:
        stored = set(conn.execute(select(db.cases.c.uuid)).scalars())
        owned = set(conn.execute(select(db.office_blobs.c.sha256)).scalars())
    assert stored == {cases[n].uuid for n in (0, 1, 3)} and owned == {shas[n] for n in (0, 1, 3)}
