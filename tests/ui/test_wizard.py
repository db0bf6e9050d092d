"""The generic wizard driven through its real widgets, offscreen, for every service."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from PySide6.QtCore import Qt

from desktop.domain.case import Case
from desktop.intake import demo
from desktop.ui.wizard.wizard import CaseWizard
from tests.ui.wizardfill import answer, fill_answers, fill_applicant, fill_materials, fill_proxy, receive

TODAY = dt.date.today()


def prepared(store, number: int, seed: int = 0, *, missing: int = 0) -> Case:
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), TODAY)
    demo.receive_all(service, case, leave_missing=missing)
    return case


def advance(qtbot, wizard: CaseWizard, expected_page: int) -> None:
    qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    assert wizard.current() == expected_page, wizard.error.text()


FILLS = (fill_applicant, fill_proxy, fill_answers, fill_materials)


def drive(qtbot, wizard: CaseWizard, data: Case, page: int) -> None:
    """Fill each page from `data` and go on, as a clerk would, ending on `page` with it filled in."""
    for index in range(page + 1):
        if index < len(FILLS):
            FILLS[index](wizard, data)
        if index < page:
            advance(qtbot, wizard, index + 1)


def drive_to_review(qtbot, wizard: CaseWizard, data: Case) -> None:
    drive(qtbot, wizard, data, 5)


@pytest.mark.parametrize("number", range(1, 21))
def test_every_service_reaches_acceptance_through_the_widgets(qtbot, store, number, make_wizard):
    data = prepared(store, number, seed=number)
    wizard = make_wizard(qtbot, store, number)
    drive_to_review(qtbot, wizard, data)
    assert wizard.next.text() == "受理"
    with qtbot.waitSignal(wizard.accepted) as blocker:
        qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    case = store.load(blocker.args[0])
    assert case.state == "accepted" and case.number.startswith("439901-W03-")
    assert case.applicant.name == data.applicant.name and case.applicant.id_number == data.applicant.id_number


def test_missing_material_ends_in_pending_materials_with_it_listed(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 3)
    receive(wizard, "photo", "")
    assert "近期2寸免冠白底彩色照片" in wizard.pages[3].summary.text()
    advance(qtbot, wizard, 4)
    advance(qtbot, wizard, 5)
    assert wizard.next.text() == "受理（补正中）"
    with qtbot.waitSignal(wizard.accepted) as blocker:
        qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    case = store.load(blocker.args[0])
    assert case.state == "pending_materials" and case.missing == ["photo"]


def test_conditional_material_appears_when_its_answer_changes(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    data.applicant.id_number = demo.make_id(random.Random(1), dt.date(1970, 5, 5))  # an adult
    data.guardian = None
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    wizard.go_to(3, check=False)
    row = wizard.pages[3]._ids.index("guardian_docs")
    assert wizard.pages[3].table.item(row, 1).text() == "视情况"  # category not asked yet
    wizard.go_to(2, check=False)
    answer(wizard, "disability_category", "肢体")
    assert "guardian_docs" not in wizard.pages[3]._ids
    answer(wizard, "disability_category", "智力")
    row = wizard.pages[3]._ids.index("guardian_docs")
    assert wizard.pages[3].table.item(row, 1).text() == "必需"


def test_ineligible_answer_needs_a_reason_which_is_recorded(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 2)
    answer(wizard, "has_disability_card", True)
    assert "✘" in wizard.pages[2].results.text()
    advance(qtbot, wizard, 2)
    assert "理由" in wizard.error.text()
    assert wizard.focusWidget() is wizard.pages[2].reason
    wizard.pages[2].reason.setPlainText("持旧版一代证，需按新办重新评定")
    advance(qtbot, wizard, 3)
    assert store.load(wizard.case.uuid).ineligible_reason == "持旧版一代证，需按新办重新评定"


def test_leaving_a_page_with_a_bad_id_names_and_focuses_it_and_keeps_the_text(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    bad = data.applicant.id_number[:-1] + ("1" if data.applicant.id_number[-1] != "1" else "2")
    wizard.pages[0].applicant.id_number.setText(bad)
    assert "校验码" in wizard.pages[0].applicant.id_hint.text()
    advance(qtbot, wizard, 0)
    assert wizard.error.text().startswith("申请人身份证号码：")
    assert wizard.focusWidget() is wizard.pages[0].applicant.id_number
    assert wizard.pages[0].applicant.id_number.text() == bad
    assert wizard.pages[0].applicant.name.text() == data.applicant.name


def test_enter_advances_the_page(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    wizard.pages[0].applicant.phone.setFocus()
    qtbot.keyClick(wizard.pages[0].applicant.phone, Qt.Key.Key_Return)
    assert wizard.current() == 1


def test_minor_gets_a_guardian_required(qtbot, store, make_wizard):
    data = prepared(store, 10, seed=10)  # 康复救助: children 0–6
    wizard = make_wizard(qtbot, store, 10)
    fill_applicant(wizard, data)
    page = wizard.pages[0]
    page.guardian.name.setText("")
    advance(qtbot, wizard, 0)
    assert "监护人" in wizard.error.text() and page.guardian_box.isChecked()


def test_draft_resumes_at_the_same_page_after_the_widget_is_destroyed(qtbot, store, make_wizard, wizards):
    data = prepared(store, 7, seed=7)
    wizard = make_wizard(qtbot, store, 7)
    drive(qtbot, wizard, data, 2)
    with qtbot.waitSignal(wizard.draft_saved, timeout=2000):
        pass
    uuid = wizard.case.uuid
    wizard.close()
    wizard.deleteLater()
    qtbot.waitUntil(lambda: True)
    again = CaseWizard(store, store.load(uuid))
    wizards.append(again)
    assert again.current() == 2
    assert again.pages[0].applicant.name.text() == data.applicant.name
    for qid, value in data.answers.items():
        assert again.case.answers.get(qid) == value
    assert again.pages[1].proxy_radio.isChecked() == data.is_proxy


def test_done_when_scenario_child_disability_card_by_proxy_with_two_linked_services(qtbot, store, make_wizard):
    """The issue's walk-through: 残疾人证 for a 9-year-old with a guardian, by proxy, two linked services."""
    from desktop.domain.case import MaterialState, Person

    birth = dt.date(TODAY.year - 9, 3, 14) if (TODAY.month, TODAY.day) >= (3, 14) else dt.date(TODAY.year - 10, 3, 14)
    data = Case(service=3, method="就近办", applied_by="proxy", proxy_kind="village_agent", mandate_signed=True)
    data.applicant = Person(name="欧阳䶮", id_number=demo.make_id(random.Random(9), birth, "439901"),
                            phone="", address="白水乡石门村3组", township="白水乡", village="石门村")
    data.guardian = Person(name="欧阳春花", id_number=demo.make_id(random.Random(10), dt.date(1990, 6, 1), "439901"),
                           phone="13712345678", relation="母亲")
    data.proxy = Person(name="罗德明", phone="13990115322")
    data.answers = {"hukou_in_county": True, "has_disability_card": False, "disability_category": "肢体",
                    "disability_grade": 2, "can_attend_assessment": True, "identity": "无"}
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    assert "9周岁" in wizard.pages[0].applicant.id_hint.text()
    advance(qtbot, wizard, 1)
    fill_proxy(wizard, data)
    assert "需本人到场" in wizard.pages[1].appear.text()
    advance(qtbot, wizard, 2)
    fill_answers(wizard, data)
    advance(qtbot, wizard, 3)
    for mid in wizard.pages[3]._ids:
        receive(wizard, mid, "original")
    data.materials = {m: MaterialState("original", 1) for m in wizard.pages[3]._ids}
    advance(qtbot, wizard, 4)
    links = wizard.pages[4].checks
    assert {6, 7, 8} <= set(links) and 10 not in links  # 10 is for children up to 6
    links[6].setChecked(True)
    links[7].setChecked(True)
    advance(qtbot, wizard, 5)
    review = wizard.pages[5].view.toPlainText()
    assert "欧阳䶮" in review and "欧阳春花" in review and data.applicant.id_number not in review
    with qtbot.waitSignal(wizard.accepted) as blocker:
        qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    case = store.load(blocker.args[0])
    assert case.state == "accepted" and case.guardian.relation == "母亲" and case.proxy.name == "罗德明"
    linked = [store.load(u) for u in case.linked_cases]
    assert [c.service for c in linked] == [6, 7] and all(c.state == "draft" for c in linked)
    assert all(c.applicant.name == "欧阳䶮" and c.guardian.name == "欧阳春花" for c in linked)


