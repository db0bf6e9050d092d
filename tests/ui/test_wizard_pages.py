"""Wizard pages and their checks are keyed by name: reordering the pages cannot misalign validation."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.domain import eligibility
from desktop.ui.wizard import wizard as wizard_mod
from tests.ui.test_wizard import prepared
from tests.ui.wizardfill import fill_applicant, fill_proxy


def test_every_page_has_its_checks_by_name():
    assert [name for name, _cls in wizard_mod.PAGES] == list(eligibility.PAGE_CHECKS)


def test_reordered_pages_keep_their_own_checks(qtbot, store, make_wizard, monkeypatch):
    pages = dict(wizard_mod.PAGES)
    order = ("proxy", "applicant", "eligibility", "materials", "links", "review")
    monkeypatch.setattr(wizard_mod, "PAGES", tuple((name, pages[name]) for name in order))
    data = prepared(store, 3, seed=7)
    wizard = make_wizard(qtbot, store, 3)
    assert wizard.pages[0] is wizard.page("proxy") and wizard.steps.item(0).text() == "1. 申请方式"
    fill_proxy(wizard, data)  # the applicant is still empty: by position it would be checked here
    qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    assert wizard.current() == 1 and not wizard.error.isVisible(), wizard.error.text()
    qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    assert wizard.current() == 1 and "申请人" in wizard.error.text()  # the applicant's own check, on its page
    fill_applicant(wizard, data)
    qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    assert wizard.current() == 2, wizard.error.text()
