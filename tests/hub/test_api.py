"""The hub's API semantics on SQLite and PostgreSQL: envelope, auth, idempotency, conflicts, blobs, feed."""

from __future__ import annotations

import hashlib
import json
import os

from desktop.protocol import schema as syncschema
from tests.hub.conftest import enroll, sample_case


def put(client, headers, case, *, base=0, blobs=()):
    body = {"revision": case.revision, "base_revision": base, "payload": case.to_dict(), "blobs": list(blobs)}
    return client.put(f"/v1/cases/{case.uuid}", json=body, headers=headers)


def test_every_answer_is_the_envelope_even_errors(hub):
    for response in (hub.get("/v1/hello"), hub.get("/v1/changes"), hub.get("/nowhere"),
                     hub.post("/v1/enroll", json={"code": "AAAAA-BBBBB"}), hub.post("/v1/enroll", content=b"x")):
        assert syncschema.is_envelope(response.json()), response.text
        assert response.headers["content-type"].startswith("application/json")
    assert hub.get("/v1/changes").status_code == 401
    assert hub.get("/v1/hello").json()["ok"] is True
    paths = hub.get("/openapi.json").json()["paths"]  # the machine-readable protocol (docs/sync.md)
    assert {"/v1/cases/{case_uuid}", "/v1/cases/{case_uuid}/bundle", "/v1/blobs/{sha256}", "/v1/changes",
            "/v1/enroll", "/v1/devices/summary"} <= set(paths)


def test_enrollment_code_is_one_time_and_revocation_is_403(hub):
    from hub import devices

    code = devices.add(hub.engine, "L12", "白水乡便民服务中心", 1)
    first = hub.post("/v1/enroll", json={"code": code.lower().replace("-", " ")})
    assert first.json()["office"] == "白水乡便民服务中心"
    again = hub.post("/v1/enroll", json={"code": code})
    assert again.status_code == 403 and again.json()["error"]["code"] == "bad_code"
    headers = {"Authorization": f"Bearer {first.json()['token']}"}
    assert hub.get("/v1/changes", headers=headers).status_code == 200
    devices.revoke(hub.engine, "L12")
    assert hub.get("/v1/changes", headers=headers).status_code == 403
    devices.add(hub.engine, "L12", None, 1)  # re-issued: the old token stays dead
    assert hub.get("/v1/changes", headers=headers).status_code == 401
    assert hub.get("/v1/changes", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_only_token_hashes_are_stored(hub):
    from sqlalchemy import select

    from hub.db import devices as table

    headers = enroll(hub)
    token = headers["Authorization"].split()[1]
    with hub.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(table)).all()]
    assert token not in repr(stored)
    assert hashlib.sha256(token.encode()).hexdigest() in repr(stored)


def test_put_is_idempotent_and_conflicts_are_refused(hub):
    headers = enroll(hub)
    case = sample_case()
    first = put(hub, headers, case)
    assert first.status_code == 200 and first.json()["replayed"] is False and first.json()["revision"] == 1
    again = put(hub, headers, case)
    assert again.status_code == 200 and again.json()["replayed"] is True
    original = hub.get(f"/v1/cases/{case.uuid}", headers=headers).json()["case"]
    changed = sample_case()
    changed.uuid, changed.ineligible_reason = case.uuid, "另一台机器上的修改"
    taken = put(hub, headers, changed)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "revision_taken"
    assert taken.json()["current_revision"] == 1
    changed.revision = 2
    stale = put(hub, headers, changed, base=0)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_base"
    assert hub.get(f"/v1/cases/{case.uuid}", headers=headers).json()["case"] == original
    assert put(hub, headers, changed, base=1).json()["revision"] == 2
    assert put(hub, headers, case).json() | {"replayed": True} == put(hub, headers, case).json()


def test_invalid_case_is_422_with_reasons(hub):
    headers = enroll(hub)
    case = sample_case()
    case.state = "draft"
    bad = put(hub, headers, case)
    assert bad.status_code == 422 and any("state" in r for r in bad.json()["reasons"])
    body = {"revision": "1", "base_revision": 0, "payload": {}, "blobs": []}
    assert hub.put(f"/v1/cases/{case.uuid}", json=body, headers=headers).status_code == 422
    payload = sample_case().to_dict() | {"applicant": {"name": 3}}
    body = {"revision": 1, "base_revision": 0, "payload": payload, "blobs": []}
    reasons = hub.put(f"/v1/cases/{payload['uuid']}", json=body, headers=headers).json()["reasons"]
    assert "payload.applicant.name：应为文本" in reasons


