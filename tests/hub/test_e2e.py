"""As a new user would: start the hub, enroll the desk with the printed code, make cases while the hub is
down, start it again and watch the queue drain; a status set on the hub appears on the case. All commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub.servers import HubProcess

EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples"


def desk(data_dir: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


@pytest.fixture
def hub(tmp_path):
    proc = HubProcess(tmp_path / "hub").start()
    yield proc
    proc.stop()


def test_the_new_user_walkthrough(tmp_path, hub):
    added = hub.hub_cli("device", "add", "W03", "--office", "演示县政务服务中心")
    assert added.returncode == 0, added.stderr
    code = added.stdout.split("登记码：")[1].split("（")[0]
    data = tmp_path / "desk"
    for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", "演示县政务服务中心")):
        desk(data, "settings", "set", key, value)
    assert "登记码无效" in one_line_error(desk(data, "hub", "connect", hub.url, "AAAAA-BBBBB", ok=False))
    assert "已登记" in desk(data, "hub", "connect", hub.url, code).stdout
    assert "已登记" in desk(data, "hub", "connect", hub.url, code).stdout  # its answer lost: asked again, same token
    other = tmp_path / "other-desk"
    assert "登记码无效" in one_line_error(desk(other, "hub", "connect", hub.url, code, ok=False))  # one desk only

    hub.stop()  # the network goes down; the clerk keeps working
    numbers = [json.loads(desk(data, "case", "import", str(EXAMPLES / f"{n:02d}.json"), "--json").stdout)["number"]
               for n in (1, 3, 7)]
    offline = desk(data, "sync", "--once", "--json", ok=False)
    assert offline.returncode == 1 and "无法连接" in offline.stderr
    assert json.loads(offline.stdout) | {"ok": False, "pending": 3} == json.loads(offline.stdout)
    assert "待上传 3 件" in desk(data, "hub", "status").stdout

    hub.start()  # same data dir and port: back online
    report = json.loads(desk(data, "sync", "--once", "--json").stdout)
    assert (report["ok"], report["sent"], report["pending"], report["conflicts"]) == (True, 3, 0, 0)
    assert report["audit_sent"] >= 3  # each import is on the audit trail, which goes with the cases
    again = json.loads(desk(data, "sync", "--once", "--json").stdout)
    assert (again["sent"], again["replayed"], again["audit_sent"], again["audit_replayed"]) == (0, 0, 0, 0)
    listed = json.loads(hub.hub_cli("device", "list", "--json").stdout)
    assert listed[0] | {"device": "W03", "cases_received": 3, "pending_reported": 0,
                        "audit_last_id": report["audit_sent"], "audit_refused": None} == listed[0]
    assert f"审计记录至第 {report['audit_sent']} 条" in hub.hub_cli("device", "list").stdout

    assert hub.hub_cli("status", "set", numbers[1], "已办结", "--department", "县民政局").returncode == 0
    pulled = json.loads(desk(data, "sync", "--once", "--json").stdout)
    # the status is a new revision of the case, sent in the same pass: desk and hub hold the same payload
    assert pulled["changes_applied"] == 1 and pulled["sent"] == 1 and pulled["pending"] == 0
    shown = json.loads(desk(data, "case", "show", numbers[1], "--json").stdout)
    assert shown["state"] == "completed"
    assert any(e["kind"] == "hub_status" and e["actor"] == "县民政局" for e in shown["events"])
    status = json.loads(desk(data, "hub", "status", "--json").stdout)
    assert status["pending"] == 0 and status["problems"] == [] and status["device"] == "W03"

    # the hub's log names cases by UUID and never holds a name, an ID number or a phone number
    hub_log = (hub.data_dir / "logs" / "hub.log").read_text(encoding="utf-8")
    shown_uuid = shown["uuid"]
    assert shown_uuid in hub_log
    for n in (1, 3, 7):
        applicant = json.loads((EXAMPLES / f"{n:02d}.json").read_text(encoding="utf-8"))["applicant"]
        for value in (applicant["name"], applicant["id_number"], applicant.get("phone")):
            assert not value or value not in hub_log


def test_hub_commands_refuse_in_one_chinese_line(tmp_path):
    hub = HubProcess(tmp_path / "hub")
    assert "办理点" in one_line_error(hub.hub_cli("device", "add", "L01"))
    assert "没有名为" in one_line_error(hub.hub_cli("device", "revoke", "L01"))
    assert "没有编号" in one_line_error(hub.hub_cli("status", "set", "439901-W03-20261127-0001", "已办结"))
    assert "未知状态" in one_line_error(hub.hub_cli("status", "set", "439901-W03-20261127-0001", "飞走了"))
    data = tmp_path / "desk"
    assert "尚未连接" in one_line_error(desk(data, "sync", "--once", ok=False))
    assert "用法" in one_line_error(desk(data, "hub", "resolve", "X", "nonsense", ok=False))
