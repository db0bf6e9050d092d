"""The wizard's materials and links pages follow the current answers; receiving a material sets its count."""

from __future__ import annotations

from desktop.domain import eligibility
from desktop.domain.case import Person
from tests.forms.conftest import pypdf_text
from tests.ui.test_wizard import drive, prepared
from tests.ui.wizardfill import answer, fill_applicant, receive


def _cell(wizard, material_id: str, column: int) -> str:
    page = wizard.pages[3]
    return page.table.item(page._ids.index(material_id), column).text()


def test_an_answer_changes_the_requirement_column_and_the_link_labels(qtbot, store, make_wizard):
    data = prepared(store, 14, seed=14)
    wizard = make_wizard(qtbot, store, 14)
    fill_applicant(wizard, data)
    wizard.go_to(2, check=False)
    answer(wizard, "has_disability_card", None)
    answer(wizard, "identity", None)
    wizard.go_to(3, check=False)
    assert _cell(wizard, "disability_card", 1) == "视情况"
    wizard.go_to(4, check=False)
    label = wizard.pages[4].checks[13].text()
    assert label.endswith("（视情况，可能适用）")
    wizard.go_to(2, check=False)
    answer(wizard, "has_disability_card", True)
    answer(wizard, "identity", "无")
    wizard.go_to(3, check=False)
    assert _cell(wizard, "disability_card", 1) == "必需"  # same rows, new rule outcome
    wizard.go_to(4, check=False)
    assert not wizard.pages[4].checks[13].text().endswith("（视情况，可能适用）")


def test_receiving_a_material_sets_its_count_which_stays_editable(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 3)
    page = wizard.pages[3]
    row = page._ids.index("id_card")
    receive(wizard, "id_card", "")
    assert page.table.cellWidget(row, 4).value() == 0
    receive(wizard, "id_card", "verified_copy")
    assert page.table.cellWidget(row, 4).value() == 1
    assert page.table.cellWidget(row, 3).currentText() == "验原件收复印件"
    page.table.cellWidget(row, 4).setValue(2)
    wizard.save_now()
    case = store.load(wizard.case.uuid)
    assert case.materials["id_card"].received == "verified_copy" and case.materials["id_card"].count == 2


def test_the_consent_is_printed_from_the_draft_then_ticked_as_signed(qtbot, store, make_wizard, tmp_path):
    data = prepared(store, 14, seed=14)
    data.applied_by, data.proxy_kind, data.mandate_signed = "proxy", "village_agent", False
    data.proxy = Person(name="罗德明", phone="13907301234")
    wizard = make_wizard(qtbot, store, 14)
    drive(qtbot, wizard, data, 1)
    page = wizard.pages[1]
    assert not page.mandate.isEnabled()  # nothing to tick before the paper exists
    with qtbot.waitSignal(wizard.consent_shown, timeout=60_000) as shown:  # the first render loads the fonts
        page.print_consent.click()
    dialog = shown.args[0]
    text = pypdf_text(dialog.pdf)
    assert "代办服务委托书" in text and "（受理时生成）" in text and "特困人员认定" in text
    assert "代办人身份证件" not in text  # neither the 委托书 nor the agent's own ID is handed over
    with qtbot.waitSignal(dialog.recorded):
        dialog.save_to(tmp_path / "委托书.pdf")
    assert page.mandate.isEnabled()
    events = store.events(wizard.case.uuid)
    assert [e["detail"]["kind"] for e in events if e["kind"] == "printed"] == ["consent"]


def test_the_supplement_dialog_records_only_the_rows_marked_received(qtbot, store):
    from desktop.ui.supplement import SupplementDialog
    from tests.forms.conftest import draft

    case = store.accept(draft(store, 3, seed=7, missing=2), actor="测试")
    dialog = SupplementDialog(store.catalog.service(3), case)
    qtbot.addWidget(dialog)
    assert [dialog.table.item(r, 0).text() for r in range(2)] == [store.catalog.service(3).material(m).name
                                                                  for m in case.missing]
    dialog.table.cellWidget(0, 1).setCurrentIndex(1)  # 验原件收复印件
    assert dialog.table.cellWidget(0, 2).value() >= 1
    assert dialog.received() == {case.missing[0]: ("verified_copy", dialog.table.cellWidget(0, 2).value())}


def test_the_eligibility_page_shows_the_service_and_a_verdict_in_words(qtbot, store, make_wizard):
    data = prepared(store, 14, seed=14)
    wizard = make_wizard(qtbot, store, 14)
    drive(qtbot, wizard, data, 2)
    page = wizard.pages[2]
    info = page.service_info.text()
    assert "承诺时限</b>：30个工作日" in info and "民政部门" in info and "县、乡级" in info and "摸底" in info
    assert page.verdict.text() == "可申领：特困人员认定、救助供养金给付"
    answer(wizard, "identity", "特困")
    assert page.verdict.text() == "不符合：申请特困救助，原因：已是特困人员的，不需要再申请"
    answer(wizard, "identity", None)
    assert page.verdict.text().startswith("待确认：请先询问")


