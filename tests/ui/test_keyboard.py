"""The desk from the keyboard: case search into its results, the wizard's shortcuts, the materials table,
the case view's print key, the home search list at 1366×768, the inbox's case field."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QSpinBox

from desktop.intake import demo
from tests.ui.test_wizard import drive_to_review, prepared


def accepted_case(store, seed: int, name: str = "单德发"):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), dt.date.today())
    case.applicant.name = name
    demo.receive_all(service, case)
    return store.accept(case)


def test_enter_and_down_in_case_search_reach_the_results(qtbot, store, main_window):
    first = accepted_case(store, 1)
    accepted_case(store, 2)
    window = main_window()
    window.show()
    home = window.home
    home.search.setFocus()
    home.search.setText("sdf")
    with qtbot.waitSignal(home.searched):  # the query runs in the thread pool
        qtbot.keyClick(home.search, Qt.Key.Key_Down)  # at once, without waiting for the typing pause
    assert window.focusWidget() is home.search_view and home.search_view.currentIndex().row() == 0
    with qtbot.waitSignal(home.case_chosen) as chosen:
        qtbot.keyClick(home.search_view, Qt.Key.Key_Return)
    assert chosen.args[0] in {first.uuid, home.search_model.uuid_at(0)}
    home.search.setFocus()
    home.search.setText(first.number)
    with qtbot.waitSignal(home.searched):
        qtbot.keyClick(home.search, Qt.Key.Key_Return)
    assert window.focusWidget() is home.search_view and home.search_model.uuid_at(0) == first.uuid


def test_wizard_shortcuts_for_back_next_and_accept(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    keys = {name: [s.toString() for s in action.shortcuts()] for name, action in wizard.keys.items()}
    assert keys == {"back": ["Alt+Left"], "next": ["Alt+Right"], "accept": ["Ctrl+Return", "Ctrl+Enter"]}
    drive_to_review(qtbot, wizard, data)
    wizard.keys["back"].trigger()
    assert wizard.current() == len(wizard.pages) - 2
    wizard.keys["next"].trigger()
    assert wizard.current() == len(wizard.pages) - 1
    with qtbot.waitSignal(wizard.accepted):
        wizard.keys["accept"].trigger()


def test_the_materials_table_works_from_the_keyboard(qtbot, store, make_wizard):
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    drive_to_review(qtbot, wizard, data)
    wizard.go_to(wizard.names.index("materials"), check=False)
    page = wizard.page("materials")
    for row in range(page.table.rowCount()):
        page.table.cellWidget(row, 3).setCurrentIndex(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Tab)
    combo = wizard.focusWidget()
    assert isinstance(combo, QComboBox) and combo is page.table.cellWidget(0, 3)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # 未收 → 验原件收复印件 (the common case comes first)
    assert combo.currentText() == "验原件收复印件"
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    assert isinstance(wizard.focusWidget(), QSpinBox)
    qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_Tab)
    assert wizard.focusWidget() is page.table.cellWidget(1, 3)
    wizard.save_now()
    assert store.load(wizard.case.uuid).materials[page._ids[0]].received == "verified_copy"


def test_ctrl_p_prints_the_receipt_from_the_case_view(qtbot, store, main_window):
    case = accepted_case(store, 4)
    window = main_window()
    window.open_case(case.uuid)
    view = window.caseview
    view.print_requested.disconnect(window._on_print)  # the key's signal is the point here, not the preview
    assert view.print_key.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    with qtbot.waitSignal(view.print_requested) as asked:
        view.print_key.trigger()
    assert asked.args == [case.uuid, "receipt"]


def test_home_search_shows_eight_rows_with_the_service_readable(qtbot, store, main_window):
    from desktop.ui.app import make_app

    make_app()  # the desk's face and size: the rows are as tall as a clerk sees them
    for seed in range(12):
        case = accepted_case(store, 10 + seed, "欧阳䶮𠈌")
        if seed % 2:  # some overdue: the due date column at its widest
            store.db.execute("UPDATE cases SET due_date = '2026-01-05' WHERE uuid = ?", [case.uuid])
    window = main_window()
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.home.search.setText("欧阳")
    with qtbot.waitSignal(window.home.searched):
        window.home.run_search()
    view = window.home.search_view
    shown = view.viewport().height() // view.rowHeight(0)
    assert shown >= 8, shown
    assert not view.horizontalScrollBar().isVisible()  # every shown column fits
    assert window.home.search_model.index(0, 3).data() == "办理残疾人证"  # without the shared 我要
    assert view.columnWidth(3) >= view.fontMetrics().horizontalAdvance("办理残疾人证…"), view.columnWidth(3)


def test_the_inbox_case_field_defaults_to_the_open_case(qtbot, store, main_window):
    first, second = accepted_case(store, 5), accepted_case(store, 6)
    window = main_window()
    window.open_case(first.uuid)
    window.open_inbox()
    assert window._inbox.case_ref.text() == first.number and window._inbox.material.count() > 0
    window.open_case(second.uuid)
    assert window._inbox.case_ref.text() == second.number
    window._inbox.case_ref.setText(first.number)  # typed by the clerk: kept
    window.open_case(second.uuid)
    assert window._inbox.case_ref.text() == first.number


def test_tab_from_the_id_number_goes_to_the_phone_not_to_the_card_button(qtbot, store, make_wizard):
    """Typing name, Tab, ID number, Tab, phone: the 读身份证 button sat between them and took the phone's digits
    (a button ignores them). F2 reads the card from the keyboard, so the button is for the mouse only."""
    wizard = make_wizard(qtbot, store, 3)
    form = wizard.pages[0].applicant
    form.id_number.setFocus()
    qtbot.keyClick(form.id_number, Qt.Key.Key_Tab)
    assert wizard.focusWidget() is form.phone
    qtbot.keyClicks(form.phone, "13812345678")
    assert form.phone.text() == "13812345678"
