"""`user …`, `audit …` and the login of `case import`, as an administrator sets up a desk: real subprocesses."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.intake import demo
from desktop.storage.db import DB_NAME

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "03.json"
README = Path(__file__).parents[2] / "README.md"


def run(*args: str, data_dir: Path, ok: bool = True, password: str | None = None,
        new_password: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DESK_PASSWORD", "DESK_NEW_PASSWORD")}
    env |= {k: v for k, v in (("DESK_PASSWORD", password), ("DESK_NEW_PASSWORD", new_password)) if v is not None}
    proc = subprocess.run([sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8")
    assert "Traceback" not in proc.stderr
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def refused(*args: str, data_dir: Path, **kw: str | None) -> str:
    proc = run(*args, data_dir=data_dir, ok=False, **kw)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


@pytest.fixture
def desk(data_dir: Path) -> Path:
    run("settings", "set", "county_code", "439901", data_dir=data_dir)
    run("settings", "set", "window_code", "W03", data_dir=data_dir)
    return data_dir


def test_fresh_device_works_without_login_until_the_first_administrator(desk):
    assert "共 0 个账号" in run("user", "list", data_dir=desk).stdout
    assert json.loads(run("case", "import", str(EXAMPLE), "--json", data_dir=desk).stdout)["state"] == "accepted"
    assert "第一个账号必须是管理员" in refused("user", "add", "lixiaolan", "--role", "窗口人员",
                                               "--display-name", "李晓兰", data_dir=desk)
    assert "还没有账号" in refused("user", "disable", "lixiaolan", data_dir=desk)
    out = run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=desk).stdout
    initial = re.search(r"初始密码：(\S+)（", out).group(1)
    assert "需要登录" in refused("case", "import", str(EXAMPLE), data_dir=desk)
    assert "请先修改初始密码" in refused("user", "add", "lixiaolan", "--role", "窗口人员", "--display-name", "李晓兰",
                                         "--user", "admin", data_dir=desk, password=initial)
    assert "至少8位" in refused("user", "password", "--user", "admin", data_dir=desk, password=initial,
                                new_password="short")
    run("user", "password", "--user", "admin", data_dir=desk, password=initial, new_password="admin-password")
    users = json.loads(run("user", "list", "--json", data_dir=desk).stdout)
    assert [(u["username"], u["role"], u["must_change"]) for u in users] == [("admin", "admin", False)]


@pytest.fixture(scope="module")
def staffed_once(tmp_path_factory) -> Path:
    """An administrator and staff set up from the command line (once: argon2 is slow on purpose)."""
    desk = tmp_path_factory.mktemp("staffed") / "帮代办 数据"
    run("settings", "set", "county_code", "439901", data_dir=desk)
    run("settings", "set", "window_code", "W03", data_dir=desk)
    run("user", "add", "admin", "--role", "admin", "--display-name", "黄建华", data_dir=desk,
        new_password="admin-password")
    for name, display in (("lixiaolan", "李晓兰"), ("zhouwenbin", "周文斌")):
        created = json.loads(run("user", "add", name, "--role", "窗口人员", "--display-name", display, "--json",
                                 "--user", "admin", data_dir=desk, password="admin-password").stdout)
        run("user", "password", "--user", name, data_dir=desk, password=created["initial_password"],
            new_password=f"{name}-pw")
    run("user", "add", "luodeming", "--role", "村级代办员", "--display-name", "罗德明", "--area", "白水乡：白水村，石门村",
        "--user", "admin", data_dir=desk, password="admin-password", new_password="agent-password")
    run("user", "add", "pengzhiyuan", "--role", "审计员", "--display-name", "彭志远",
        "--user", "admin", data_dir=desk, password="admin-password", new_password="initial-password")
    run("user", "password", "--user", "pengzhiyuan", data_dir=desk, password="initial-password",
        new_password="audit-password")
    return desk


@pytest.fixture
def staffed(staffed_once, tmp_path) -> Path:
    """A fresh copy of the staffed desk for one test."""
    return Path(shutil.copytree(staffed_once, tmp_path / "copy"))


def test_case_import_names_the_staff_member(staffed):
    assert "需要登录" in refused("case", "import", str(EXAMPLE), data_dir=staffed)
    assert "需要密码" in refused("case", "import", str(EXAMPLE), "--user", "lixiaolan", data_dir=staffed)
    assert "用户名或密码不对" in refused("case", "import", str(EXAMPLE), "--user", "lixiaolan", data_dir=staffed,
                                         password="wrong-password")
    assert "管理员无权受理案件" in refused("case", "import", str(EXAMPLE), "--user", "admin", data_dir=staffed,
                                           password="admin-password")
    assert "审计员无权" in refused("case", "import", str(EXAMPLE), "--user", "pengzhiyuan", data_dir=staffed,
                                   password="audit-password")
    assert "请先修改初始密码" in refused("case", "import", str(EXAMPLE), "--user", "luodeming", data_dir=staffed,
                                         password="agent-password")
    case = json.loads(run("case", "import", str(EXAMPLE), "--json", "--user", "lixiaolan", data_dir=staffed,
                          password="lixiaolan-pw").stdout)
    assert case["clerk"] == "李晓兰"
    shown = json.loads(run("case", "show", case["number"], "--json", "--user", "lixiaolan", data_dir=staffed,
                           password="lixiaolan-pw").stdout)
    assert shown["events"][0]["actor"] == "lixiaolan"
    assert "窗口人员无权查看审计记录" in refused("audit", "list", "--user", "lixiaolan", data_dir=staffed,
                                                 password="lixiaolan-pw")
    entries = json.loads(run("audit", "list", "--case", case["number"], "--json", "--user", "pengzhiyuan",
                             data_dir=staffed, password="audit-password").stdout)
    assert [(e["username"], e["action"]) for e in entries] == [("lixiaolan", "case.create")]
    trail = run("audit", "list", "--user", "pengzhiyuan", data_dir=staffed, password="audit-password").stdout
    assert "李晓兰  case.create" in trail and "login.failed" in trail and "denied" in trail


def test_disable_and_reset_password(staffed):
    assert "窗口人员无权管理账号" in refused("user", "disable", "zhouwenbin", "--user", "lixiaolan",
                                             data_dir=staffed, password="lixiaolan-pw")
    run("user", "disable", "zhouwenbin", "--user", "admin", data_dir=staffed, password="admin-password")
    assert "已停用" in refused("case", "import", str(EXAMPLE), "--user", "zhouwenbin", data_dir=staffed,
                               password="zhouwenbin-pw")
    users = {u["username"]: u for u in json.loads(run("user", "list", "--json", data_dir=staffed).stdout)}
    assert users["zhouwenbin"]["disabled"] and users["luodeming"]["area"] == {"township": "白水乡",
                                                                              "villages": ["白水村", "石门村"]}
    listing = run("user", "list", data_dir=staffed).stdout
    assert "已停用" in listing and "白水乡：白水村、石门村" in listing and "password" not in listing
    for _ in range(5):
        refused("case", "import", str(EXAMPLE), "--user", "lixiaolan", data_dir=staffed, password="wrong-password")
    assert "分钟后再试" in refused("case", "import", str(EXAMPLE), "--user", "lixiaolan", data_dir=staffed,
                                   password="lixiaolan-pw")
    assert "锁定至" in run("user", "list", data_dir=staffed).stdout
    out = run("user", "reset-password", "lixiaolan", "--user", "admin", data_dir=staffed,
              password="admin-password").stdout
    fresh = re.search(r"初始密码：(\S+)（", out).group(1)
    assert "请先修改初始密码" in refused("case", "import", str(EXAMPLE), "--user", "lixiaolan", data_dir=staffed,
                                         password=fresh)


def test_settings_need_the_administrator(staffed):
    assert "需要登录" in refused("settings", "set", "lock_minutes", "10", data_dir=staffed)
    assert "窗口人员无权修改本机设置" in refused("settings", "set", "lock_minutes", "10", "--user", "lixiaolan",
                                                 data_dir=staffed, password="lixiaolan-pw")
    run("settings", "set", "lock_minutes", "10", "--user", "admin", data_dir=staffed, password="admin-password")
    assert json.loads(run("settings", "show", data_dir=staffed).stdout)["lock_minutes"] == "10"
    entries = json.loads(run("audit", "list", "--json", "--user", "pengzhiyuan", data_dir=staffed,
                             password="audit-password").stdout)
    assert ("admin", "settings.edit", {"key": "lock_minutes"}) in [(e["username"], e["action"], e["detail"])
                                                                   for e in entries]


def test_audit_verify_passes_then_names_an_edited_entry(staffed):
    assert "哈希链无断点" in run("audit", "verify", data_dir=staffed).stdout
    conn = sqlite3.connect(staffed / DB_NAME, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET username = 'someone' WHERE id = 4")
    conn.close()
    assert "第4条审计记录的内容被改动" in refused("audit", "verify", "--full", data_dir=staffed)
    result = json.loads(run("audit", "verify", "--full", "--json", data_dir=staffed, ok=False).stdout)
    assert result["ok"] is False and result["broken_id"] == 4 and result["reason"] == "edited"


def test_audit_verify_walks_the_whole_chain_unless_asked_for_a_quick_check(staffed):
    """On demand the auditor gets the full walk (the desk's login uses the checkpoint, issue 16)."""
    first = json.loads(run("audit", "verify", "--json", data_dir=staffed).stdout)
    assert first["ok"] and first["full"] and first["walked_from"] == 0 and first["hub"] is None
    text = run("audit", "verify", data_dir=staffed).stdout
    assert "（全链校验）" in text and "尚无县级服务器核对点" in text
    quick = run("audit", "verify", "--quick", data_dir=staffed).stdout
    assert f"快速校验：自核对点第{first['entries']}条起" in quick and "上次全链校验于刚才" in quick


def test_demo_staff_are_documented_and_can_log_in(tmp_path):
    rows = re.findall(r"^\| `([a-z]+)` \| (\S+) \| (\S+) \|", README.read_text(encoding="utf-8"), re.M)
    from desktop.accounts.roles import ROLES

    assert rows == [(u, d, ROLES[r]) for u, d, r, _ in demo.STAFF]
    assert f"`{demo.DEMO_PASSWORD}`" in README.read_text(encoding="utf-8")
    target = tmp_path / "演示"
    run("demo", "--days", "3", data_dir=target)
    assert "哈希链无断点" in run("audit", "verify", data_dir=target).stdout
    entries = json.loads(run("audit", "list", "--json", "--user", "pengzhiyuan", data_dir=target,
                             password=demo.DEMO_PASSWORD).stdout)
    assert {e["username"] for e in entries if e["action"] == "case.create"} <= {"lixiaolan", "zhouwenbin", "chenxuemei"}
    listed = json.loads(run("case", "list", "--json", "--user", "lixiaolan", data_dir=target,
                            password=demo.DEMO_PASSWORD).stdout)
    assert {c["clerk"] for c in listed} <= set(demo.CLERKS)
