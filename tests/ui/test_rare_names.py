"""The wizard's door: each rare name (tests/rarenames.py) typed into the applicant, guardian and proxy fields is
judged at once, with its code point; an unprintable one keeps the wizard from going on and from accepting."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.domain.case import Person
from desktop.ui.wizard.wizard import CaseWizard
from tests.rarenames import RARE_NAMES
from tests.ui.test_wizard import prepared
from tests.ui.wizardfill import fill_applicant, fill_proxy


def _next(qtbot, wizard: CaseWizard) -> None:
    qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("rare", RARE_NAMES, ids=lambda r: r.what)
def test_a_name_is_judged_as_it_is_typed_and_an_unprintable_one_stops_the_wizard(qtbot, store, make_wizard, rare):
    data = prepared(store, 7, seed=5)
    wizard = make_wizard(qtbot, store, 7)
    fill_applicant(wizard, data)
    form = wizard.pages[0].applicant
    form.name.setText(rare.name)
    hint = form.chars_hint
    if rare.door == "ok":
        assert hint.isHidden()
    else:
        assert hint.isVisible() and rare.code.split()[-1] in hint.text()
        assert hint.property("role") == ("error" if rare.door == "refuse" else "hint")
    _next(qtbot, wizard)
    if rare.door == "refuse":
        assert wizard.current() == 0 and rare.code in wizard.error.text()
        assert wizard.focusWidget() is form.name and form.name.text() == rare.name  # nothing typed is lost
    else:
        assert wizard.current() == 1, wizard.error.text()


def test_the_proxy_and_the_address_are_checked_too(qtbot, store, make_wizard):
    data = prepared(store, 7, seed=6)
    data.applicant.address = "白水乡⼈民村"
    wizard = make_wizard(qtbot, store, 7)
    fill_applicant(wizard, data)
    assert "请改用汉字“人”（U+4EBA）" in wizard.pages[0].applicant.chars_hint.text()
    _next(qtbot, wizard)
    assert wizard.current() == 0 and wizard.focusWidget() is wizard.pages[0].applicant.address
    wizard.pages[0].applicant.address.setText("白水乡人民村")
    assert wizard.pages[0].applicant.chars_hint.isHidden()
    _next(qtbot, wizard)
    assert wizard.current() == 1
    data.applied_by, data.proxy_kind, data.mandate_signed = "proxy", "village_agent", True
    data.proxy = Person(name="罗德明", phone="13907301234")
    fill_proxy(wizard, data)
    wizard.pages[1].proxy.name.setText("罗\ue000明")
    _next(qtbot, wizard)
    assert wizard.current() == 1 and "代办人姓名" in wizard.error.text() and "U+E000" in wizard.error.text()
