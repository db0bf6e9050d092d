"""Roles on every command (docs/roles.md): case import/list/show, hub connect, sync and hub resolve need a
logged-in user with the right role, a village agent stays in their area, and the user is the recorded actor."""

from __future__ import annotations

import argon2
import pytest

from desktop.accounts.roles import Area
from desktop.accounts.staff import Accounts
from desktop.cli.main import main
from desktop.storage import audit
from tests.intake import importcorpus

PASSWORD = "mima-2026-desk"
STAFF = (("lixiaolan", "李晓兰", "clerk", Area()), ("luodeming", "罗德明", "village_agent", Area("白水乡", ("白水村",))),
         ("wanghua", "王华", "auditor", Area()))


@pytest.fixture
def desk(store, data_dir, monkeypatch):
    """A device with an administrator and one staff member of each role that matters here."""
    accounts = Accounts(store.db, hasher=argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.create_admin("admin", "黄建华", PASSWORD)
    admin = accounts.login("admin", PASSWORD)
    for username, name, role, area in STAFF:
        accounts.add_user(admin, username, name, role, area, PASSWORD, must_change=False)
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    return data_dir


def cli(data_dir, capsys, *args: str, user: str | None = None) -> tuple[int, str, str]:
    argv = [*args, "--data-dir", str(data_dir)] + (["--user", user] if user else [])
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def import_file(tmp_path, name: str, township: str, village: str):
    data = importcorpus.with_value("applicant.township", township)
    data["applicant"]["village"] = village
    path = tmp_path / f"{name}.json"
    path.write_bytes(importcorpus.dump(data))
    return path


def count(store, table: str) -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_village_agent_imports_only_inside_their_area(desk, store, tmp_path, capsys):
    inside = import_file(tmp_path, "inside", "白水乡", "白水村")
    outside = import_file(tmp_path, "outside", "白水乡", "石门村")
    before = count(store, "cases")
    code, _, err = cli(desk, capsys, "case", "import", str(outside), user="luodeming")
    assert code == 1 and "不在您的服务区域" in err
    assert count(store, "cases") == before, "nothing written"
    code, out, err = cli(desk, capsys, "case", "import", str(inside), "--json", user="luodeming")
    assert code == 0, err
    entries = [e for e in audit.export(store.db) if e["action"] == "case.create"]
    assert [e["username"] for e in entries] == ["luodeming"]


def test_case_list_and_show_follow_the_role_matrix(desk, store, tmp_path, capsys):
    cli(desk, capsys, "case", "import", str(import_file(tmp_path, "a", "白水乡", "白水村")), user="lixiaolan")
    code, out, err = cli(desk, capsys, "case", "import", str(import_file(tmp_path, "b", "石门乡", "石门村")), "--json",
                         user="lixiaolan")
    assert code == 0, err
    other = store.rows("township = '石门乡'")[0]["number"]
    code, out, _ = cli(desk, capsys, "case", "list", user="lixiaolan")
    assert code == 0 and "共 2 件" in out
    code, out, _ = cli(desk, capsys, "case", "list", user="luodeming")
    assert code == 0 and "共 1 件" in out and other not in out
    code, _, err = cli(desk, capsys, "case", "show", other, user="luodeming")
    assert code == 1 and "不在您的服务区域" in err
    for user, label in (("admin", "管理员"), ("wanghua", "审计员")):
        code, _, err = cli(desk, capsys, "case", "list", user=user)
        assert code == 1 and f"{label}无权查看案件" in err
    code, _, err = cli(desk, capsys, "case", "show", other)
    assert code == 1 and "需要登录" in err
    assert cli(desk, capsys, "case", "show", other, user="lixiaolan")[0] == 0


def test_hub_connect_sync_and_resolve_need_the_right_role(desk, store, tmp_path, capsys):
    for args in (("hub", "connect", "http://127.0.0.1:9", "AAAAA-BBBBB"), ("sync", "--once")):
        code, _, err = cli(desk, capsys, *args)
        assert code == 1 and "需要登录" in err, args
    code, _, err = cli(desk, capsys, "hub", "connect", "http://127.0.0.1:9", "AAAAA-BBBBB", user="lixiaolan")
    assert code == 1 and "窗口人员无权登记本机到县级服务器" in err
    code, _, err = cli(desk, capsys, "hub", "connect", "ftp://hub", "AAAAA-BBBBB", user="admin")
    assert code == 1 and "http://" in err, "the administrator gets past the role check to the address check"
    code, _, err = cli(desk, capsys, "sync", "--once", user="wanghua")
    assert code == 1 and "审计员无权与县级服务器同步" in err
    code, _, err = cli(desk, capsys, "sync", "--once", user="luodeming")
    assert "尚未连接" in err
    runs = [e["username"] for e in audit.export(store.db) if e["action"] == "sync.run"]
    assert runs == ["luodeming"], "the logged-in user is the recorded actor"
    cli(desk, capsys, "case", "import", str(import_file(tmp_path, "b", "石门乡", "石门村")), user="lixiaolan")
    other = store.rows("township = '石门乡'")[0]["number"]
    code, _, err = cli(desk, capsys, "hub", "resolve", other, "dismiss", user="luodeming")
    assert code == 1 and "不在您的服务区域" in err
    code, _, err = cli(desk, capsys, "hub", "resolve", other, "dismiss", user="admin")
    assert code == 1 and "管理员无权变更案件状态" in err
