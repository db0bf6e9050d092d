"""Logins, the screen lock, roles in the toolbar, the audited reveal, user management and the audit view."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.accounts.roles import Area
from desktop.accounts.staff import Accounts
from desktop.intake import demo
from desktop.storage import audit
from desktop.ui.auth import ChangePasswordDialog, FirstAdminDialog, LoginDialog
from desktop.ui.staff import AddUserDialog, AuditPage, UsersPage

PASSWORD = "Hunan-2026!"


@pytest.fixture
def accounts(store):
    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", PASSWORD)
    admin = accounts.login("admin", PASSWORD)
    for name, display, role in (("lixiaolan", "李晓兰", "clerk"), ("zhouwenbin", "周文斌", "clerk"),
                                ("pengzhiyuan", "彭志远", "auditor")):
        accounts.add_user(admin, name, display, role, Area(), PASSWORD, must_change=False)
    return accounts


@pytest.fixture
def desk(main_window, accounts, store):
    from desktop.ui.mainwindow import MainWindow

    def make(username: str) -> MainWindow:
        window = main_window(accounts.login(username, PASSWORD))
        window.accounts = accounts
        window.lockpage.accounts = accounts
        return window

    return make


def visible_actions(window) -> set[str]:
    return {text for text, (action, _) in window.actions_by_name.items() if action.isVisible()}


def test_toolbar_follows_the_role(desk):
    assert visible_actions(desk("lixiaolan")) == {"首页", "新建案件", "搜索", "收件箱", "同步", "回访与整改", "台账", "锁屏"}
    admin = desk("admin")
    assert visible_actions(admin) == {"用户管理", "审计记录", "设置", "维护", "锁屏"}
    assert admin.stack.currentWidget() is admin._staff_page and isinstance(admin._staff_page, UsersPage)
    auditor = desk("pengzhiyuan")
    assert visible_actions(auditor) == {"审计记录", "锁屏"}


def test_lock_hides_the_content_and_unlock_keeps_the_draft(qtbot, desk, store):
    window = desk("lixiaolan")
    window.show()
    window.new_case(3)
    wizard = window.wizard
    wizard.pages[0].applicant.name.setText("单德发")
    wizard.go_to(1, check=False)
    window.lock()
    assert window.outer.currentWidget() is window.lockpage and not window.stack.isVisible()
    assert not window.bar.isVisible()
    assert store.load(wizard.case.uuid).applicant.name == "单德发", "the draft was saved when locking"
    window.lockpage.password.setText("wrong-password")
    window.lockpage.try_unlock()
    assert window.outer.currentWidget() is window.lockpage and "密码" in window.lockpage.error.text()
    window.lockpage.password.setText(PASSWORD)
    with qtbot.waitSignal(window.lockpage.unlocked):
        window.lockpage.try_unlock()
    assert window.outer.currentWidget() is window.stack and window.wizard is wizard
    assert wizard.current() == 1 and wizard.pages[0].applicant.name.text() == "单德发"
    actions = [r["action"] for r in audit.export(store.db)]
    assert actions[-3:] == ["lock", "login.failed", "unlock"]


def test_another_person_logs_in_and_the_first_persons_draft_stays_theirs(desk, accounts, store):
    window = desk("lixiaolan")
    window.new_case(7)
    window.wizard.pages[0].applicant.name.setText("曾小红")
    uuid = window.wizard.case.uuid
    window.lock()
    window._on_switched(accounts.login("zhouwenbin", PASSWORD))
    assert window.wizard is None and window.session.username == "zhouwenbin"
    assert store.load(uuid).applicant.name == "曾小红"
    assert window.home.drafts_model.rowCount() == 0, "周文斌 does not see 李晓兰's draft"
    window.lock()
    window._on_switched(accounts.login("lixiaolan", PASSWORD))
    assert [window.home.drafts_model.uuid_at(r) for r in range(window.home.drafts_model.rowCount())] == [uuid]


def test_idle_time_locks_the_desk(qtbot, desk):
    window = desk("lixiaolan")
    window.idle.timer.setInterval(50)
    window.idle.timer.start()
    with qtbot.waitSignal(window.idle.idle, timeout=2000):
        pass
    assert window.outer.currentWidget() is window.lockpage


def test_reveal_shows_one_number_and_is_audited(desk, store, monkeypatch):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(3), dt.date.today())
    demo.receive_all(service, case)
    case = store.accept(case, actor="lixiaolan")
    window = desk("lixiaolan")
    window.open_case(case.uuid)
    assert case.applicant.id_number not in window.caseview.body.toHtml()
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    window.caseview._reveal()
    assert shown == [case.applicant.id_number]
    entry = audit.export(store.db)[-1]
    assert (entry["action"], entry["case_uuid"], entry["detail"]) == ("case.reveal", case.uuid,
                                                                      {"field": "applicant.id_number"})


def test_login_dialog_names_the_problem_and_locks_out(qtbot, accounts):
    dialog = LoginDialog(accounts)
    qtbot.addWidget(dialog)
    dialog.fields["username"].setText("lixiaolan")
    for _ in range(5):
        dialog.fields["password"].setText("not-the-password")
        dialog._on_ok()
    assert dialog.session is None and "分钟" in dialog.error.text()
    assert dialog.fields["username"].text() == "lixiaolan", "nothing typed is lost"


def test_first_admin_and_forced_password_change(qtbot, store):
    accounts = Accounts(store.db)
    first = FirstAdminDialog(accounts)
    qtbot.addWidget(first)
    for key, value in (("username", "admin"), ("display_name", "黄建华"), ("password", PASSWORD),
                       ("confirm", PASSWORD + "x")):
        first.fields[key].setText(value)
    first._on_ok()
    assert "不一致" in first.error.text() and not accounts.any_users()
    first.fields["confirm"].setText(PASSWORD)
    first._on_ok()
    assert first.session is not None and first.session.role == "admin"
    initial = accounts.add_user(first.session, "chenxuemei", "陈雪梅", "clerk")
    session = accounts.login("chenxuemei", initial)
    assert session.must_change
    change = ChangePasswordDialog(accounts, session, old=initial)
    qtbot.addWidget(change)
    change.fields["password"].setText("Chen-xuemei-1")
    change.fields["confirm"].setText("Chen-xuemei-1")
    change._on_ok()
    assert not change.session.must_change


def test_administrator_adds_a_village_agent(qtbot, accounts, store):
    admin = accounts.login("admin", PASSWORD)
    page = UsersPage(accounts, admin, store)
    qtbot.addWidget(page)
    dialog = AddUserDialog(accounts, admin, [{"name": "白水乡", "villages": ["白水村"]}])
    qtbot.addWidget(dialog)
    dialog.fields["username"].setText("luodeming")
    dialog.fields["display_name"].setText("罗德明")
    dialog.role.setCurrentIndex(1)  # 村级代办员
    dialog._on_ok()
    assert "乡镇" in dialog.error.text(), "a village agent needs a township"
    dialog.township.setCurrentText("白水乡")
    dialog._on_ok()
    assert len(dialog.password) >= 8
    page.reload()
    assert "罗德明" in [page.table.item(r, 1).text() for r in range(page.table.rowCount())]


def test_audit_page_verifies_and_names_a_tampered_entry(qtbot, accounts, store, data_dir):
    auditor = accounts.login("pengzhiyuan", PASSWORD)
    page = AuditPage(accounts, auditor, store)
    qtbot.addWidget(page)
    assert page.result.text().startswith("✔") and page.table.rowCount() > 0
    conn = sqlite3.connect(data_dir / "desk.sqlite")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE audit SET username = 'someone' WHERE id = 3")
    conn.commit()
    conn.close()
    page.verify()
    assert page.result.text().startswith("✘") and "3" in page.result.text()


def test_a_village_agent_accepts_only_applicants_of_their_area(qtbot, store, main_window, accounts):
    from desktop.accounts.roles import Area, Session
    from tests.ui.test_wizard import advance, drive_to_review, prepared
    from tests.ui.wizardfill import fill_applicant

    agent = Session("luodeming", "罗德明", "village_agent", Area("白水乡", ("白水村",)))
    window = main_window(agent)
    window.new_case(3)
    data = prepared(store, 3, seed=3)
    data.applicant.township, data.applicant.village = "城关镇", "东门社区"
    fill_applicant(window.wizard, data)
    advance(qtbot, window.wizard, 0)  # said on the applicant's page, not after every page is filled in
    assert "不在您的服务区域" in window.wizard.error.text() and store.rows("state != 'draft'") == []
    assert window.wizard.focusWidget() is window.wizard.pages[0].township
    data.applicant.township, data.applicant.village = "白水乡", "白水村"
    drive_to_review(qtbot, window.wizard, data)
    with qtbot.waitSignal(window.wizard.accepted):
        window.wizard.accept_case()


def test_login_forms_open_with_the_cursor_in_the_first_empty_field(qtbot, store):
    first = FirstAdminDialog(Accounts(store.db))
    qtbot.addWidget(first)
    first.show()
    assert first.focusWidget() is first.fields["username"]
    login = LoginDialog(Accounts(store.db), username="lixiaolan")
    qtbot.addWidget(login)
    login.show()
    assert login.focusWidget() is login.fields["password"]


def test_a_village_agents_new_case_starts_in_their_township(qtbot, store, main_window, accounts):
    """The agent works in one township (and often one village): the applicant's place starts there, as the area
    check on the page expects, instead of empty boxes to pick every time."""
    from desktop.accounts.roles import Area, Session

    window = main_window(Session("luodeming", "罗德明", "village_agent", Area("白水乡", ("白水村",))))
    window.new_case(1)
    page = window.wizard.pages[0]
    assert (page.township.currentText(), page.village.currentText()) == ("白水乡", "白水村")
    window.go_home()
    window = main_window(Session("tanxiaohong", "谭小红", "village_agent", Area("青山铺镇", ())))
    window.new_case(1)
    page = window.wizard.pages[0]
    assert (page.township.currentText(), page.village.currentText()) == ("青山铺镇", "")


def test_a_village_agents_proxy_case_starts_with_them_as_the_village_agent(qtbot, store, main_window, accounts):
    """帮代办 filled in the logged-in staff member as 窗口帮代办人员: for a village agent that printed the wrong kind
    and the hall as their unit on the 委托书. Their own kind is 村级代办员."""
    from desktop.accounts.roles import Area, Session

    window = main_window(Session("luodeming", "罗德明", "village_agent", Area("白水乡", ("白水村",))))
    window.new_case(1)
    window.wizard.go_to(1, check=False)
    page = window.wizard.pages[1]
    page.proxy_radio.setChecked(True)
    assert (page.kind.currentText(), page.proxy.name.text()) == ("村级代办员", "罗德明")
    window.wizard.save_now()
    assert store.load(window.wizard.case.uuid).proxy_kind == "village_agent"
