"""Accounts: hashing parameters, first run, lockout and its expiry, forced change, reveal, administration."""

from __future__ import annotations

import datetime as dt
import json
import random

import argon2
import pytest

from desktop.accounts import passwords
from desktop.accounts.roles import Area
from desktop.accounts.staff import AccountError, Accounts, PermissionDeniedError, lock_minutes
from desktop.domain.errors import ValidationError
from desktop.intake import demo
from desktop.storage import audit, settings

T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PASSWORD = "chuang-kou-2026"


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def cheap_hasher() -> argon2.PasswordHasher:
    # Fast parameters for behaviour tests; the desk's own parameters are asserted in test_hash_parameters.
    return argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(store, clock) -> Accounts:
    return Accounts(store.db, clock=clock, hasher=cheap_hasher())


@pytest.fixture
def admin(accounts):
    accounts.create_admin("admin", "黄建华", "admin-password")
    return accounts.login("admin", "admin-password")


def trail(accounts: Accounts) -> list[tuple[str, str, dict]]:
    return [(e["username"], e["action"], e["detail"]) for e in audit.export(accounts.db)]


def test_hash_parameters_meet_owasp(store):
    hasher = passwords.default_hasher()
    assert hasher.type is argon2.Type.ID
    assert hasher.memory_cost >= passwords.OWASP_MINIMUM["memory_cost"] == 19456
    assert hasher.time_cost >= passwords.OWASP_MINIMUM["time_cost"] == 2
    assert hasher.parallelism >= passwords.OWASP_MINIMUM["parallelism"] == 1
    Accounts(store.db).create_admin("admin", "黄建华", "admin-password")
    stored = store.db.execute("SELECT password_hash FROM users").fetchone()[0]
    params = argon2.extract_parameters(stored)
    assert stored.startswith("$argon2id$") and "admin-password" not in stored
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19456 and params.time_cost >= 2 and params.parallelism >= 1


def test_weak_hash_is_upgraded_at_login(store):
    Accounts(store.db, hasher=cheap_hasher()).create_admin("admin", "黄建华", "admin-password")
    Accounts(store.db).login("admin", "admin-password")
    stored = store.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert argon2.extract_parameters(stored).memory_cost == passwords.default_hasher().memory_cost


def test_first_run_creates_one_administrator(accounts, admin):
    assert accounts.any_users() and admin.role == "admin" and not admin.must_change
    with pytest.raises(AccountError, match="已有账号"):
        accounts.create_admin("root", "另一个", "another-password")
    assert [u["username"] for u in accounts.users()] == ["admin"]


def test_adding_staff_checks_every_field(accounts, admin, store):
    settings.set_value(store.db, "townships", demo.TOWNSHIPS)
    add = accounts.add_user
    with pytest.raises(ValidationError, match="用户名应为"):
        add(admin, "43052119800101001X", "张三", "窗口人员")
    with pytest.raises(ValidationError, match="已存在"):
        add(admin, "Admin", "张三", "窗口人员")
    with pytest.raises(ValidationError, match="角色应为"):
        add(admin, "zhangsan", "张三", "经理")
    with pytest.raises(ValidationError, match="姓名不能为空"):
        add(admin, "zhangsan", " ", "窗口人员")
    with pytest.raises(ValidationError, match="服务区域"):
        add(admin, "luodeming", "罗德明", "村级代办员")
    with pytest.raises(ValidationError, match="不在本机设置"):
        add(admin, "luodeming", "罗德明", "村级代办员", Area("火星乡"))
    with pytest.raises(ValidationError, match="不属于白水乡"):
        add(admin, "luodeming", "罗德明", "村级代办员", Area("白水乡", ("青山村",)))
    with pytest.raises(ValidationError, match="至少8位"):
        add(admin, "zhangsan", "张三", "窗口人员", password="short")
    initial = add(admin, "luodeming", "罗德明", "村级代办员", Area("白水乡", ("白水村",)))
    assert len(initial) >= 10
    listed = {u["username"]: u for u in accounts.users()}
    assert listed["luodeming"]["area_label"] == "白水乡：白水村" and listed["luodeming"]["must_change"]
    assert ("admin", "user.add", {"role": "village_agent", "user": "luodeming"}) in trail(accounts)


