"""Sync at the edges (issue 15): the request in doubt, statuses against the clerk's actions, cloned desks and
unique numbers, a proxy's 413, a lost enrolment answer, a clock set back, and what the supervisor sees.

A real hub (uvicorn in a thread, SQLite and PostgreSQL) on loopback; faults come from tests/hub/faultproxy.py or from an
httpx transport that loses an answer after the hub has committed it.
"""

from __future__ import annotations

import json
import random
import shutil

import httpx
import pytest
from sqlalchemy import text

from desktop.intake import documents
from desktop.storage import settings
from desktop.storage.blobs import BlobStore
from desktop.sync import client as syncclient, engine as sync, state as syncstate
from hub import cases as hub_cases, devices
from tests.hub.deskside import attach_scans, check_all_arrived, hub_cases as hub_rows, new_case, open_store
from tests.hub.faultproxy import BodyLimitProxy, Fault, FaultProxy

OFFICE = "演示县政务服务中心"


@pytest.fixture
def hub(hub_server):
    """The real hub over SQLite, and over PostgreSQL when HUB_TEST_PG_URL is set (tests/hub/conftest.py)."""
    return hub_server


def connect(store, hub, url: str | None = None, name: str = "W03") -> sync.SyncEngine:
    sync.connect(store, hub.url, devices.add(hub.engine, name, OFFICE, 1))
    if url:
        settings.set_value(store.db, "hub_url", url)
    return sync.SyncEngine(store, rng=random.Random(1))


def no_problems(engine: sync.SyncEngine) -> None:
    assert engine.problems() == [], engine.problems()


# 1. the request in doubt


@pytest.mark.parametrize("file_gone", [False, True], ids=["file-kept", "file-gone-ask-the-hub"])
def test_answer_lost_then_scan_removed_then_edit_settles_without_quarantine(tmp_path, hub, file_gone):
    store = open_store(tmp_path / "desk")
    with FaultProxy(hub.port, lambda n: Fault("drop_response" if n == 0 else "pass")) as proxy:
        engine = connect(store, hub, proxy.url)
        uuid = new_case(store, random.Random(1), service=3)
        sha = attach_scans(store, uuid, [20_000], random.Random(2))[0]
        assert not engine.sync_now().ok  # the hub committed the case and its scan; the answer was lost
        assert hub_rows(hub.engine)[uuid]["revision"] == store.load(uuid).revision
        documents.remove(store, documents.for_case(store, uuid)[0].id, reason="扫错了", to_inbox=False)
        if file_gone:  # not even the content-addressed store has it: only the hub can say what it holds
            BlobStore.of(store.data_dir).path(sha).unlink()
        store.transition(uuid, "submit", actor="测试")
        report = engine.sync_now()
        again = engine.sync_now()
        store.transition(uuid, "start", actor="测试")  # and later edits go through: no 409 loop
        later = engine.sync_now()
    assert report.ok and (report.rejected, report.conflicts) == (0, 0), report
    assert (again.sent, again.conflicts, again.rejected) == (0, 0, 0)
    no_problems(engine)
    assert hub_rows(hub.engine)[uuid]["revision"] == store.load(uuid).revision
    assert later.sent == 1 and engine.case_states([uuid]) == {uuid: "synced"}


# 2. department statuses against the clerk's actions


