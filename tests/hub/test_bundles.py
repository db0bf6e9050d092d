"""Several cases in one request (`PUT /v1/cases/bundles`, issue 15): each case answered exactly as its own
bundle would be, exactly once, with the faults of tests/hub/test_faults.py and test_edges.py on the way.

A real hub (uvicorn in a thread, SQLite and PostgreSQL) on loopback; the desk's own client and sync engine.
"""

from __future__ import annotations

import json
import random

import httpx
import pytest

from desktop.intake import documents
from desktop.storage import settings
from desktop.storage.blobs import BlobStore
from desktop.sync import client as syncclient, engine as sync, state as syncstate
from desktop.sync.client import HubClient
from hub import bundle, devices
from tests.hub.deskside import attach_scans, check_all_arrived, hub_cases as hub_rows, new_case, open_store
from tests.hub.faultproxy import BodyLimitProxy, Fault, FaultProxy
from tests.hub.servers import ThreadedHub

OFFICE = "演示县政务服务中心"


@pytest.fixture
def hub(hub_server):
    """The real hub over SQLite, and over PostgreSQL when HUB_TEST_PG_URL is set (tests/hub/conftest.py)."""
    return hub_server


@pytest.fixture
def calls(monkeypatch):
    """The desk's case requests, as they leave: ("many", [uuids]) or ("one", uuid)."""
    seen: list[tuple[str, object]] = []
    many, one = HubClient.put_bundles, HubClient.put_bundle

    def put_bundles(self, items):
        seen.append(("many", [uuid for uuid, _, _ in items]))
        return many(self, items)

    def put_bundle(self, uuid, body, parts):
        seen.append(("one", uuid))
        return one(self, uuid, body, parts)

    monkeypatch.setattr(HubClient, "put_bundles", put_bundles)
    monkeypatch.setattr(HubClient, "put_bundle", put_bundle)
    return seen


def connect(store, hub, url: str | None = None) -> sync.SyncEngine:
    sync.connect(store, hub.url, devices.add(hub.engine, "W03", OFFICE, 1))
    if url:
        settings.set_value(store.db, "hub_url", url)
    return sync.SyncEngine(store, rng=random.Random(1))


def cases_with_scans(store, n: int, seed: int, size: int = 20_000) -> list[str]:
    rng = random.Random(seed)
    uuids = [new_case(store, rng) for _ in range(n)]
    for uuid in uuids:
        attach_scans(store, uuid, [size], rng)
    return uuids


def revisions(hub) -> list[tuple[str, int]]:
    """Every revision the hub received, by case (a duplicate would show twice)."""
    return sorted((uuid, r) for uuid, row in hub_rows(hub.engine).items() for r in row["revisions"])


def once(store, uuids: list[str]) -> list[tuple[str, int]]:
    """What `revisions` is when each case arrived once, at its revision on the desk."""
    return sorted((uuid, store.load(uuid).revision) for uuid in uuids)


def test_several_cases_go_in_one_request_and_are_each_stored_once(tmp_path, hub, calls):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    uuids = cases_with_scans(store, 6, 1)
    report = engine.sync_now()
    assert report.ok and (report.sent, report.blobs_sent, report.pending) == (6, 6, 0), report
    assert calls == [("many", uuids)]  # one request for the six, no single bundle
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)
    assert revisions(hub) == once(store, uuids)
    again = engine.sync_now()
    assert (again.sent, again.replayed, again.blobs_sent) == (0, 0, 0) and len(calls) == 1