def test_only_the_administrator_manages_accounts(accounts, admin):
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password=PASSWORD, must_change=False)
    clerk = accounts.login("lixiaolan", PASSWORD)
    with pytest.raises(PermissionDeniedError, match="窗口人员无权管理账号"):
        accounts.add_user(clerk, "zhangsan", "张三", "clerk")
    with pytest.raises(PermissionDeniedError):
        accounts.reset_password(clerk, "admin")
    assert ("lixiaolan", "denied", {"action": "user.manage"}) in trail(accounts)
    with pytest.raises(AccountError, match="不能停用自己"):
        accounts.set_disabled(admin, "admin")


def test_wrong_passwords_lock_the_account_for_15_minutes(accounts, admin, clock):
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password=PASSWORD, must_change=False)
    for left in (4, 3, 2, 1):
        with pytest.raises(AccountError, match=f"再输错{left}次"):
            accounts.login("lixiaolan", "wrong-password")
    with pytest.raises(AccountError, match="连续输错5次，账号已锁定15分钟"):
        accounts.login("lixiaolan", "wrong-password")
    clock.advance(minutes=5, seconds=30)
    with pytest.raises(AccountError, match="请10分钟后再试"):
        accounts.login("lixiaolan", PASSWORD)  # even the right password, while locked
    assert {u["username"]: u for u in accounts.users()}["lixiaolan"]["locked_until"] is not None
    clock.advance(minutes=9, seconds=29)
    with pytest.raises(AccountError, match="请1分钟后再试"):
        accounts.login("lixiaolan", PASSWORD)
    clock.advance(seconds=1)
    assert accounts.login("lixiaolan", PASSWORD).username == "lixiaolan"
    actions = [a for u, a, _ in trail(accounts) if u == "lixiaolan"]
    assert actions == ["login.failed"] * 5 + ["login.locked", "login.refused", "login.refused", "login"]


def test_after_a_lock_runs_out_the_count_starts_again(accounts, admin, clock):
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password=PASSWORD, must_change=False)
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.login("lixiaolan", "wrong-password")
    clock.advance(minutes=15)
    with pytest.raises(AccountError, match="再输错4次"):
        accounts.login("lixiaolan", "wrong-password")
    accounts.reset_password(admin, "lixiaolan", "reset-password-1")
    session = accounts.login("lixiaolan", "reset-password-1")
    assert session.must_change, "a reset password is an initial password"


def test_unknown_names_and_disabled_accounts(accounts, admin):
    with pytest.raises(AccountError) as exc:
        accounts.login("43052119800101001X", "whatever-pass")
    assert str(exc.value) == "用户名或密码不对" and "430521" not in str(exc.value)
    assert trail(accounts)[-1] == ("", "login.failed", {"known": False, "via": "desk"})
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password=PASSWORD, must_change=False)
    accounts.set_disabled(admin, "lixiaolan")
    with pytest.raises(AccountError, match="已停用"):
        accounts.login("lixiaolan", PASSWORD)
    accounts.set_disabled(admin, "lixiaolan", False)
    assert accounts.login(" LiXiaoLan ", PASSWORD).display_name == "李晓兰"


def test_initial_password_must_be_changed_first(accounts, admin):
    initial = accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk")
    session = accounts.login("lixiaolan", initial)
    assert session.must_change
    with pytest.raises(PermissionDeniedError, match="请先修改初始密码"):
        accounts.require(session, "case.create")
    for new, message in (("short", "至少8位"), ("LiXiaoLan", "与用户名相同"), (initial, "与原密码相同")):
        with pytest.raises(ValidationError, match=message):
            accounts.change_password(session, initial, new)
    with pytest.raises(AccountError, match="用户名或密码不对"):
        accounts.change_password(session, "not-the-old-one", PASSWORD)
    session = accounts.change_password(session, initial, PASSWORD)
    assert not session.must_change
    accounts.require(session, "case.create")
    assert not accounts.login("lixiaolan", PASSWORD).must_change
    assert ("lixiaolan", "password.change", {}) in trail(accounts)