def test_services_that_start_by_themselves_are_said_not_offered(qtbot, store, make_wizard):
    wizard = make_wizard(qtbot, store, 7)
    wizard.go_to(2, check=False)
    assert any(label.text().startswith("将自动启动") for label in wizard.pages[2].findChildren(type(wizard.pages[2].verdict)))
    data = prepared(store, 13, seed=13)
    data.answers["has_disability_card"] = True
    wizard = make_wizard(qtbot, store, 13)
    drive(qtbot, wizard, data, 2)
    answer(wizard, "has_disability_card", True)
    wizard.go_to(4, check=False)
    links = wizard.pages[4]
    assert 7 not in links.checks and "将自动启动：我要申领困难残疾人生活补贴" in links.auto.text()


def test_an_open_subsistence_case_says_the_disability_allowance_starts_by_itself(qtbot, store, make_wizard):
    from tests.forms.conftest import draft

    dibao = store.accept(draft(store, 13, seed=21), actor="测试")
    assert dibao.state == "accepted"
    data = prepared(store, 7, seed=7)
    data.applicant = dibao.applicant
    wizard = make_wizard(qtbot, store, 7)
    fill_applicant(wizard, data)
    wizard.go_to(2, check=False)
    assert wizard.pages[2].verdict.text() == ("将自动启动：申请人的“申请最低生活保障”正在办理中，"
                                              "本事项由承办部门一并办理，不需另行申请。")


def test_an_open_extreme_poverty_case_warns_instead_of_saying_the_allowance_starts_by_itself(qtbot, store, make_wizard):
    """特困 does not start 两项补贴 (the notice names 低保 and the disability assessment only); 纳入特困供养 rules
    it out (S7), so service 7 warns, and 14 never offers 7 (resources/catalog/services/07.toml, source_note)."""
    from tests.forms.conftest import draft

    tekun = store.accept(draft(store, 14, seed=141), actor="测试")
    assert tekun.state in ("accepted", "pending_materials")
    data = prepared(store, 7, seed=7)
    data.applicant = tekun.applicant
    wizard = make_wizard(qtbot, store, 7)
    fill_applicant(wizard, data)
    wizard.go_to(2, check=False)
    verdict = wizard.pages[2].verdict.text()
    assert verdict.startswith("注意：申请人的“申请特困救助”正在办理中。纳入特困人员救助供养的，不再享受困难残疾人生活补贴"
                              "和重度残疾人护理补贴") and "将自动启动" not in verdict
    link = next(k for k in store.catalog.service(7).links if k.service == 14)
    assert link.excludes and not link.auto and "国发〔2015〕52号" in link.source_note
    assert 7 not in [n for n, _, _ in eligibility.offered_links(store.catalog.service(14), tekun, store.catalog)]
    assert 14 not in [n for n, _, _ in eligibility.offered_links(store.catalog.service(7), data, store.catalog)]


def test_the_supplement_dialog_stays_open_naming_what_is_missing_and_keeps_the_choices(qtbot, store):
    """OK with nothing marked, or a material marked received with 0 份, closed the dialog on a warning and the
    clerk chose every row again; now it stays open, says which, focuses it, and keeps what was chosen."""
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop.ui.supplement import SupplementDialog
    from tests.forms.conftest import draft

    case = store.accept(draft(store, 3, seed=7, missing=2), actor="测试")
    dialog = SupplementDialog(store.catalog.service(3), case)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.cellWidget(0, 1).setCurrentIndex(1)  # 验原件收复印件: the longest choice, shown whole
    assert dialog.table.columnWidth(1) >= dialog.table.cellWidget(0, 1).sizeHint().width()
    dialog.table.cellWidget(0, 1).setCurrentIndex(0)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible() and dialog.error.text() == "请至少选择一种收到的补正材料"
    assert dialog.focusWidget() is dialog.table.cellWidget(0, 1)
    dialog.table.cellWidget(0, 1).setCurrentIndex(1)
    dialog.table.cellWidget(1, 1).setCurrentIndex(2)
    dialog.table.cellWidget(1, 2).setValue(0)
    ok.click()
    name = store.catalog.service(3).material(case.missing[1]).name
    assert dialog.isVisible() and dialog.error.text() == f"材料“{name}”的份数应为1–99"
    assert dialog.focusWidget() is dialog.table.cellWidget(1, 2)
    assert dialog.table.cellWidget(0, 1).currentIndex() == 1
    dialog.table.cellWidget(1, 2).setValue(1)
    ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted
