"""工号: a staff account's number, set with `user add|edit`, printed where papers name the staff member (the
委托书's 受托人 box, the receipt's 受理人), kept on the case from acceptance. Real subprocesses and PDFs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop.accounts.staff import Accounts
from desktop.domain import catalog as catalog_mod
from desktop.domain.errors import ValidationError
from desktop.intake import demo
from desktop.storage import audit
from desktop.storage.store import Store
from tests.cli.test_accounts import EXAMPLE, refused, run
from tests.forms.conftest import ACCEPTED_AT, accept, draft, pypdf_text, render, squeeze

ADMIN = "Admin-2026x"
CLERK = "Clerk-2026x"


@pytest.fixture
def desk(data_dir: Path) -> Path:
    for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", "演示县政务服务中心")):
        run("settings", "set", key, value, data_dir=data_dir)
    run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", "--staff-no", "xz0001",
        data_dir=data_dir, new_password=ADMIN)
    return data_dir


def as_admin(*args: str, desk: Path, ok: bool = True):
    return run(*args, "--user", "admin", data_dir=desk, password=ADMIN, ok=ok)


def test_the_command_line_adds_edits_and_lists_staff_numbers(desk):
    as_admin("user", "add", "chenxuemei", "--role", "窗口人员", "--display-name", "陈雪梅", "--staff-no", "XZ0303",
             desk=desk)
    users = {u["username"]: u for u in json.loads(run("user", "list", "--json", data_dir=desk).stdout)}
    assert (users["admin"]["staff_no"], users["chenxuemei"]["staff_no"]) == ("XZ0001", "XZ0303")
    assert re.search(r"chenxuemei\s+陈雪梅\s+工号XZ0303", run("user", "list", data_dir=desk).stdout)
    assert "工号“XZ0303”已用于账号 chenxuemei" in refused(
        "user", "edit", "admin", "--staff-no", "xz0303", "--user", "admin", data_dir=desk, password=ADMIN)
    assert "工号应为1–20位字母、数字或 -" in refused(
        "user", "edit", "chenxuemei", "--staff-no", "XZ 03", "--user", "admin", data_dir=desk, password=ADMIN)
    assert "请指定要修改的姓名或工号" in refused("user", "edit", "chenxuemei", "--user", "admin", data_dir=desk,
                                                 password=ADMIN)
    assert "已修改账号：chenxuemei" in as_admin("user", "edit", "chenxuemei", "--staff-no", "XZ0310", desk=desk).stdout
    assert "没有这个用户名的账号" in refused("user", "edit", "nobody", "--staff-no", "1", "--user", "admin",
                                              data_dir=desk, password=ADMIN)
    users = {u["username"]: u for u in json.loads(run("user", "list", "--json", data_dir=desk).stdout)}
    assert users["chenxuemei"]["staff_no"] == "XZ0310" and users["chenxuemei"]["display_name"] == "陈雪梅"
    store = Store.open(desk, catalog_mod.load())
    try:
        edits = [e for e in audit.export(store.db) if e["action"] == "user.edit"]
        assert [e["detail"] for e in edits] == [{"user": "chenxuemei", "fields": ["staff_no"]}]  # the field, not the value
    finally:
        store.close()


def test_an_imported_case_carries_the_clerks_and_the_staff_proxys_numbers_onto_paper(desk, tmp_path):
    as_admin("user", "add", "lixiaolan", "--role", "窗口人员", "--display-name", "李晓兰", "--staff-no", "XZ0301",
             desk=desk)
    as_admin("user", "add", "chenxuemei", "--role", "窗口人员", "--display-name", "陈雪梅", "--staff-no", "XZ0303",
             desk=desk)
    store = Store.open(desk, catalog_mod.load())
    try:
        _set_password(store, "lixiaolan")
    finally:
        store.close()
    # the example's 受托人 is 陈雪梅, a window clerk, without a 工号 in the file: the import finds her account's
    case = json.loads(run("case", "import", str(EXAMPLE), "--json", "--user", "lixiaolan", data_dir=desk,
                          password=CLERK).stdout)
    out = tmp_path / "委托书.pdf"
    run("print", "consent", case["number"], "--out", str(out), "--user", "lixiaolan", data_dir=desk, password=CLERK)
    text = squeeze(pypdf_text(out.read_bytes()))
    assert "受托人陈雪梅（窗口帮代办人员）工号XZ0303" in text
    run("print", "receipt", case["number"], "--out", str(out), "--user", "lixiaolan", data_dir=desk, password=CLERK)
    text = squeeze(pypdf_text(out.read_bytes()))
    assert "受理人李晓兰（工号XZ0301）" in text and "经办人李晓兰（工号XZ0301）W03窗口" in text


def _set_password(store: Store, username: str) -> None:
    """The clerk's own password CLERK, no forced change (as the demo staff have)."""
    from desktop.accounts import passwords

    store.db.execute("UPDATE users SET password_hash = ?, must_change = 0 WHERE username = ?",
                     [passwords.default_hasher().hash(CLERK), username])


def test_the_demo_staff_have_numbers_and_the_demo_staff_proxies_print_them(store):
    demo.demo_staff(store.db)
    numbers = {u["username"]: u["staff_no"] for u in Accounts(store.db).users()}
    assert numbers == demo.STAFF_NUMBERS and len(set(numbers.values())) == len(numbers)
    data = draft(store, 7, seed=71)
    data.proxy_kind, data.proxy.name, data.clerk = "clerk", "周文斌", "李晓兰"  # the wizard names the clerk
    data.proxy.staff_no = Accounts(store.db).staff_numbers()["周文斌"]
    case = accept(store, data)
    assert case.clerk_no == "XZ0301"  # accepted by lixiaolan (tests.forms.conftest.accept)
    text = squeeze(pypdf_text(render(store, "consent", case)))
    assert "工号XZ0302" in text and "演示县政务服务中心" in text
    assert "窗口工作人员李晓兰（工号XZ0301）" in squeeze(pypdf_text(render(store, "rating", case)))


def test_a_clerk_named_differently_from_the_account_accepting_gets_no_number(store):
    demo.demo_staff(store.db)
    data = draft(store, 3, seed=3)
    data.clerk = "另一位"
    assert store.accept(data, actor="lixiaolan", now=ACCEPTED_AT).clerk_no == ""
    with pytest.raises(ValidationError, match="工号应为"):
        session = Accounts(store.db).login("admin", demo.DEMO_PASSWORD)
        Accounts(store.db).add_user(session, "newclerk", "新人", "窗口人员", password="Newclerk-2026", staff_no="工号1")