def test_an_invalid_case_among_valid_ones_is_refused_alone_with_its_reasons(tmp_path, hub, calls):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    uuids = cases_with_scans(store, 4, 2)
    bad = uuids[1]
    payload = json.loads(store.db.execute("SELECT payload FROM cases WHERE uuid = ?", [bad]).fetchone()[0])
    payload["number"] = "不合格式"  # fine for the desk, refused by the hub's shared schema
    store.db.execute("UPDATE cases SET payload = ? WHERE uuid = ?", [json.dumps(payload, ensure_ascii=False), bad])
    report = engine.sync_now()
    assert report.ok and (report.sent, report.rejected, report.pending) == (3, 1, 0), report
    assert calls == [("many", uuids)]
    assert engine.case_states(uuids) == {u: "rejected" if u == bad else "synced" for u in uuids}
    [problem] = engine.problems()
    assert problem["code"] == "invalid" and "number" in problem["reason"]
    assert set(hub_rows(hub.engine)) == set(uuids) - {bad}
    engine.sync_now()  # the refusal is kept by the writer's next group: a later request has run after it
    [row] = devices.summary(hub.engine, OFFICE)  # the supervisor sees the refusal, whichever route brought it
    assert [(r["case_uuid"], r["code"]) for r in row["refused"]] == [(bad, "invalid")]
    assert "number" in row["refused"][0]["reasons"][0] and "不合格式" not in json.dumps(row, ensure_ascii=False)


def test_an_invalid_case_in_its_own_bundle_is_kept_for_the_supervisor(tmp_path, hub, monkeypatch):
    # as against a hub without several cases a request: the case goes in its own bundle
    monkeypatch.setattr(HubClient, "put_bundles", lambda self, items: syncclient.Answer(404, {"error": {"code": "http"}}))
    one = HubClient.put_bundle
    sent = []
    monkeypatch.setattr(HubClient, "put_bundle", lambda self, *a: sent.append(a[0]) or one(self, *a))
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    [bad] = cases_with_scans(store, 1, 3)
    payload = json.loads(store.db.execute("SELECT payload FROM cases WHERE uuid = ?", [bad]).fetchone()[0])
    payload["number"] = "不合格式"
    store.db.execute("UPDATE cases SET payload = ? WHERE uuid = ?", [json.dumps(payload, ensure_ascii=False), bad])
    report = engine.sync_now()
    assert report.rejected == 1 and sent == [bad], report
    engine.sync_now()
    [row] = devices.summary(hub.engine, OFFICE)
    assert [(r["case_uuid"], r["code"]) for r in row["refused"]] == [(bad, "invalid")]


def test_a_stale_case_among_new_ones_becomes_a_conflict_and_the_others_are_acked(tmp_path, hub, calls):
    store = open_store(tmp_path / "desk")
    engine = connect(store, hub)
    [old] = cases_with_scans(store, 1, 3)
    assert engine.sync_now().sent == 1
    case = store.load(old)  # another copy of the case reached the hub as the next revision
    held = case.revision
    case.revision, case.ineligible_reason = held + 1, "另一份副本上的修改"
    token = {"Authorization": f"Bearer {syncstate.get(store.db, 'token')}"}
    body = {"revision": held + 1, "base_revision": held, "payload": case.to_dict(), "blobs": []}
    assert httpx.put(f"{hub.url}/v1/cases/{old}", json=body, headers=token).status_code == 200
    store.transition(old, "submit", actor="李晓兰")
    new = cases_with_scans(store, 3, 4)
    report = engine.sync_now()
    assert (report.sent, report.conflicts, report.pending) == (3, 1, 0), report
    assert calls[-1] == ("many", [old, *new])
    [problem] = engine.problems()
    assert problem["code"] == "revision_taken" and problem["hub_revision"] == held + 1
    assert engine.case_states([old, *new]) == {old: "conflict"} | {u: "synced" for u in new}
    assert hub_rows(hub.engine)[old]["payload"]["ineligible_reason"] == "另一份副本上的修改"  # kept, not overwritten


def test_a_damaged_part_refuses_only_its_case(tmp_path, hub):
    """On the wire (the hub's answer) and on the desk (a damaged local scan is quarantined, the rest go on)."""
    store = open_store(tmp_path / "desk")
    connect(store, hub)
    uuids = cases_with_scans(store, 3, 5)
    blobs = BlobStore.of(store.data_dir)
    items = []
    for uuid in uuids:
        case, [sha] = store.load(uuid), documents.case_blobs(store, uuid)
        items.append((uuid, {"revision": case.revision, "base_revision": 0, "payload": case.to_dict(),
                             "blobs": [sha]}, [(sha, blobs.path(sha))]))
    wrong = tmp_path / "wrong.bin"
    wrong.write_bytes(b"x" * 20_000)
    items[1] = (items[1][0], items[1][1], [(items[1][2][0][0], wrong)])
    with HubClient(hub.url, syncstate.get(store.db, "token")) as client:
        answers = client.put_bundles(items)
    assert [a.status for a in answers] == [200, 422, 200] and answers[1].code == "hash_mismatch"
    assert set(hub_rows(hub.engine)) == {uuids[0], uuids[2]}

    later = cases_with_scans(store, 3, 6)
    [sha] = documents.case_blobs(store, later[0])
    blobs.path(sha).write_bytes(b"damaged on this desk")
    engine = sync.SyncEngine(store, rng=random.Random(2))
    report = engine.sync_now()
    assert engine.case_states(later) == {later[0]: "rejected", later[1]: "synced", later[2]: "synced"}
    assert report.rejected == 1 and "已损坏" in engine.problems()[0]["reason"]


