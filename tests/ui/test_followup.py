"""回访与整改 through the real widgets: overdue in red, a call recorded, a 整改 only for the supervisor."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtWidgets import QDialog

from desktop.accounts.roles import Area, Session
from desktop.intake import demo
from desktop.storage import feedback
from desktop.ui import followup

NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()
CLERK = Session("lixiaolan", "李晓兰", "clerk")
BOSS = Session("zhangli", "张丽", "supervisor")


def _rated_badly(store, seed: int = 1, township: str = ""):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), NOW.date())
    demo.receive_all(service, case)
    if township:
        case.applicant.township, case.applicant.village = township, "茶园村"
    case = store.accept(case, actor="lixiaolan", now=NOW)
    feedback.rate(store, case.uuid, "dissatisfied", reasons=["waiting"], now=NOW)
    return case


def _page(store, widgets, session):
    page = followup.FollowUpPage(store, session)
    widgets.append(page)
    page.resize(1366, 768)
    page.show()
    return page


def test_overdue_visits_are_red_and_counted(qtbot, store, widgets):
    case = _rated_badly(store)
    page = _page(store, widgets, CLERK)
    page.reload(NOW.date())
    assert page.visits_table.item(0, 1).text() == case.number and "超期" not in page.visits_title.text()
    page.reload(NOW.date() + dt.timedelta(days=60))
    assert "超期 1 件" in page.visits_title.text()
    assert page.visits_table.item(0, 7).text() == "超期"
    assert page.visits_table.item(0, 0).foreground().color() == followup.OVERDUE


def test_a_clerk_records_a_call_and_never_sees_the_rectification_list(qtbot, store, widgets, monkeypatch):
    case = _rated_badly(store)
    page = _page(store, widgets, CLERK)
    page.reload(NOW.date())
    assert not page.rectify_table.isVisible() and not page.rectify_button.isVisible()

    def answer(dialog):
        dialog.reached.setChecked(True)
        dialog.satisfied.setChecked(True)
        dialog.notes.setText("已电话联系，群众表示满意")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(followup.VisitDialog, "exec", answer)
    page.visits_table.selectRow(0)
    page.visit_button.click()
    assert page.visits == [] and "待回访 0 件" in page.visits_title.text()
    visit = store.load(case.uuid).visits[0]
    assert (visit.reached, visit.satisfied, visit.by) == (True, True, "lixiaolan")


def test_the_supervisor_rectifies_a_bad_rating(qtbot, store, widgets, monkeypatch):
    case = _rated_badly(store)
    page = _page(store, widgets, BOSS)
    page.reload(NOW.date())
    assert page.rectify_table.isVisible() and page.rectify_table.item(0, 1).text() == case.number
    monkeypatch.setattr(followup.QInputDialog, "getMultiLineText", lambda *a, **k: ("已核实，调整叫号分流", True))
    page.rectify_table.selectRow(0)
    page.rectify_button.click()
    assert page.rectifications == [] and store.load(case.uuid).ratings[0].rectify_result == "已核实，调整叫号分流"


def test_a_long_list_shows_the_most_urgent_and_says_so(qtbot, store, widgets, monkeypatch):
    _rated_badly(store, 1), _rated_badly(store, 2)
    monkeypatch.setattr(followup, "SHOWN", 1)
    page = _page(store, widgets, CLERK)
    page.reload(NOW.date())
    assert page.visits_table.rowCount() == 1 and "待回访 2 件" in page.visits_title.text()
    assert "最紧急的 1 件" in page.visits_title.text()


def test_a_village_agent_sees_only_the_visits_of_their_area(qtbot, store, widgets):
    mine, other = _rated_badly(store, 1, "青山铺镇"), _rated_badly(store, 2, "白沙镇")
    agent = Session("luodeming", "罗德明", "village_agent", Area("青山铺镇", ("茶园村",)))
    page = _page(store, widgets, agent)
    page.reload(NOW.date())
    assert [r["number"] for r in page.visits] == [mine.number] and "待回访 1 件" in page.visits_title.text()
    assert other.number not in {page.visits_table.item(r, 1).text() for r in range(page.visits_table.rowCount())}


def test_the_visit_dialog_keeps_the_call_open_until_it_says_what_happened(qtbot, store, widgets):
    """OK with no 联系结果 used to record 未联系上 (a try counted); OK with 已联系上 but no 群众意见 closed the dialog
    on an error and lost the notes typed. Now each stays open, names the missing choice and puts the cursor on it."""
    from PySide6.QtWidgets import QDialogButtonBox

    case = _rated_badly(store)
    row = feedback.due_visits(store, NOW.date())[0]
    dialog = followup.VisitDialog(row)
    widgets.append(dialog)
    dialog.show()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text() == "联系结果：请选择已联系上或未联系上"
    assert dialog.focusWidget() is dialog.reached
    dialog.reached.setChecked(True)
    dialog.notes.setText("已电话联系本人")
    ok.click()
    assert dialog.isVisible() and dialog.error.text() == "群众意见：联系上了，请选择满意或不满意"
    assert dialog.focusWidget() is dialog.satisfied and dialog.notes.text() == "已电话联系本人"
    dialog.satisfied.setChecked(True)
    ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.outcome() == {"reached": True, "satisfied": True, "notes": "已电话联系本人"}
    assert store.load(case.uuid).visits == []
