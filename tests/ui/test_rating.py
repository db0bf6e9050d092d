"""好差评 at the window through the real widgets: placement on the citizen's screen, the five levels, 差评 reasons."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtCore import Qt

from desktop.intake import demo
from desktop.storage import feedback as stored
from desktop.ui import rating
from desktop.ui.citizenscreen import citizen_screen
from tests.ui import twoscreens

NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()


def _accepted(store, number: int = 14):
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(5), NOW.date())
    demo.receive_all(service, case)
    case.clerk = "李晓兰"
    return store.accept(case, actor="lixiaolan", now=NOW)


def test_the_citizen_screen_is_any_screen_but_the_clerks():
    desk, tablet = object(), object()
    assert citizen_screen([desk, tablet], desk) is tablet
    assert citizen_screen([tablet, desk], desk) is tablet
    assert citizen_screen([desk], desk) is None


def test_a_good_rating_is_one_tap(qtbot, store, widgets):
    case = _accepted(store)
    desk = rating.RatingDesk(store, "lixiaolan")
    window = desk.start(case.uuid, channel="paper")
    widgets.append(window)
    assert "非常满意" in [b.text() for b in window.level_buttons.values()]
    assert all(b.height() >= 110 for b in window.level_buttons.values())  # a finger, not a mouse pointer
    with qtbot.wait_signal(desk.stored):
        qtbot.mouseClick(window.level_buttons["satisfied"], Qt.MouseButton.LeftButton)
    saved = store.load(case.uuid).ratings
    assert [(r.level, r.channel) for r in saved] == [("satisfied", "paper")]
    assert window.pages.currentIndex() == 2


def test_the_citizen_sees_a_masked_name_the_service_and_the_clerk(qtbot, store, widgets):
    case = _accepted(store)
    window = rating.RatingDesk(store, "x").start(case.uuid)
    widgets.append(window)
    text = " ".join(label.text() for label in window.findChildren(rating.QLabel))
    assert case.applicant.name not in text and case.applicant.name[0] + "*" in text
    assert store.catalog.service(14).name in text and "李晓兰" in text


def test_a_bad_rating_asks_why_before_it_is_stored(qtbot, store, widgets):
    case = _accepted(store)
    desk = rating.RatingDesk(store, "lixiaolan")
    window = desk.start(case.uuid)
    widgets.append(window)
    qtbot.mouseClick(window.level_buttons["dissatisfied"], Qt.MouseButton.LeftButton)
    assert window.pages.currentIndex() == 1
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    assert "原因" in window.problem.text() and store.load(case.uuid).ratings == []
    qtbot.mouseClick(window.reason_buttons["slow"], Qt.MouseButton.LeftButton)
    window.note.setText("材料交了两次𠈌")
    with qtbot.wait_signal(desk.stored):
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    saved = store.load(case.uuid).ratings[0]
    assert (saved.level, saved.reasons, saved.note) == ("dissatisfied", ["slow"], "材料交了两次𠈌")
    assert [r["number"] for r in stored.open_rectifications(store)] == [case.number]


def test_on_two_screens_the_rating_opens_full_screen_on_the_citizens(tmp_path, store):
    """A real offscreen platform with two virtual screens, in a child process (one QApplication per process)."""
    case = _accepted(store)
    seen = twoscreens.run("rating", store.data_dir, case.uuid, tmp_path)
    assert seen["screens"] == ["citizen", "desk"] and seen["clerk_screen"] == "desk"
    assert seen["window_screen"] == "citizen" and seen["full_screen"]
    assert seen["geometry"] == seen["citizen_geometry"] == [1366, 0, 1280, 800]
    assert seen["thanks_shown"]
    saved = store.load(case.uuid).ratings
    assert [(r.level, r.reasons, r.channel) for r in saved] == [("very_dissatisfied", ["waiting"], "screen")]


def test_the_case_view_offers_the_rating_and_prints_the_form_without_a_second_screen(qtbot, store, main_window,
                                                                                      monkeypatch):
    case = _accepted(store)
    window = main_window()
    window.open_case(case.uuid)
    view = window.caseview
    button = next(b for b in view.findChildren(rating.QPushButton) if b.text() == "请群众评价")
    monkeypatch.setattr(rating, "QGuiApplication", _OneScreen)
    monkeypatch.setattr(rating, "choose_without_screen", lambda _view: "print")
    printed = []
    view.print_requested.disconnect(window._on_print)  # the paper itself: tests/forms/test_ratingslip.py
    view.print_requested.connect(lambda uuid, kind: printed.append((uuid, kind)))
    button.click()
    assert printed == [(case.uuid, "rating")]

    monkeypatch.setattr(rating, "choose_without_screen", lambda _view: "paper")  # the ticked form typed in
    button.click()
    shown = view.rating.window
    assert shown.isVisible() and not shown.isFullScreen()
    with qtbot.wait_signal(window.views_refreshed):  # the store's change fans out to the open case view
        shown.level_buttons["basically_satisfied"].click()
    assert [(r.level, r.channel) for r in store.load(case.uuid).ratings] == [("basically_satisfied", "paper")]
    assert "基本满意（书面评价表）" in view.body.toPlainText() and "群众评价（好差评）" in view.body.toPlainText()
    shown.close()


class _OneScreen:
    """The desk has one screen: the clerk's."""

    @staticmethod
    def screens():
        from PySide6.QtGui import QGuiApplication

        return [QGuiApplication.primaryScreen()]


def test_a_new_rating_request_replaces_a_screen_left_open(qtbot, store, widgets):
    first, second = _accepted(store), _accepted(store, 9)
    desk = rating.RatingDesk(store, "lixiaolan")
    left_open = desk.start(first.uuid)
    assert left_open.isVisible()
    shown = desk.start(second.uuid)  # the citizen walked away; the next one is served
    widgets.append(shown)
    assert not left_open.isVisible() and shown.isVisible() and desk.window is shown
    with qtbot.wait_signal(desk.stored):
        shown.level_buttons["very_satisfied"].click()
    assert store.load(first.uuid).ratings == [] and len(store.load(second.uuid).ratings) == 1