def test_a_draft_can_be_deleted_after_confirming(qtbot, store, make_wizard, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    wizard = make_wizard(qtbot, store, 3)
    wizard.pages[0].applicant.name.setText("解放")
    wizard.save_now()
    uuid = wizard.case.uuid
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    wizard._on_discard()
    assert [r["uuid"] for r in store.drafts()] == [uuid]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(wizard.closed):
        wizard._on_discard()
    wizard.close()
    assert store.drafts() == [], "closing after the delete does not bring the draft back"


@pytest.mark.parametrize("typed", ["1381234", "13812345", "1381234567"])
def test_a_mobile_number_missing_digits_is_refused_naming_and_focusing_the_phone(qtbot, store, make_wizard, typed):
    """A mobile number with digits left out (7 or 8 of them look like a local landline's) is not taken as a phone:
    a local number never starts with 1, so the clerk hears at once that the phone is wrong, not when the office
    cannot call back."""
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    wizard.pages[0].applicant.phone.setText(typed)
    advance(qtbot, wizard, 0)
    assert wizard.error.text() == "申请人联系电话：应为11位手机号或带区号的固定电话"
    assert wizard.focusWidget() is wizard.pages[0].applicant.phone
    assert wizard.pages[0].applicant.phone.text() == typed


@pytest.mark.parametrize("typed", ["5201234", "52012345", "0739-5201234", "07395201234", "138 1234 5678"])
def test_landlines_and_spaced_mobiles_are_still_taken(qtbot, store, make_wizard, typed):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    wizard.pages[0].applicant.phone.setText(typed)
    advance(qtbot, wizard, 1)


def test_a_close_relative_acting_as_proxy_must_say_how_they_are_related(qtbot, store, make_wizard):
    """近亲属 is who may act for 居住证 and the like: the 委托书 must say which relative (女儿, 父亲), so leaving
    与申请人关系 empty for a relative is refused on the page, naming and focusing it; nothing typed is lost."""
    from desktop.domain.case import Person

    data = prepared(store, 19, seed=19)
    data.applied_by, data.proxy_kind, data.mandate_signed = "proxy", "relative", True
    data.proxy = Person(name="阿依古丽·买买提艾力", phone="13912345678",
                        id_number=demo.make_id(random.Random(4), dt.date(1985, 4, 4)))
    wizard = make_wizard(qtbot, store, 19)
    drive(qtbot, wizard, data, 1)
    page = wizard.pages[1]
    advance(qtbot, wizard, 1)
    assert wizard.error.text() == "代办人与申请人关系：近亲属代办须填写（如：女儿、父亲）"
    assert wizard.focusWidget() is page.proxy.relation
    assert page.proxy.name.text() == "阿依古丽·买买提艾力"
    page.proxy.relation.setText("女儿")
    advance(qtbot, wizard, 2)
    assert store.load(wizard.case.uuid).proxy.relation == "女儿"
    wizard.go_to(5, check=False)
    assert "近亲属/监护人 阿依古丽·买买提艾力（女儿）" in wizard.pages[5].view.toPlainText()


def test_an_unsigned_mandate_puts_the_cursor_on_printing_the_consent(qtbot, store, make_wizard):
    """已签署 can be ticked only once the 委托书 is on paper (it is disabled before): the error sends the clerk's
    cursor to 打印委托书, so Enter or Space prints it, instead of leaving it nowhere."""
    from desktop.domain.case import Person

    data = prepared(store, 3, seed=3)
    data.applied_by, data.proxy_kind, data.mandate_signed = "proxy", "village_agent", False
    data.proxy = Person(name="罗德明", phone="13990115322")
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 1)
    page = wizard.pages[1]
    assert not page.mandate.isEnabled()
    advance(qtbot, wizard, 1)
    assert wizard.error.text() == "委托：帮代办须由申请人（或监护人）签署授权委托书"
    assert wizard.focusWidget() is page.print_consent


