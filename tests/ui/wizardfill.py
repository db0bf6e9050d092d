"""Fill the real wizard widgets from a prepared case, as a clerk would (setText: keyClicks cannot type Chinese)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from desktop.domain.case import PROXY_KINDS, RECEIVED, Case
from desktop.ui.pagebase import UNANSWERED
from desktop.ui.wizard.wizard import CaseWizard


def fill_applicant(wizard: CaseWizard, data: Case) -> None:
    page = wizard.page("applicant")
    a = data.applicant
    page.applicant.name.setText(a.name)
    page.applicant.id_number.setText(a.id_number)
    page.applicant.phone.setText(a.phone)
    page.applicant.address.setText(a.address)
    page.township.setCurrentText(a.township)
    page.village.setCurrentText(a.village)
    if data.guardian:
        page.guardian_box.setChecked(True)
        page.guardian.name.setText(data.guardian.name)
        page.guardian.id_number.setText(data.guardian.id_number)
        page.guardian.phone.setText(data.guardian.phone)
        page.guardian.relation.setText(data.guardian.relation)


def fill_proxy(wizard: CaseWizard, data: Case) -> None:
    page = wizard.page("proxy")
    (page.proxy_radio if data.is_proxy else page.self_radio).setChecked(True)
    if data.is_proxy and data.proxy:
        page.kind.setCurrentIndex(list(PROXY_KINDS).index(data.proxy_kind))
        page.proxy.name.setText(data.proxy.name)
        page.proxy.phone.setText(data.proxy.phone)
        page.proxy.id_number.setText(data.proxy.id_number)
        page.mandate.setChecked(data.mandate_signed)
    for button in page.method_group.buttons():
        if button.text() == data.method:
            button.setChecked(True)


def answer(wizard: CaseWizard, qid: str, value) -> None:
    widget = wizard.page("eligibility").fields[f"answers.{qid}"]
    if isinstance(widget, QComboBox):
        text = UNANSWERED if value is None else {True: "是", False: "否"}.get(value, str(value)) if isinstance(value, bool) else str(value)
        index = widget.findText(text)
        assert index >= 0, (qid, text)
        widget.setCurrentIndex(index)
    else:
        widget.setText(value or "")


def fill_answers(wizard: CaseWizard, data: Case) -> None:
    for qid, value in data.answers.items():
        if qid in wizard.ctx.service.ask:
            answer(wizard, qid, value)


def receive(wizard: CaseWizard, material_id: str, how: str) -> None:
    page = wizard.page("materials")
    row = page._ids.index(material_id)
    combo = page.table.cellWidget(row, 3)
    combo.setCurrentIndex(0 if not how else list(RECEIVED).index(how) + 1)


def fill_materials(wizard: CaseWizard, data: Case) -> None:
    for mid in list(wizard.page("materials")._ids):
        state = data.materials.get(mid)
        receive(wizard, mid, state.received if state else "")