def test_an_office_sees_only_its_own_cases(hub):
    mine, theirs = enroll(hub, "W03", "甲中心"), enroll(hub, "L01", "乙中心")
    case = sample_case()
    assert put(hub, mine, case).status_code == 200
    assert hub.get(f"/v1/cases/{case.uuid}", headers=theirs).status_code == 404
    assert put(hub, theirs, case).json()["error"]["code"] == "not_yours"
    summary = hub.get("/v1/devices/summary", headers=theirs).json()
    assert [d["device"] for d in summary["devices"]] == ["L01"]


def test_blobs_are_verified_resumable_and_per_office(hub):
    mine, theirs = enroll(hub, "W03", "甲中心"), enroll(hub, "L01", "乙中心")
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    url = f"/v1/blobs/{sha}"
    wrong = hub.put(url, params={"total": len(data)}, content=data[:-1] + b"x", headers=mine)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "hash_mismatch"
    part = hub.put(url, params={"total": len(data), "offset": 0}, content=data[:100_000], headers=mine).json()
    assert part == part | {"held": False, "offset": 100_000}
    skip = hub.put(url, params={"total": len(data), "offset": 150_000}, content=data[150_000:], headers=mine)
    assert skip.status_code == 409 and skip.json()["offset"] == 100_000
    assert hub.get(url, headers=mine).json()["offset"] == 100_000
    done = hub.put(url, params={"total": len(data), "offset": 100_000}, content=data[100_000:], headers=mine)
    assert done.json()["held"] is True
    assert hub.get(url, headers=mine).json()["held"] is True
    assert hub.get(url, headers=theirs).json()["held"] is False  # another office must prove it has the bytes
    case = sample_case()
    answer = put(hub, mine, case, blobs=[sha, "0" * 64]).json()
    assert answer["blobs"] == [sha] and answer["blobs_missing"] == ["0" * 64]


def test_change_feed_by_cursor_and_office(hub):
    from hub import cases

    mine, theirs = enroll(hub, "W03", "甲中心"), enroll(hub, "L01", "乙中心")
    case = sample_case()
    put(hub, mine, case)
    cases.set_status(hub.engine, case.number, "已办结", note="部门已办结")
    cases.announce_catalog(hub.engine, "2026.12")
    feed = hub.get("/v1/changes", params={"since": 0}, headers=mine).json()
    assert [c["kind"] for c in feed["changes"]] == ["status", "catalog"]
    assert feed["changes"][0] | {"state": "completed", "case_uuid": case.uuid} == feed["changes"][0]
    assert hub.get("/v1/changes", params={"since": feed["cursor"]}, headers=mine).json()["changes"] == []
    other = hub.get("/v1/changes", headers=theirs).json()["changes"]
    assert [c["kind"] for c in other] == ["catalog"]


def test_a_desk_syncs_through_the_real_api(store, hub_server, hub_config):
    """The desk's engine against this backend: scans and cases arrive; a status comes back."""
    import random

    from desktop.sync import engine as sync
    from hub import cases, devices
    from tests.hub.deskside import attach_scans, check_all_arrived, new_case

    office = "演示县政务服务中心"
    sync.connect(store, hub_server.url, devices.add(hub_server.engine, "W03", office, 1))
    rng = random.Random(1)
    uuids = [new_case(store, rng) for _ in range(3)]
    attach_scans(store, uuids[0], [150_000, 20_000], rng)
    engine = sync.SyncEngine(store)
    assert engine.sync_now().sent == 3
    check_all_arrived(store, hub_server.engine, office, hub_config.blob_dir)
    cases.set_status(hub_server.engine, store.load(uuids[1]).number, "办理中")
    assert engine.sync_now().changes_applied == 1
    assert store.load(uuids[1]).state == "in_progress"


def _bundle(case, parts, *, blobs=None, sizes=None):
    body = {"revision": case.revision, "base_revision": 0, "payload": case.to_dict(),
            "blobs": sorted(blobs if blobs is not None else [hashlib.sha256(p).hexdigest() for p in parts])}
    meta = [{"sha256": hashlib.sha256(p).hexdigest(), "size": len(p) if sizes is None else sizes} for p in parts]
    header = json.dumps(body | {"parts": meta}).encode()
    return str(len(header)).encode() + b"\n" + header + b"".join(parts)


def test_a_bundle_stores_its_scans_before_the_case(hub, hub_config):
    headers = enroll(hub)
    parts = [os.urandom(50_000), os.urandom(70_000)]
    case = sample_case()
    answer = hub.put(f"/v1/cases/{case.uuid}/bundle", content=_bundle(case, parts), headers=headers).json()
    shas = sorted(hashlib.sha256(p).hexdigest() for p in parts)
    assert answer["ok"] and answer["replayed"] is False and answer["blobs"] == shas and answer["blobs_missing"] == []
    for part in parts:
        sha = hashlib.sha256(part).hexdigest()
        assert (hub_config.blob_dir / sha[:2] / sha).read_bytes() == part
        assert hub.get(f"/v1/blobs/{sha}", headers=headers).json()["held"] is True
    again = hub.put(f"/v1/cases/{case.uuid}/bundle", content=_bundle(case, parts), headers=headers).json()
    assert again["replayed"] is True


