"""The token cache (hub/tokens.py): a known token costs no database read, and a revoked or re-enrolled device
is refused by the very next request, by every hub process on the same data dir."""

from __future__ import annotations

import httpx
from sqlalchemy import event

from tests.hub.conftest import enroll
from tests.hub.servers import HubProcess


def test_a_known_token_is_not_read_again_and_a_revoke_ends_it_at_once(hub):
    from hub import devices

    headers = enroll(hub, "W05")
    reads: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM devices" in statement and "token_hash" in statement:
            reads.append(statement)

    event.listen(hub.engine, "before_cursor_execute", count)
    try:
        assert all(hub.get("/v1/changes", headers=headers).status_code == 200 for _ in range(20))
        assert len(reads) <= 1, f"the token was read {len(reads)} times in 20 requests"
        devices.revoke(hub.engine, "W05")
        assert hub.get("/v1/changes", headers=headers).status_code == 403
    finally:
        event.remove(hub.engine, "before_cursor_execute", count)


def test_a_re_enrolled_device_s_old_token_ends_at_once(hub):
    from hub import devices

    old = enroll(hub, "W06")
    assert hub.get("/v1/changes", headers=old).status_code == 200
    new = enroll(hub, "W06")  # a new code for the same device, used: the old token is replaced
    assert hub.get("/v1/changes", headers=old).status_code == 401
    assert hub.get("/v1/changes", headers=new).status_code == 200
    devices.add(hub.engine, "W06", None, 1)  # a code re-issued but not yet used: the current token still works
    assert hub.get("/v1/changes", headers=new).status_code == 200


def test_a_revoke_from_the_command_line_reaches_every_hub_process(tmp_path):
    first = HubProcess(tmp_path / "hub").start()
    second = HubProcess(tmp_path / "hub").start()  # a second worker on the same data dir and database
    try:
        added = first.hub_cli("device", "add", "W07", "--office", "演示县政务服务中心")
        code = added.stdout.split("登记码：")[1].split("（")[0]
        token = httpx.post(first.url + "/v1/enroll", json={"code": code}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for url in (first.url, second.url) * 3:  # each process now holds the token in memory
            assert httpx.get(url + "/v1/changes", headers=headers).status_code == 200
        assert first.hub_cli("device", "revoke", "W07").returncode == 0
        assert [httpx.get(url + "/v1/changes", headers=headers).status_code
                for url in (first.url, second.url)] == [403, 403]
    finally:
        first.stop()
        second.stop()