def test_a_status_never_overwrites_a_termination_and_becomes_a_visible_conflict(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    uuid = new_case(store, random.Random(3), service=3)
    engine.sync_now()
    store.transition(uuid, "terminate", actor="测试", reason="申请人撤回")
    number = store.load(uuid).number
    hub_cases.set_status(hub.engine, number, "已办结", department="县民政局")  # crossed on the way
    report = engine.sync_now()
    case = store.load(uuid)
    assert case.state == "terminated" and "completed" not in {i.status for i in case.items}
    assert report.conflicts == 1 and engine.status().conflicts == 1
    [problem] = engine.problems()
    assert problem["kind"] == "status_conflict" and (problem["hub_state"], problem["local_state"]) == \
        ("completed", "terminated")
    assert "县民政局报“已办结”" in problem["reason"] and "本机为“已终止”" in problem["reason"]
    assert any(e["kind"] == "hub_status_conflict" for e in store.events(uuid))
    hub_case = hub_rows(hub.engine)[uuid]  # one revision number, one payload on both sides
    assert hub_case["revision"] == case.revision and hub_case["payload"] == json.loads(json.dumps(case.to_dict()))
    engine.resolve(uuid, "dismiss", actor="测试")
    no_problems(engine)
    assert store.load(uuid).state == "terminated"


def test_a_completed_case_never_goes_back_to_in_progress(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    uuid = new_case(store, random.Random(4), service=3)
    store.transition(uuid, "complete", actor="测试")
    engine.sync_now()
    hub_cases.set_status(hub.engine, store.load(uuid).number, "办理中", department="县民政局")
    report = engine.sync_now()
    case = store.load(uuid)
    assert case.state == "completed" and {i.status for i in case.items} == {"completed"}
    assert report.conflicts == 1 and engine.problems()[0]["hub_state"] == "in_progress"


# 3. unique numbers, clones


def test_a_cloned_desk_cannot_reuse_numbers_and_the_supervisor_is_told(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    new_case(store, random.Random(5), service=3)
    assert engine.sync_now().sent == 1
    store.close()
    shutil.copytree(tmp_path / "desk", tmp_path / "clone")  # the same data dir, copied to another place
    store, clone = open_store(tmp_path / "desk"), open_store(tmp_path / "clone")
    mine, theirs = new_case(store, random.Random(6), service=3), new_case(clone, random.Random(7), service=3)
    assert store.load(mine).number == clone.load(theirs).number  # same counter, same window code
    assert sync.SyncEngine(store).sync_now().sent == 1
    cloned = sync.SyncEngine(clone)
    report = cloned.sync_now()
    assert report.rejected == 1 and report.sent == 0
    [problem] = cloned.problems()
    assert problem["code"] == "number_taken" and "复制或从备份恢复" in problem["reason"]
    assert hub_rows(hub.engine)[mine]["payload"]["number"] == store.load(mine).number and theirs not in \
        hub_rows(hub.engine)
    cloned.sync_now()  # the next pass reports the quarantined case in its headers
    [row] = devices.summary(hub.engine, OFFICE)
    assert row["clone_suspected_at"] and row["rejected_reported"] == 1
    assert [r["code"] for r in row["refused"]] == ["number_taken"] and row["refused"][0]["case_uuid"] == theirs
    name = clone.load(theirs).applicant.name
    assert name not in json.dumps(row, ensure_ascii=False)  # reasons, never the refused payload's data


def test_numbers_are_unique_in_the_hub_database_and_status_set_never_guesses(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    uuid = new_case(store, random.Random(8), service=3)
    engine.sync_now()
    number = store.load(uuid).number
    cols = "office, device_id, number, revision, payload_hash, payload, received_at, updated_at, accepted_on"
    copy = f"INSERT INTO cases (uuid, {cols}) SELECT 'x' || substr(uuid, 2), {cols} FROM cases"
    with hub.engine.begin() as conn, pytest.raises(Exception, match="(?i)unique"):
        conn.execute(text(copy))
    with hub.engine.begin() as conn:  # an older hub's database, without the constraint
        conn.execute(text("DROP INDEX cases_number_unique"))
        conn.execute(text(copy))
    with pytest.raises(hub_cases.CaseError, match="两件编号为") as refused:
        hub_cases.set_status(hub.engine, number, "已办结")
    assert refused.value.code == "ambiguous"


# 4. behind a reverse proxy with nginx's 1 MB limit


def test_a_1mb_proxy_limit_sends_big_scans_in_chunks_and_blocks_nothing(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    rng = random.Random(9)
    with BodyLimitProxy(hub.port) as proxy:
        engine = connect(store, hub, proxy.url)
        big = new_case(store, rng, service=3)
        attach_scans(store, big, [3_000_000], rng)
        small = [new_case(store, rng) for _ in range(3)]
        for uuid in small:
            attach_scans(store, uuid, [20_000], rng)
        report = engine.sync_now()
    assert proxy.refused >= 2  # the bundle and the first 8 MB chunk met nginx's page, not the hub
    assert report.ok and report.sent == 4 and report.pending == 0, report
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_a_case_too_big_for_the_proxy_waits_with_a_reason_and_the_rest_goes_on(tmp_path, hub, monkeypatch):
    monkeypatch.setattr(syncclient, "MIN_CHUNK", 2 * 1024 * 1024)  # chunks cannot shrink below the limit
    store = open_store(tmp_path / "desk")
    rng = random.Random(10)
    with BodyLimitProxy(hub.port) as proxy:
        engine = connect(store, hub, proxy.url)
        big = new_case(store, rng, service=3)
        attach_scans(store, big, [3_000_000], rng)
        others = [new_case(store, rng) for _ in range(3)]
        engine.sync_now()
        hub_cases.set_status(hub.engine, store.load(others[0]).number, "已办结", department="县民政局")
        report = engine.sync_now()
    assert report.ok and report.pending == 1 and report.rejected == 0 and report.changes_applied == 1
    assert report.audit_sent + report.audit_replayed >= 0 and engine.case_states([big]) == {big: "pending"}
    assert "HTTP 413" in engine.status().last_error and "client_max_body_size" in engine.status().last_error
    assert set(hub_rows(hub.engine)) == set(others)
    no_problems(engine)  # waiting, not quarantined
    settings.set_value(store.db, "hub_url", hub.url)  # the proxy is fixed
    assert sync.SyncEngine(store).sync_now().pending == 0
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


# 5. enrolment survives a lost answer


class LoseFirstEnrollAnswer(httpx.HTTPTransport):
    """Forwards every request; the first enrolment's answer is read (the hub has committed) and then lost."""

    lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == "/v1/enroll" and not self.lost:
            response.read()
            self.lost += 1
            raise httpx.ReadError("connection reset", request=request)
        return response


def test_enrolment_answer_lost_then_the_same_code_gets_the_same_token(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    code = devices.add(hub.engine, "W03", OFFICE, 1)
    transport = LoseFirstEnrollAnswer()
    with pytest.raises(Exception, match="连接中断"):
        sync.connect(store, hub.url, code, transport=transport)
    assert transport.lost == 1
    first = sync.connect(store, hub.url, code, transport=transport)
    assert first["device"] == "W03"
    token = syncstate.get(store.db, "token")
    sync.connect(store, hub.url, code)  # and once more: still the same token, the device not re-keyed
    assert syncstate.get(store.db, "token") == token
    new_case(store, random.Random(11))
    assert sync.SyncEngine(store).sync_now().sent == 1
    other = open_store(tmp_path / "other")
    with pytest.raises(Exception, match="登记码无效"):  # another desk with the spent code: refused
        sync.connect(other, hub.url, code)


# 6. clocks


def test_a_desk_whose_clock_ran_days_fast_resumes_within_minutes_once_corrected(tmp_path, hub):
    now = [1_800_000_000.0 + 3 * 86400]  # three days fast
    store = open_store(tmp_path / "desk")
    with FaultProxy(hub.port, lambda n: Fault("http_503")) as proxy:
        sync.connect(store, hub.url, devices.add(hub.engine, "W03", OFFICE, 1))
        settings.set_value(store.db, "hub_url", proxy.url)
        engine = sync.SyncEngine(store, rng=random.Random(2), clock=lambda: now[0])
        new_case(store, random.Random(12))
        for _ in range(8):  # a long outage: the backoff grows to its cap
            engine.sync_now()
        proxy.plan = lambda n: Fault()
        now[0] -= 3 * 86400  # the clock is corrected
        wait = engine.seconds_until_due()
        assert 0 < wait <= sync.BACKOFF_CAP
        assert engine.tick() is None
        now[0] += wait
        report = engine.tick()
    assert report is not None and report.ok and report.sent == 1


# 8. county scale: load shed with Retry-After, spread by the desks' jitter; partial uploads and the feed pruned


def test_a_busy_hub_answers_503_retry_after_and_desks_come_back_spread(tmp_path, hub, monkeypatch):
    from hub import writer

    stores = [open_store(tmp_path / f"desk{i}") for i in range(3)]
    engines = []
    for i, store in enumerate(stores):
        settings.set_value(store.db, "window_code", f"L{i}")  # three laptops, three numbering series
        sync.connect(store, hub.url, devices.add(hub.engine, f"L{i}", OFFICE, 1))
        new_case(store, random.Random(20 + i))
        engines.append(sync.SyncEngine(store, rng=random.Random(i)))
    monkeypatch.setattr(writer, "MAX_WAITING", 0)  # every write is shed, as in a reconnect storm
    reports = [engine.sync_now() for engine in engines]
    assert all(not r.ok and "HTTP 503" in r.errors[0] for r in reports), reports
    waits = [engine.seconds_until_due() for engine in engines]
    assert all(30 <= w <= 45 for w in waits) and len({round(w) for w in waits}) == 3  # Retry-After, spread
    monkeypatch.setattr(writer, "MAX_WAITING", 400)
    assert all(engine.sync_now().sent == 1 for engine in engines)


def test_stale_partial_uploads_and_old_feed_entries_are_pruned(tmp_path, hub):
    import os
    import time

    blobs = hub.app.state.blobs
    old, fresh = blobs.tmp / ("a" * 64 + ".x.part"), blobs.tmp / ("b" * 64 + ".x.part")
    for path in (old, fresh):
        path.write_bytes(b"partial")
    os.utime(old, (time.time() - 4 * 86400,) * 2)
    assert blobs.prune() == 1 and not old.exists() and fresh.exists()
    hub_cases.announce_catalog(hub.engine, "2026.1")
    with hub.engine.begin() as conn:
        conn.execute(text("UPDATE changes SET created_at = '2024-01-01T00:00:00.000+00:00'"))
    hub_cases.announce_catalog(hub.engine, "2026.2")
    assert hub_cases.prune_changes(hub.engine) == 1
    with hub.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM changes")).scalar() == 1
