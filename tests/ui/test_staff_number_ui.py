"""工号 on screen: the administrator's user list and its edit dialog; the wizard fills a staff 受托人's 工号."""

from __future__ import annotations

import pytest

from desktop.accounts.roles import Area
from desktop.accounts.staff import Accounts
from desktop.domain.case import Case
from desktop.ui.staff import EditUserDialog, UsersPage
from desktop.ui.wizard.wizard import CaseWizard

PASSWORD = "Hunan-2026!"


@pytest.fixture
def accounts(store):
    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", PASSWORD, staff_no="XZ0001")
    admin = accounts.login("admin", PASSWORD)
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", Area(), PASSWORD, must_change=False, staff_no="XZ0301")
    accounts.add_user(admin, "luodeming", "罗德明", "village_agent", Area("白水乡"), PASSWORD, must_change=False)
    return accounts


def cells(page: UsersPage, username: str) -> list[str]:
    row = [page.table.item(r, 0).text() for r in range(page.table.rowCount())].index(username)
    return [page.table.item(row, c).text() for c in range(page.table.columnCount())]


def proxy_page(store, widgets):
    """A wizard for service 7 (logged in as 李晓兰) on its proxy page, with 帮代办 chosen."""
    wizard = CaseWizard(store, Case(service=7), clerk="李晓兰")
    widgets.append(wizard)
    wizard.show()
    page = wizard.pages[1]
    wizard.go_to(1, check=False)
    page.proxy_radio.setChecked(True)
    return wizard, page


def test_the_user_list_shows_and_edits_staff_numbers(qtbot, accounts, store):
    admin = accounts.login("admin", PASSWORD)
    page = UsersPage(accounts, admin, store)
    qtbot.addWidget(page)
    assert page.COLUMNS[2] == "工号"
    assert cells(page, "lixiaolan")[:3] == ["lixiaolan", "李晓兰", "XZ0301"] and cells(page, "luodeming")[2] == "—"
    user = next(u for u in page.users if u["username"] == "luodeming")
    dialog = EditUserDialog(accounts, admin, user, page)
    qtbot.addWidget(dialog)
    assert dialog.fields["display_name"].text() == "罗德明" and dialog.fields["staff_no"].text() == ""
    dialog.fields["staff_no"].setText("XZ0301")
    dialog._on_ok()
    assert dialog.error.isVisibleTo(dialog) and "已用于账号 lixiaolan" in dialog.error.text()
    dialog.fields["staff_no"].setText("cd1201")
    dialog._on_ok()
    assert dialog.result() == dialog.DialogCode.Accepted
    page.reload()
    assert cells(page, "luodeming")[2] == "CD1201"


def test_the_wizard_fills_the_staff_proxys_number_and_drops_it_for_a_relative(qtbot, accounts, store, widgets):
    wizard, page = proxy_page(store, widgets)
    page.kind.setCurrentIndex(1)  # 村级代办员: a staff kind, the 工号 row shows
    assert page.proxy.form.isRowVisible(page.proxy.staff_no)
    page.proxy.name.setText("罗德明")
    assert page.proxy.staff_no.text() == ""  # no 工号 on his account: left for the clerk to type
    page.kind.setCurrentIndex(0)  # 窗口帮代办人员: the logged-in clerk, with her account's 工号
    page.proxy.name.setText("")
    page.kind.setCurrentIndex(1)
    page.kind.setCurrentIndex(0)
    assert page.proxy.name.text() == "李晓兰" and page.proxy.staff_no.text() == "XZ0301"
    wizard.save_now()
    assert store.load(wizard.case.uuid).proxy.staff_no == "XZ0301"
    page.kind.setCurrentIndex(2)  # 近亲属: known by an ID number; the 工号 is hidden and not kept
    qtbot.waitUntil(lambda: not page.proxy.form.isRowVisible(page.proxy.staff_no))
    wizard.save_now()
    assert store.load(wizard.case.uuid).proxy.staff_no == ""


def test_the_relation_row_is_asked_only_of_a_proxy_who_is_not_staff(qtbot, store, widgets):
    """与申请人关系 means nothing for the window clerk or the village agent (known by 工号 and unit), and it is
    required of a close relative: the row shows for the kinds that use it."""
    wizard, page = proxy_page(store, widgets)
    page.kind.setCurrentIndex(2)  # 近亲属/监护人
    qtbot.waitUntil(lambda: page.proxy.form.isRowVisible(page.proxy.relation))
    page.proxy.relation.setText("女儿")
    page.kind.setCurrentIndex(0)  # 窗口帮代办人员
    qtbot.waitUntil(lambda: not page.proxy.form.isRowVisible(page.proxy.relation))
    wizard.save_now()
    assert store.load(wizard.case.uuid).proxy.relation == "", "a hidden row keeps nothing in the case"


def test_choosing_proxy_fills_in_the_clerk_as_the_window_agent(qtbot, accounts, store, widgets):
    """帮代办 starts on 窗口帮代办人员: the logged-in clerk and their 工号 are filled in at once (they were only when
    the kind was changed away and back, so the clerk was told 代办人姓名：不能为空)."""
    wizard, page = proxy_page(store, widgets)
    assert page.kind.currentText() == "窗口帮代办人员"
    assert (page.proxy.name.text(), page.proxy.staff_no.text()) == ("李晓兰", "XZ0301")
    page.proxy.name.setText("罗德明")  # another colleague acts: the filled-in 工号 goes with the name it was for
    assert page.proxy.staff_no.text() == ""
    page.proxy.staff_no.setText("XZ0309")  # typed by the clerk: kept
    page.proxy.name.setText("周文斌")
    assert page.proxy.staff_no.text() == "XZ0309"
