"""The desk's sync core against a real hub on loopback: drain, replay, conflicts, quarantine, statuses, auth."""

from __future__ import annotations

import http.server
import json
import random
import threading

import pytest

from desktop.domain.errors import DeskError, ValidationError
from desktop.protocol import schema as syncschema
from desktop.sync import apply as syncapply, engine as sync, state as syncstate
from hub import cases as hub_cases, devices
from hub.config import HubConfig
from tests.hub.deskside import attach_scans, check_all_arrived, hub_cases as hub_rows, new_case
from tests.hub.servers import ThreadedHub
from tests.sync.conftest import OFFICE


@pytest.fixture
def portal():
    """A captive portal: every request gets 200 and an HTML login page."""

    class Portal(http.server.BaseHTTPRequestHandler):
        def _page(self):
            self.rfile.read(int(self.headers.get("content-length") or 0))
            body = "<html><body>请先登录本WiFi</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = _page

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_backoff_doubles_with_jitter_up_to_a_cap():
    rng = random.Random(1)
    assert sync.backoff_delay(0, rng) == 0
    for failures in range(1, 15):
        ceiling = min(sync.BACKOFF_CAP, sync.BACKOFF_BASE * 2 ** (failures - 1))
        delays = [sync.backoff_delay(failures, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # jittered, not in step
    told = [sync.backoff_delay(1, rng, retry_after=120) for _ in range(200)]
    assert all(120 <= d <= 180 for d in told) and max(told) - min(told) > 30  # the hub's wait, spread
    assert sync.backoff_delay(1, rng, retry_after=10**6) == sync.BACKOFF_CAP


def test_cases_with_scans_arrive_once_and_a_second_pass_sends_nothing(store, hub, engine):
    rng = random.Random(3)
    uuids = [new_case(store, rng) for _ in range(4)]
    for uuid in uuids[:3]:
        attach_scans(store, uuid, [200_000, 50_000], rng)
    assert engine.status().pending == 4
    report = engine.sync_now()
    assert report.ok and report.sent == 4 and report.blobs_sent == 6 and report.pending == 0
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)
    assert set(engine.case_states(uuids).values()) == {"synced"}
    again = engine.sync_now()
    assert (again.sent, again.replayed, again.blobs_sent) == (0, 0, 0)
    status = engine.status()
    assert status.last_success_at and status.last_error is None and "全部已上传" in status.summary()


def test_a_captive_portal_is_not_success(store, engine, portal):
    from desktop.storage import settings

    uuid = new_case(store, random.Random(4))
    settings.set_value(store.db, "hub_url", portal)
    report = engine.sync_now()
    assert not report.ok and "认证页面" in report.errors[0]
    assert engine.case_states([uuid]) == {uuid: "pending"}
    assert {r["state"] for r in store.db.query("SELECT state FROM outbox")} == {"pending"}
    assert "认证页面" in engine.status().last_error
    with pytest.raises(DeskError, match="认证页面"):
        sync.connect(store, portal, "AAAAA-BBBBB")


def test_a_rejected_case_is_quarantined_and_the_queue_goes_on(store, hub, engine):
    rng = random.Random(5)
    bad, good = new_case(store, rng), new_case(store, rng)
    payload = json.loads(store.db.execute("SELECT payload FROM cases WHERE uuid = ?", [bad]).fetchone()[0])
    payload["number"] = "不合格式"  # fine for the desk, refused by the hub's shared schema
    store.db.execute("UPDATE cases SET payload = ? WHERE uuid = ?", [json.dumps(payload, ensure_ascii=False), bad])
    report = engine.sync_now()
    assert report.ok and report.rejected == 1 and report.sent == 1
    assert engine.case_states([bad, good]) == {bad: "rejected", good: "synced"}
    [problem] = engine.problems()
    assert problem["kind"] == "rejected" and "number" in problem["reason"] and problem["code"] == "invalid"
    assert bad not in hub_rows(hub.engine)
    engine.resolve(bad, "dismiss", actor="李晓兰")
    assert engine.problems() == [] and engine.case_states([bad]) == {bad: "reviewed"}
    assert store.events(bad)[-1]["kind"] == "sync_rejection_reviewed"


def _edit_on_hub(hub, store, uuid, token_headers):
    """Another copy of the case reached the hub as revision 2 (e.g. a desk restored from a backup)."""
    import httpx

    case = store.load(uuid)
    case.revision, case.ineligible_reason = 2, "另一份副本上的修改"
    body = {"revision": 2, "base_revision": 1, "payload": case.to_dict(), "blobs": []}
    assert httpx.put(f"{hub.url}/v1/cases/{uuid}", json=body, headers=token_headers).status_code == 200
    return case.to_dict()


@pytest.mark.parametrize("action", ["keep_local", "take_hub"])
def test_a_conflict_is_refused_shown_and_resolved_by_the_clerk(store, hub, engine, action):
    uuid = new_case(store, random.Random(6))
    assert engine.sync_now().sent == 1
    headers = {"Authorization": f"Bearer {syncstate.get(store.db, 'token')}"}
    hub_version = _edit_on_hub(hub, store, uuid, headers)
    local = store.transition(uuid, "submit", actor="李晓兰")
    report = engine.sync_now()
    assert report.conflicts == 1 and engine.case_states([uuid]) == {uuid: "conflict"}
    assert hub_rows(hub.engine)[uuid]["payload"] == hub_version  # the hub kept its copy
    assert store.load(uuid).to_dict() == local.to_dict()  # and so did the desk
    [problem] = engine.problems()
    assert problem["code"] == "revision_taken" and problem["hub_revision"] == 2 and "服务器上为第 2 版" in problem["reason"]
    assert engine.sync_now().conflicts == 0  # not re-sent while unresolved
    engine.resolve(uuid, action, actor="李晓兰")
    assert engine.problems() == [] and engine.case_states([uuid]) == {uuid: "pending"}
    assert engine.sync_now().sent == 1
    on_hub = hub_rows(hub.engine)[uuid]
    assert on_hub["revision"] == 3 and on_hub["revisions"] == [1, 2, 3]
    expected = "另一份副本上的修改" if action == "take_hub" else ""
    assert on_hub["payload"]["ineligible_reason"] == expected and store.load(uuid).ineligible_reason == expected
    assert engine.case_states([uuid]) == {uuid: "synced"}


def test_hub_statuses_reach_the_timeline_as_revisions_the_hub_holds_too(store, hub, engine):
    uuid = new_case(store, random.Random(8), service=3)
    engine.sync_now()
    number, revision = store.load(uuid).number, store.load(uuid).revision
    hub_cases.set_status(hub.engine, number, "办理中", department="县民政局")
    hub_cases.set_status(hub.engine, number, "已办结", note="已发放", department="县民政局")
    report = engine.sync_now()
    assert report.changes_received == 2 and report.changes_applied == 2
    case = store.load(uuid)
    assert case.state == "completed" and {i.status for i in case.items} == {"completed"}
    # each status is a new revision, sent in the same pass: never two payloads under one revision number
    assert case.revision == revision + 2 and report.sent == 1
    assert hub_rows(hub.engine)[uuid]["revision"] == case.revision
    assert syncschema.payload_hash(hub_rows(hub.engine)[uuid]["payload"]) == syncschema.payload_hash(case.to_dict())
    events = [e for e in store.events(uuid) if e["kind"] == "hub_status"]
    assert [e["detail"]["state"] for e in events] == ["in_progress", "completed"]
    assert events[-1]["actor"] == "县民政局" and events[-1]["detail"]["note"] == "已发放"
    assert engine.sync_now().sent == 0
    assert syncstate.counts(store.db)["pending"] == 0


def test_a_status_waits_while_the_case_has_a_revision_in_flight(store):
    uuid = new_case(store, random.Random(9), service=3)
    syncapply.store_changes(store, [{"id": 5, "kind": "status", "case_uuid": uuid, "state": "completed",
                                     "item": "", "note": "", "department": "", "at": "x"}], 5, "now")
    assert syncapply.apply_inbox(store, "now")["waiting"] == 1
    assert store.load(uuid).state == "accepted"
    store.db.execute("UPDATE outbox SET state = 'acked'")
    assert syncapply.apply_inbox(store, "now")["applied"] == 1
    assert store.load(uuid).state == "completed"


def test_a_revoked_device_stops_and_asks_to_enroll_again(store, hub, engine):
    new_case(store, random.Random(10))
    devices.revoke(hub.engine, "W03")
    report = engine.sync_now()
    assert not report.ok and "需要重新登记设备" in report.errors[0]
    status = engine.status()
    assert status.auth_required and "需要重新登记设备" in status.last_error
    assert engine.tick() is None  # no hammering after an auth failure
    sync.connect(store, hub.url, devices.add(hub.engine, "W03", None, 1))
    assert engine.tick().sent == 1


def test_rows_left_sending_go_back_to_pending_at_start(store, hub, engine):
    uuid = new_case(store, random.Random(11))
    store.db.execute("UPDATE outbox SET state = 'sending'")
    fresh = sync.SyncEngine(store)
    assert fresh.requeued == 1 and fresh.case_states([uuid]) == {uuid: "pending"}
    assert fresh.sync_now().sent == 1


def test_connect_refuses_in_plain_chinese(store, hub):
    with pytest.raises(ValidationError, match="登记码无效"):
        sync.connect(store, hub.url, "WRONG-CODE1")
    with pytest.raises(ValidationError, match="http://"):
        sync.connect(store, "10.0.0.1:8760", "X")
    with pytest.raises(DeskError, match="无法连接"):
        sync.connect(store, "http://127.0.0.1:9", "X")
    with pytest.raises(DeskError, match="尚未连接"):
        sync.SyncEngine(store).sync_now()


def test_a_new_hub_gets_every_case_again(store, hub, engine, tmp_path):
    uuids = [new_case(store, random.Random(12 + i)) for i in range(2)]
    attach_scans(store, uuids[0], [10_000], random.Random(1))
    assert engine.sync_now().sent == 2
    config = HubConfig(data_dir=tmp_path / "hub2", db_url=f"sqlite:///{tmp_path / 'hub2.sqlite'}")
    with ThreadedHub(config) as second:
        result = sync.connect(store, second.url, devices.add(second.engine, "W03", OFFICE, 1))
        assert result["requeued"] == 2
        report = sync.SyncEngine(store).sync_now()
        assert report.sent == 2 and report.blobs_sent == 1
        check_all_arrived(store, second.engine, OFFICE, config.blob_dir)


def test_synced_only_when_the_hub_lists_every_scan(store, hub, engine):
    """The hub lost a scan the desk believed it held (a restore from backup): the desk notices from the
    answer's blob list, sends it again, and only then counts the case as synced."""
    from sqlalchemy import delete

    from hub.db import office_blobs

    rng = random.Random(13)
    uuid = new_case(store, rng)
    [sha] = attach_scans(store, uuid, [60_000], rng)
    engine.sync_now()
    with hub.engine.begin() as conn:
        conn.execute(delete(office_blobs).where(office_blobs.c.sha256 == sha))
    (hub.blob_root / sha[:2] / sha).unlink()
    store.transition(uuid, "submit", actor="李晓兰")
    report = engine.sync_now()
    assert report.ok and report.sent == 1 and report.blobs_sent == 1
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_a_hub_without_bundles_gets_the_scans_one_by_one(store, hub, engine, monkeypatch):
    from desktop.sync.client import Answer, HubClient

    calls = []

    def old_hub(self, *args):
        calls.append(args[0])
        return Answer(404, {"hub": "yijianshi-hub", "ok": False, "error": {"code": "http", "message": "没有这个接口"}})

    monkeypatch.setattr(HubClient, "put_bundle", old_hub)
    monkeypatch.setattr(HubClient, "put_bundles", old_hub)  # nor several cases a request
    rng = random.Random(14)
    uuids = [new_case(store, rng) for _ in range(2)]
    for uuid in uuids:
        attach_scans(store, uuid, [30_000], rng)
    report = engine.sync_now()
    assert report.sent == 2 and report.blobs_sent == 2 and calls
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)