def test_a_phone_typed_in_full_width_digits_is_taken_and_stored_in_ascii(qtbot, store, make_wizard):
    """An input method left in full-width mode types １３８…: eleven digits all the same (as the ID number field
    already takes), stored in ASCII so that the search by its last digits and the masked papers find them."""
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    wizard.pages[0].applicant.phone.setText("１３８　１２３４　５６７８")
    advance(qtbot, wizard, 1)
    assert store.load(wizard.case.uuid).applicant.phone == "138 1234 5678"


@pytest.mark.parametrize("dot", ["•", "・", "．", ".", "‧", "∙", "⋅"])
def test_a_look_alike_dot_in_an_ethnic_name_is_stored_as_the_id_cards_middle_dot(qtbot, store, make_wizard, dot):
    """The ID card and the 户籍 write 阿依古丽·买买提艾力 with U+00B7; a bullet or a period typed for it would print a
    name that is not the card's and hide the case from a search typed with the right dot."""
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    fill_applicant(wizard, data)
    wizard.pages[0].applicant.name.setText(f"阿依古丽{dot}买买提艾力")
    advance(qtbot, wizard, 1)
    assert store.load(wizard.case.uuid).applicant.name == "阿依古丽·买买提艾力"


def test_no_method_chosen_is_said_as_what_to_do_and_focuses_the_first_choice(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    data.method = ""
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 1)
    advance(qtbot, wizard, 1)
    assert wizard.error.text() == "办理方式：请选择一种（本事项可选 就近办、上门办）"
    assert wizard.focusWidget() is wizard.pages[1].method_group.buttons()[0]


