"""Limits before a route runs: 100 MB bodies refused with flat memory, rates on failed credentials, strict input."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hub import devices
from hub.limits import TINY
from tests.hub.conftest import enroll
from tests.hub.servers import HubProcess

SHA = "ab" * 32
ENDPOINTS = [("POST", "/v1/enroll"), ("GET", "/v1/hello"), ("PUT", f"/v1/blobs/{SHA}?total=104857600"),
             ("PUT", f"/v1/cases/{'1' * 8}-1111-4111-8111-{'1' * 12}"),
             ("PUT", f"/v1/cases/{'1' * 8}-1111-4111-8111-{'1' * 12}/bundle"), ("PUT", "/v1/audit"),
             ("GET", "/v1/ledger?date_from=2026-11-27&date_to=2026-11-27"), ("GET", "/v1/changes")]
HUNDRED_MB, CHUNK = 100 * 1024 * 1024, 1024 * 1024


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def send_huge(port: int, method: str, path: str, *, declared: bool, token: str) -> bytes:
    """Up to 100 MB of body (declared length or chunked) until the hub answers or hangs up; its answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    framing = f"Content-Length: {HUNDRED_MB}" if declared else "Transfer-Encoding: chunked"
    sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\n"
                 f"Content-Type: application/json\r\n{framing}\r\n\r\n".encode())
    block = b"[" * CHUNK
    try:
        for _ in range(HUNDRED_MB // CHUNK):
            sock.sendall(block if declared else b"%x\r\n%s\r\n" % (CHUNK, block))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the hub answered and closed: what we want
    try:
        answer = sock.recv(65536)
    except ConnectionResetError:
        answer = b""
    sock.close()
    return answer


@pytest.fixture(scope="module")
def hub_process(tmp_path_factory):
    hub = HubProcess(tmp_path_factory.mktemp("limits") / "hub").start()
    yield hub
    hub.stop()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_100_mb_to_every_endpoint_is_refused_and_memory_stays_flat(hub_process, declared):
    import httpx

    code = hub_process.hub_cli("device", "add", "W09", "--office", "演示县").stdout.split("：")[1].split("（")[0]
    token = httpx.post(hub_process.url + "/v1/enroll", json={"code": code}).json()["token"]
    pid = hub_process.proc.pid
    before = rss_kb(pid)
    for method, path in ENDPOINTS:
        answer = send_huge(hub_process.port, method, path, declared=declared, token=token)
        if answer:  # a hub that stops reading may answer, or the reset may beat the answer to us
            status = int(answer.split(b" ", 2)[1])
            assert status == 413 or (method == "GET" and status in (200, 422)), (path, answer[:300])
        assert rss_kb(pid) - before < 30 * 1024, f"{path}: memory grew to {rss_kb(pid)} kB from {before} kB"
    assert httpx.get(hub_process.url + "/v1/hello").json()["ok"], "the hub still answers"


def test_a_declared_oversized_body_is_refused_before_the_token_is_looked_at(hub):
    for path in ("/v1/audit", "/v1/enroll"):
        answer = hub.request("PUT" if path == "/v1/audit" else "POST", path, content=b"x" * (TINY + 1) * 5000,
                             headers={"Authorization": "Bearer nothing"})
        assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
        assert "上限" in answer.json()["error"]["message"]
    assert hub.post("/v1/enroll", content=b'{"code": "' + b"1" * TINY + b'"}').status_code == 413
    headers = enroll(hub)
    assert hub.put("/v1/audit", json={"entries": []}, headers=headers).status_code == 200


def test_wrong_enrollment_codes_are_rate_limited_per_address(hub):
    code = devices.add(hub.engine, "W05", "演示县", 1)
    for _ in range(5):
        assert hub.post("/v1/enroll", json={"code": "WRONG-CODE"}).status_code == 403
    refused = hub.post("/v1/enroll", json={"code": code})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "too_many" and "秒后再试" in refused.json()["error"]["message"]


def test_bad_tokens_are_rate_limited_and_a_revoked_device_too(hub):
    headers = enroll(hub, "W06")
    devices.revoke(hub.engine, "W06")
    statuses = [hub.get("/v1/changes", headers=headers).status_code for _ in range(21)]
    assert statuses[:20] == [403] * 20 and statuses[20] == 429
    answer = hub.get("/v1/changes", headers={"Authorization": "Bearer unknown"})
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) <= 61


def test_wrong_supervisor_credentials_are_rate_limited(hub):
    import base64

    headers = enroll(hub, "W07", "演示县政务服务中心")
    wrong = {"X-Hub-Supervisor": base64.b64encode(b"nobody:guess").decode()}
    params = {"date_from": "2026-11-27", "date_to": "2026-11-27", "personal": 1}
    codes = [hub.get("/v1/ledger", params=params, headers=headers | wrong).status_code for _ in range(6)]
    assert codes == [403] * 5 + [429]


@pytest.mark.parametrize(("method", "path", "extra"), [
    ("GET", "/v1/changes?since=1e23", {}),
    ("GET", f"/v1/changes?since={10**30}", {}),
    ("GET", "/v1/changes?since=-1", {}),
    ("GET", "/v1/changes", {"X-Desk-Pending": "-3"}),
    ("GET", "/v1/changes", {"X-Desk-Pending": str(10**30)}),
    ("GET", f"/v1/blobs/{SHA}%0A", {}),
    ("PUT", f"/v1/blobs/{SHA}?total={10**30}", {}),
])
def test_bad_cursors_headers_and_hashes_are_refused_not_500(hub, method, path, extra):
    headers = enroll(hub) | extra
    answer = hub.request(method, path, headers=headers, content=b"")
    assert answer.status_code == 422, answer.text
    assert answer.json()["ok"] is False


def test_hashes_must_match_exactly(hub):
    from desktop.protocol import schema

    assert schema.is_sha256(SHA) and not schema.is_sha256(SHA + "\n") and not schema.is_sha256(SHA.upper())
    headers = enroll(hub)
    entry = {"id": 1, "at": "2026-11-27T09:00:00+08:00", "device": "W03", "username": "", "action": "login",
             "case_uuid": None, "detail": {}, "prev_hash": "0" * 64 + "\n", "hash": SHA}
    assert hub.put("/v1/audit", json={"entries": [entry]}, headers=headers).status_code == 422
    huge = {"revision": 2**64, "base_revision": 0, "payload": {}, "blobs": []}
    assert hub.put(f"/v1/cases/{'1' * 8}-1111-4111-8111-{'1' * 12}", json=huge, headers=headers).status_code == 422