def test_a_malformed_or_oversized_request_is_refused_whole_and_stores_nothing(tmp_path, hub):
    store = open_store(tmp_path / "desk")
    connect(store, hub)
    uuids = cases_with_scans(store, 2, 7)
    headers = {"Authorization": f"Bearer {syncstate.get(store.db, 'token')}",
               "Content-Type": "application/octet-stream"}
    url = f"{hub.url}/v1/cases/bundles"
    for body in (b"12\n{\"cases\": 1}", b"not a bundle", b"2\n[]"):
        answer = httpx.put(url, content=body, headers=headers)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_bundle", answer.text
    case = store.load(uuids[0])
    one = {"uuid": case.uuid, "revision": 1, "base_revision": 0, "payload": case.to_dict(), "blobs": [],
           "parts": []}
    header = json.dumps({"cases": [one] * (bundle.MAX_CASES + 1)}).encode()
    answer = httpx.put(url, content=b"%d\n%s" % (len(header), header), headers=headers)
    assert answer.status_code == 422 and str(bundle.MAX_CASES) in answer.json()["error"]["message"]
    header = json.dumps({"cases": [one | {"parts": [{"sha256": "a" * 64, "size": 10}]}]}).encode()
    answer = httpx.put(url, content=b"%d\n%s" % (len(header), header) + b"short", headers=headers)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_bundle"
    answer = httpx.put(url, content=b"0" * (21 * 1024 * 1024), headers=headers)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
    answer = httpx.put(url, content=b"%d\n%s" % (len(header), header), headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert hub_rows(hub.engine) == {}


def test_the_lost_answer_of_a_several_case_request_is_resent_and_replayed(tmp_path, hub, calls):
    store = open_store(tmp_path / "desk")
    with FaultProxy(hub.port, lambda n: Fault("drop_response" if n == 0 else "pass")) as proxy:
        engine = connect(store, hub, proxy.url)
        uuids = cases_with_scans(store, 4, 8)
        first = engine.sync_now()
        assert not first.ok and first.pending == 4 and calls == [("many", uuids)]
        assert set(hub_rows(hub.engine)) == set(uuids)  # the hub committed all four; the answer was lost
        assert all(syncstate.case_row(store.db, u)["doubt_revision"] == store.load(u).revision for u in uuids)  # each in doubt
        second = engine.sync_now()
    assert second.ok and (second.replayed, second.sent, second.pending) == (4, 0, 0), second
    assert calls[1:] == [("one", u) for u in uuids]  # each re-sent from its own record, alone
    assert revisions(hub) == once(store, uuids)
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_a_connection_cut_mid_body_stores_nothing_and_every_case_is_sent_again(tmp_path, hub, calls):
    store = open_store(tmp_path / "desk")
    with FaultProxy(hub.port, lambda n: Fault("cut_upload", at=50_000) if n == 0 else Fault()) as proxy:
        engine = connect(store, hub, proxy.url)
        uuids = cases_with_scans(store, 4, 9)
        assert not engine.sync_now().ok and calls == [("many", uuids)]
        assert hub_rows(hub.engine) == {}
        report = engine.sync_now()
    assert report.ok and (report.sent, report.replayed, report.pending) == (4, 0, 0), report
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_a_hub_without_the_endpoint_gets_every_case_one_by_one(tmp_path, hub_config, calls):
    """A hub from before several cases a request: the path falls to `PUT /v1/cases/{uuid}`, which refuses it."""
    server = ThreadedHub(hub_config)
    server.app.fast_many = None
    server.app.router.routes[:] = [r for r in server.app.router.routes
                                   if getattr(r, "path", "") != "/v1/cases/bundles"]
    with server:
        server.blob_root = hub_config.blob_dir
        store = open_store(tmp_path / "desk")
        engine = connect(store, server)
        uuids = cases_with_scans(store, 5, 10)
        report = engine.sync_now()
        assert report.ok and (report.sent, report.pending) == (5, 0), report
        assert calls == [("many", uuids)] + [("one", u) for u in uuids]  # refused once, then alone this pass
        check_all_arrived(store, server.engine, OFFICE, server.blob_root)


def test_a_1mb_proxy_limit_sends_the_cases_one_by_one_and_a_too_big_one_waits(tmp_path, hub, calls, monkeypatch):
    monkeypatch.setattr(syncclient, "MIN_CHUNK", 2 * 1024 * 1024)  # chunks cannot shrink below the limit
    store = open_store(tmp_path / "desk")
    with BodyLimitProxy(hub.port) as proxy:
        engine = connect(store, hub, proxy.url)
        rng = random.Random(11)
        big = new_case(store, rng, service=3)
        attach_scans(store, big, [3_000_000], rng)
        others = cases_with_scans(store, 3, 12, size=600_000)  # 1.8 MB together: over nginx's 1 MB
        small = cases_with_scans(store, 2, 13)
        report = engine.sync_now()
    assert proxy.refused >= 2  # the several-case request and the big case's bundle met nginx's page
    assert ("many", [*others, *small]) in calls and all(("one", u) in calls for u in [*others, *small])
    assert report.ok and report.pending == 1 and report.rejected == 0 and report.sent == 5, report
    assert engine.case_states([big]) == {big: "pending"} and "HTTP 413" in engine.status().last_error
    assert set(hub_rows(hub.engine)) == {*others, *small}
    assert engine.problems() == []  # waiting, not quarantined
    settings.set_value(store.db, "hub_url", hub.url)  # the proxy is fixed: the big one goes too
    assert sync.SyncEngine(store).sync_now().pending == 0
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_the_writer_admits_a_request_s_cases_whole_or_refuses_them_whole(tmp_path):
    """With a group being written, jobs wait; a request's cases are queued together while fewer than the
    ceiling wait (passing it by that request), and a later request is refused whole with 503."""
    import asyncio

    from sqlalchemy import create_engine

    from hub.errors import HubError
    from hub.writer import GroupWriter

    engine = create_engine(f"sqlite:///{tmp_path / 'writer.sqlite'}")
    ran: list[int] = []

    def job(n: int):
        return lambda conn: ran.append(n) or n

    async def scenario():
        writer = GroupWriter(engine, max_waiting=3)
        await writer.lock.acquire()  # a group is being written: what comes now waits in the queue
        first = asyncio.ensure_future(writer.run_many([job(1), job(2)]))
        second = asyncio.ensure_future(writer.run_many([job(3), job(4)]))  # 2 wait, fewer than 3: all of it
        third = asyncio.ensure_future(writer.run_many([job(5), job(6)]))  # 4 wait: refused whole
        for _ in range(100):  # the tasks run up to the lock
            if third.done() and len(writer.queue) == 4:
                break
            await asyncio.sleep(0)
        writer.lock.release()
        outcomes = await asyncio.gather(first, second, third)
        writer.close()
        return outcomes

    first, second, third = asyncio.run(scenario())
    engine.dispose()
    assert first == [(1, None), (2, None)] and second == [(3, None), (4, None)] and sorted(ran) == [1, 2, 3, 4]
    assert all(result is None and isinstance(error, HubError) and error.status == 503 for result, error in third)


def test_the_writer_s_ceiling_lets_eight_desks_drain_full_batches_at_once():
    """One desk catching up queues a whole batch at once (push.BATCH cases in PARALLEL requests): a ceiling
    below a few batches would shed desks that merely came back together (docs/sync.md, the fifth pass)."""
    from desktop.sync import push
    from hub import writer

    assert writer.MAX_WAITING >= 8 * push.BATCH and push.BATCH <= push.GROUP * push.PARALLEL