def test_signatures_given_on_screen_travel_with_the_case_like_its_scans(store, hub, engine):
    from desktop.storage import esign

    rng = random.Random(21)
    uuid = new_case(store, rng)
    images = [bytes([0x89]) + b"PNG-signature-%d" % n for n in range(3)]  # the hub keeps bytes, it does not decode
    esign.save(store, uuid, [esign.Given(p, s, png, "0123456789abcdef") for (p, s), png in
                             zip((("mandate", "principal"), ("consent", "principal"), ("mandate", "proxy")), images,
                                 strict=True)], actor="李晓兰")
    report = engine.sync_now()
    assert report.ok and report.blobs_sent == 3
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)  # each signature's blob held by the hub


def test_a_pass_cut_mid_queue_leaves_the_unsent_batches_pending_not_in_doubt(store, hub, engine, monkeypatch):
    """A batch is marked sending only when it goes, so the batches after a failure stay pending, not in doubt."""
    from desktop.sync import push
    from desktop.sync.client import HubClient, HubFailureError

    real, calls = HubClient.put_bundles, []

    def hub_goes_away(self, items):
        calls.append(items)
        if len(calls) > 1:  # the first batch's request arrives, then the hub is gone
            raise HubFailureError("unreachable", "无法连接县级汇聚服务器")
        return real(self, items)

    monkeypatch.setattr(push, "BATCH", 2)
    monkeypatch.setattr(HubClient, "put_bundles", hub_goes_away)
    rng = random.Random(31)
    uuids = [new_case(store, rng) for _ in range(6)]
    for uuid in uuids:
        attach_scans(store, uuid, [10_000], rng)
    assert not engine.sync_now().ok
    assert all(syncstate.case_row(store.db, u)["acked_revision"] for u in uuids[:2])  # the first batch landed
    assert all(syncstate.case_row(store.db, u)["doubt_body"] for u in uuids[2:4])  # they left: in doubt
    untouched = [syncstate.case_row(store.db, u)["doubt_body"] for u in uuids[4:]]
    states = {r[0] for r in store.db.execute(
        f"SELECT state FROM outbox WHERE case_uuid IN ({','.join('?' * 2)})", uuids[4:]).fetchall()}
    assert untouched == [None, None] and states == {"pending"}, (untouched, states)
    monkeypatch.setattr(HubClient, "put_bundles", real)
    report = engine.sync_now()
    assert report.ok and report.pending == 0 and report.sent == 4
    check_all_arrived(store, hub.engine, OFFICE, hub.blob_root)
    assert len(hub_rows(hub.engine)) == 6