def test_a_bad_bundle_stores_no_case(hub):
    headers = enroll(hub)
    case, part = sample_case(), os.urandom(10_000)
    url = f"/v1/cases/{case.uuid}/bundle"
    for content, code in ((b"garbage", "bad_bundle"), (_bundle(case, [part], sizes=9_999), "bad_bundle"),
                          (_bundle(case, [part], blobs=["0" * 64]), "bad_bundle")):
        refused = hub.put(url, content=content, headers=headers)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == code
    damaged = _bundle(case, [part])
    damaged = damaged[:-1] + bytes([damaged[-1] ^ 1])
    refused = hub.put(url, content=damaged, headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "hash_mismatch"
    case.state = "draft"
    assert hub.put(url, content=_bundle(case, [part]), headers=headers).json()["error"]["code"] == "invalid"
    assert hub.get(f"/v1/cases/{case.uuid}", headers=headers).status_code == 404


def test_the_bundle_route_refuses_the_headers_and_tokens_every_device_route_refuses(hub):
    """The bundle route finds its device without FastAPI's dependencies (hub/auth.py device_of): the same
    answers as a route that uses them, for every bad header and token."""
    from hub import devices

    headers = enroll(hub, "L12")
    case = sample_case()
    bad = [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"},
           *({**headers, name: value} for name in ("X-Desk-Pending", "X-Desk-Conflicts", "X-Desk-Rejected")
             for value in ("-3", str(10**30), "many", "1000000001", "1.5", "1 2", "0x10")),
           {**headers, "X-Desk-Instance": "x" * 65}]
    for sent in bad:
        expected = hub.get("/v1/changes", headers=sent)
        answer = hub.put(f"/v1/cases/{case.uuid}/bundle", content=_bundle(case, [b"scan"]), headers=sent)
        assert (answer.status_code, answer.json()) == (expected.status_code, expected.json()), sent
        assert answer.status_code in (401, 422)
    for fine in ({**headers, "X-Desk-Pending": "3", "X-Desk-Instance": "x" * 64}, {**headers, "X-Desk-Pending": "1_000"}):
        assert hub.put(f"/v1/cases/{case.uuid}/bundle", content=_bundle(case, [b"scan"]), headers=fine).json()["ok"]
        assert hub.get("/v1/changes", headers=fine).json()["ok"]  # pydantic's int parse, on both routes
    devices.revoke(hub.engine, "L12")
    refused = hub.put(f"/v1/cases/{case.uuid}/bundle", content=_bundle(case, [b"scan"]), headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "revoked"


def test_the_bundle_route_skips_fastapis_stack_but_keeps_its_log_and_envelopes(hub_server, hub, monkeypatch, caplog):
    """The bundle upload is taken in front of FastAPI's middleware and routing (hub/bundleroute.py): the same
    answers, one access-log line each, and a bug still answered with the 500 envelope, its type logged only."""
    import logging

    from hub import bundle

    app, taken = hub_server.app, []
    fast = app.fast

    async def counted(scope, receive, send):
        taken.append(scope["path"])
        await fast(scope, receive, send)

    monkeypatch.setattr(app, "fast", counted)
    headers, case = enroll(hub), sample_case()
    url = f"/v1/cases/{case.uuid}/bundle"
    with caplog.at_level(logging.INFO, logger="hub"):
        assert hub.put(url, content=_bundle(case, [b"scan"]), headers=headers).json()["ok"]
        assert hub.put(url, content=b"garbage", headers=headers).json()["error"]["code"] == "bad_bundle"
        monkeypatch.setattr(bundle, "split", lambda body: 1 / 0)
        broken = hub.put(url, content=_bundle(case, [b"scan"]), headers=headers)
        # a later answer on the same connection: the 500's log line (written after its answer) is in
        assert hub.put(url, content=b"", headers=headers).status_code == 500
    lines = [(r.getMessage(), getattr(r, "fields", {})) for r in caplog.records]
    assert taken == [url] * 4
    assert broken.status_code == 500 and broken.json()["error"]["code"] == "internal"
    requests = [fields for event, fields in lines if event == "request" and fields["path"] == url]
    assert [r["status"] for r in requests][:3] == [200, 422, 500]
    assert requests[0]["case"] == case.uuid and requests[0]["device"] == "W03" and requests[0]["bundled"] == 1
    assert ("internal_error", {"error": "ZeroDivisionError", "path": url}) in lines