def test_lock_and_unlock_need_the_same_persons_password(accounts, admin):
    accounts.lock(admin)
    with pytest.raises(AccountError):
        accounts.unlock(admin, "wrong-password")
    assert accounts.unlock(admin, "admin-password").username == "admin"
    assert [a for _, a, _ in trail(accounts)][-3:] == ["lock", "login.failed", "unlock"]
    assert lock_minutes(accounts.db) == 5
    settings.set_value(accounts.db, "lock_minutes", "12")
    assert lock_minutes(accounts.db) == 12
    with pytest.raises(ValidationError, match="空闲锁屏"):
        settings.set_value(accounts.db, "lock_minutes", "45")


def accepted_case(store, township="白水乡", village="白水村"):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(8), dt.date(2026, 11, 27))
    case.applicant.township, case.applicant.village = township, village
    demo.receive_all(service, case)
    return store.accept(case, actor="lixiaolan")


def test_reveal_is_audited_and_role_gated(accounts, admin, store):
    case = accepted_case(store)
    for name, role, area in (("lixiaolan", "clerk", Area()), ("luodeming", "village_agent", Area("白水乡")),
                             ("tanxiaohong", "village_agent", Area("青山铺镇")), ("pengzhiyuan", "auditor", Area())):
        accounts.add_user(admin, name, "测试", role, area, PASSWORD, must_change=False)
    clerk = accounts.login("lixiaolan", PASSWORD)
    assert accounts.reveal(clerk, case.uuid, "applicant.id_number") == case.applicant.id_number
    assert accounts.reveal(accounts.login("luodeming", PASSWORD), case.uuid, "applicant.phone") == case.applicant.phone
    with pytest.raises(PermissionDeniedError, match="不在您的服务区域"):
        accounts.reveal(accounts.login("tanxiaohong", PASSWORD), case.uuid, "applicant.id_number")
    with pytest.raises(PermissionDeniedError, match="审计员无权"):
        accounts.reveal(accounts.login("pengzhiyuan", PASSWORD), case.uuid, "applicant.id_number")
    with pytest.raises(PermissionDeniedError, match="管理员无权"):
        accounts.reveal(admin, case.uuid, "applicant.id_number")
    with pytest.raises(ValidationError, match="只能查看"):
        accounts.reveal(clerk, case.uuid, "applicant.address")
    reveals = [(e["username"], e["case_uuid"], e["detail"]) for e in audit.export(store.db) if e["action"] == "case.reveal"]
    assert reveals == [("lixiaolan", case.uuid, {"field": "applicant.id_number"}),
                       ("luodeming", case.uuid, {"field": "applicant.phone"})]
    denied = [e["username"] for e in audit.export(store.db) if e["action"] == "denied"]
    assert denied == ["tanxiaohong", "pengzhiyuan", "admin"]
    raw = json.dumps(audit.export(store.db), ensure_ascii=False)
    assert case.applicant.id_number not in raw and case.applicant.phone not in raw


def test_names_for_views(accounts, admin):
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password=PASSWORD)
    assert accounts.names() == {"admin": "黄建华", "lixiaolan": "李晓兰"}


def test_meanwhile_runs_on_this_thread_while_the_password_is_checked_on_another(accounts, admin, monkeypatch):
    """The desk imports its window during argon2's check (issue 16): the check must not wait for `meanwhile`
    to end, nor `meanwhile` for the check; a wrong password still fails, with `meanwhile` done all the same."""
    import threading

    started, seen = threading.Event(), []
    real = passwords.matches

    def check(hasher, stored, password):
        seen.append(("check", threading.current_thread() is threading.main_thread(), started.wait(timeout=30)))
        return real(hasher, stored, password)

    def meanwhile():
        seen.append(("meanwhile", threading.current_thread() is threading.main_thread()))
        started.set()

    monkeypatch.setattr(passwords, "matches", check)
    session = accounts.login("admin", "admin-password", meanwhile=meanwhile)
    assert session.username == "admin"
    assert sorted(seen) == [("check", False, True), ("meanwhile", True)]
    seen.clear()
    started.clear()
    with pytest.raises(AccountError):
        accounts.login("admin", "wrong-password", meanwhile=meanwhile)
    assert sorted(seen) == [("check", False, True), ("meanwhile", True)]
    assert trail(accounts)[-1][1] == "login.failed"