@pytest.mark.parametrize("whose", ["a child's", "the applicant's"])
def test_a_guardians_id_number_of_a_child_or_of_the_applicant_is_refused_naming_it(qtbot, store, make_wizard, whose):
    """A guardian's number typed wrong (a child's, or the applicant's own typed twice) went onto the 委托书 and the
    receipt; the guardian must be an adult other than the applicant."""
    data = prepared(store, 11, seed=11)  # 孤儿: a minor with a guardian
    child = demo.make_id(random.Random(5), dt.date(TODAY.year - 12, 1, 9))
    data.guardian.id_number = child if whose == "a child's" else data.applicant.id_number
    wizard = make_wizard(qtbot, store, 11)
    fill_applicant(wizard, data)
    advance(qtbot, wizard, 0)
    expected = ("监护人身份证号码：按号码为12周岁，监护人须为成年人，请核对" if whose == "a child's"
                else "监护人身份证号码：与申请人的相同，请核对")
    assert wizard.error.text() == expected
    assert wizard.focusWidget() is wizard.pages[0].guardian.id_number


def test_a_proxys_id_number_of_the_applicant_is_refused_naming_it(qtbot, store, make_wizard):
    from desktop.domain.case import Person

    data = prepared(store, 19, seed=19)
    data.applied_by, data.proxy_kind, data.mandate_signed = "proxy", "relative", True
    data.proxy = Person(name="张三", phone="13912345678", relation="儿子", id_number=data.applicant.id_number)
    wizard = make_wizard(qtbot, store, 19)
    drive(qtbot, wizard, data, 1)
    wizard.pages[1].proxy.relation.setText("儿子")
    advance(qtbot, wizard, 1)
    assert wizard.error.text() == "代办人身份证号码：与申请人的相同，请核对"
    assert wizard.focusWidget() is wizard.pages[1].proxy.id_number


def test_a_15_digit_number_shows_its_18_digit_form_to_check_and_the_review_masks_that(qtbot, store, make_wizard):
    """The hint asked to check the new 18-digit number but never showed it; the review masked the 15 digits as
    439901********3 while every paper prints the 18-digit form."""
    from desktop.domain import idnumber

    data = prepared(store, 1, seed=1)
    data.applicant.id_number = "439901400312123"
    new = idnumber.parse(data.applicant.id_number).number
    wizard = make_wizard(qtbot, store, 1)
    fill_applicant(wizard, data)
    assert f"请核对新号码：{new}" in wizard.pages[0].applicant.id_hint.text()
    wizard.go_to(5, check=False)
    assert idnumber.mask_id(new) in wizard.pages[5].view.toPlainText()


def test_an_answer_that_makes_a_guardian_required_sends_the_clerk_back_at_once(qtbot, store, make_wizard):
    """残疾人证 for an adult: 智力 as the category makes a guardian required (the catalog's guardian_when). The
    clerk went on through materials and links to a review showing “监护人 （）” and was sent back only at 受理;
    now leaving the eligibility page goes back to the applicant's page, naming and focusing the guardian."""
    data = prepared(store, 3, seed=3)
    data.applicant.id_number = demo.make_id(random.Random(1), dt.date(1970, 5, 5))
    data.guardian = None
    data.answers["disability_category"] = "智力"
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 2)
    advance(qtbot, wizard, 0)
    assert wizard.error.text() == "监护人：申请人未成年或本事项要求监护人，须填写监护人"
    assert wizard.focusWidget() is wizard.pages[0].guardian.name
    wizard.go_to(5, check=False)
    assert "（）" not in wizard.pages[5].view.toPlainText(), "no empty “监护人 （）” row"


def test_a_service_that_limits_its_proxies_offers_only_those(qtbot, store, make_wizard):
    """居住证 may be applied for by a close relative only: the kind starts there and the other kinds cannot be
    chosen (the clerk used to start on 窗口帮代办人员, prefilled with their own name, and be refused at 下一步)."""
    wizard = make_wizard(qtbot, store, 19)
    wizard.go_to(1, check=False)
    page = wizard.pages[1]
    page.proxy_radio.setChecked(True)
    assert page.kind.currentText() == "近亲属/监护人" and page.proxy.name.text() == ""
    model = page.kind.model()
    assert [model.item(i).isEnabled() for i in range(page.kind.count())] == [False, False, True, False]
