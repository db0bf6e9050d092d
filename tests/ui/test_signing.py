"""Signatures on screen, driven offscreen: mouse and pen strokes on the pad, the round of three signatures from the
wizard's 屏上签名, cleared and signed again, stored and printed on the 委托书; a cancel stores nothing; a window with
no signing device says so and the paper path stays."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication

from desktop import forms
from desktop.domain.case import Person
from desktop.storage import esign, settings
from desktop.ui.app import STYLE
from desktop.ui.signing import NO_SCREEN, NOT_SET, ROUND, SignaturePad, where
from desktop.ui.wizard.people import SIGNATURE_STALE
from desktop.ui.wizard.wizard import CaseWizard
from tests.forms.conftest import pypdf_text, squeeze
from tests.ui.test_wizard import drive, prepared

STROKE = [(40, 120), (80, 60), (120, 140), (160, 70), (200, 130), (260, 90), (320, 110)]


def mouse(pad, kind: QEvent.Type, x: float, y: float, pressed: bool = True) -> None:
    buttons = Qt.MouseButton.LeftButton if pressed else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(x, y), pad.mapToGlobal(QPointF(x, y)), Qt.MouseButton.LeftButton, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(pad, event)


def draw_with_mouse(pad, points=STROKE, dx: int = 0) -> None:
    (x0, y0), *rest = points
    mouse(pad, QEvent.Type.MouseButtonPress, x0 + dx, y0)
    for x, y in rest:
        mouse(pad, QEvent.Type.MouseMove, x + dx, y)
    mouse(pad, QEvent.Type.MouseButtonRelease, rest[-1][0] + dx, rest[-1][1], pressed=False)


def draw_with_pen(pad, points=STROKE, pressure: float = 0.8) -> None:
    device = QPointingDevice.primaryPointingDevice()
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 2) + [QEvent.Type.TabletRelease]
    for kind, (x, y) in zip(kinds, points, strict=True):
        event = QTabletEvent(kind, device, QPointF(x, y), pad.mapToGlobal(QPointF(x, y)), pressure, 0.0, 0.0, 0.0,
                             0.0, 0.0, Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
                             Qt.MouseButton.LeftButton)
        QApplication.sendEvent(pad, event)


def test_mouse_and_pen_strokes_make_a_cropped_transparent_png_and_clear_empties_it(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(700, 240)
    pad.show()
    assert not pad.is_signed()
    draw_with_mouse(pad)
    draw_with_pen(pad, [(x + 330, y) for x, y in STROKE])
    assert len(pad.strokes) == 2 and pad.is_signed()
    drawn = len(pad.strokes[1])
    hover = QTabletEvent(QEvent.Type.TabletMove, QPointingDevice.primaryPointingDevice(), QPointF(650, 20),
                         pad.mapToGlobal(QPointF(650, 20)), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                         Qt.KeyboardModifier.NoModifier, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    QApplication.sendEvent(pad, hover)  # the pen lifted but still in range: no ink
    assert len(pad.strokes[1]) == drawn
    assert pad.strokes[1][0][1] > pad.strokes[0][0][1]  # the pen's pressure made a broader line
    with Image.open(io.BytesIO(pad.png())) as im:
        assert im.mode == "RGBA" and 600 < im.width < 680 and 80 < im.height < 110  # cropped to the ink
        assert im.getpixel((0, 0))[3] == 0 and im.getchannel("A").getextrema()[1] == 255
    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.strokes == [] and not pad.is_signed()


def proxy_wizard(qtbot, store, make_wizard):
    data = prepared(store, 14, seed=14)
    data.applied_by, data.proxy_kind, data.mandate_signed = "proxy", "village_agent", False
    data.proxy = Person(name="罗德明", phone="13907301234")
    wizard = make_wizard(qtbot, store, 14)
    drive(qtbot, wizard, data, 1)
    return wizard, wizard.pages[1]


def test_both_parties_sign_on_screen_and_the_consent_prints_their_signatures(qtbot, store, make_wizard, tmp_path):
    settings.set_value(store.db, "signing", "window")
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    assert not page.mandate.isChecked()
    page.sign_screen.click()
    window = wizard.signing.window
    qtbot.waitExposed(window)
    assert not window.ok_button.isEnabled()
    draw_with_mouse(window.pad)
    window.ok_button.click()  # 委托人, the 委托书
    draw_with_pen(window.pad)
    window.clear_button.click()  # a slip: cleared and signed again
    assert window.pad.strokes == [] and not window.ok_button.isEnabled()
    draw_with_pen(window.pad, [(x, y + 20) for x, y in STROKE])
    # no grab() of this top-level window: deleted after a grab, Qt warns "shared QObject was deleted directly"
    # and may crash later in the run (PySide6 6.12, offscreen); `python -m desktop screenshots` renders it
    window.ok_button.click()  # 委托人, the separate consent
    assert "受托人" in window.title.text()
    draw_with_mouse(window.pad, [(x, y // 2 + 40) for x, y in STROKE[:5]])  # another hand
    with qtbot.waitSignal(wizard.signing.done):
        window.ok_button.click()  # 受托人, the 委托书
    assert page.mandate.isChecked() and page.mandate.isEnabled() and "已在屏上签名" in page.sign_note.text()
    wizard.resize(1366, 768)
    wizard.grab().save(str(tmp_path / "proxy-page.png"))
    stored = esign.latest(store.events(wizard.case.uuid))
    assert sorted(stored) == sorted(ROUND)
    with qtbot.waitSignal(wizard.consent_shown, timeout=60_000) as shown:
        page.print_consent.click()
    pdf = shown.args[0].pdf
    assert sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages) == 3
    digest = forms.consent_digest(store.load(wizard.case.uuid), store.catalog)
    assert squeeze(pypdf_text(pdf)).count(f"内容摘要{digest}") == 3


def sign_round(qtbot, wizard, *, edit_meanwhile=None) -> None:
    """Open 屏上签名 and give the three signatures; `edit_meanwhile()` runs before the last one is confirmed."""
    wizard.pages[1].sign_screen.click()
    window = wizard.signing.window
    for n in range(len(ROUND)):
        draw_with_mouse(window.pad, dx=30 * n)
        if n == len(ROUND) - 1 and edit_meanwhile:
            edit_meanwhile()
        if n < len(ROUND) - 1:
            window.ok_button.click()
    with qtbot.waitSignal(wizard.signing.done):
        window.ok_button.click()


def test_an_edit_after_signing_on_screen_unticks_signed_and_says_why(qtbot, store, make_wizard, tmp_path):
    settings.set_value(store.db, "signing", "window")
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    wizard.setStyleSheet(STYLE)  # the desk's style, for the picture: the reason in red, as the clerk sees it
    sign_round(qtbot, wizard)
    assert page.mandate.isChecked() and store.load(wizard.case.uuid).mandate_signed
    page.delivery.setCurrentIndex(1)  # not on the 委托书: the signatures still hold
    assert wizard.save_now() and page.mandate.isChecked() and "已在屏上签名" in page.sign_note.text()
    page.proxy.phone.setText("13907309999")  # on the 委托书: the signatures no longer print
    qtbot.waitUntil(lambda: not page.mandate.isChecked())
    assert page.sign_note.text() == SIGNATURE_STALE and page.sign_note.property("role") == "error"
    qtbot.waitUntil(lambda: not store.load(wizard.case.uuid).mandate_signed)
    wizard.grab().save(str(tmp_path / "stale-signature.png"))
    page.mandate.setChecked(True)  # signed again on paper: the clerk's own tick stays
    page.proxy.phone.setText("13907308888")
    assert wizard.save_now() and page.mandate.isChecked() and store.load(wizard.case.uuid).mandate_signed


def test_an_edit_while_the_citizen_signs_leaves_signed_unticked(qtbot, store, make_wizard):
    settings.set_value(store.db, "signing", "window")
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    sign_round(qtbot, wizard, edit_meanwhile=lambda: page.proxy.name.setText("罗德亮"))
    assert not page.mandate.isChecked() and page.sign_note.text() == SIGNATURE_STALE
    assert not store.load(wizard.case.uuid).mandate_signed and len(esign.latest(store.events(wizard.case.uuid))) == 3


def test_a_reopened_draft_signed_on_screen_unticks_signed_when_edited(qtbot, store, make_wizard, widgets):
    settings.set_value(store.db, "signing", "window")
    wizard, _page = proxy_wizard(qtbot, store, make_wizard)
    sign_round(qtbot, wizard)
    assert wizard.save_now()
    again = CaseWizard(store, store.load(wizard.case.uuid))
    widgets.append(again)
    page = again.pages[1]
    assert page.mandate.isChecked()
    page.proxy.phone.setText("13907307777")
    assert again.save_now() and not page.mandate.isChecked() and page.sign_note.text() == SIGNATURE_STALE


def test_a_cancelled_round_stores_nothing(qtbot, store, make_wizard):
    settings.set_value(store.db, "signing", "window")
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    page.sign_screen.click()
    desk = wizard.signing
    draw_with_mouse(desk.window.pad)
    desk.window.ok_button.click()
    with qtbot.waitSignal(desk.cancelled):
        desk.window.cancel_button.click()
    assert esign.latest(store.events(wizard.case.uuid)) == {} and not page.mandate.isChecked()
    assert "未保存任何签名" in page.sign_note.text()
    assert not list((store.data_dir / "blobs").rglob("*")) or all(p.is_dir() for p in (store.data_dir / "blobs").rglob("*"))


def test_without_a_signing_device_the_clerk_is_told_and_paper_signing_stays(qtbot, store, make_wizard):
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    page.sign_screen.click()
    assert wizard.signing is None and page.sign_note.text() == NOT_SET
    assert page.print_consent.isEnabled()


def test_a_signing_screen_set_but_not_connected_opens_on_the_clerks_screen(qtbot, store, make_wizard):
    settings.set_value(store.db, "signing", "screen")
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    page.sign_screen.click()  # the offscreen platform has one screen
    assert page.sign_note.text() == NO_SCREEN and wizard.signing.window.isVisible()
    assert not wizard.signing.window.isFullScreen()


def test_the_citizens_screen_is_the_one_that_is_not_the_clerks():
    desk, citizen = object(), object()
    assert where({"signing": "screen"}, [desk, citizen], desk) == ("screen", citizen)
    assert where({"signing": "window"}, [desk, citizen], desk) == ("window", None)
    assert where({"signing": ""}, [desk, citizen], desk) == ("", None)


def test_confirming_an_empty_pad_asks_for_a_signature(qtbot, store, make_wizard):
    settings.set_value(store.db, "signing", "window")
    wizard, page = proxy_wizard(qtbot, store, make_wizard)
    page.sign_screen.click()
    window = wizard.signing.window
    window._on_ok()  # as a double tap on the button would, before any ink
    assert "还没有签名" in window.problem.text() and esign.latest(store.events(wizard.case.uuid)) == {}


def test_with_a_second_screen_the_round_fills_the_citizens_screen(store, tmp_path):
    from tests.forms.conftest import draft
    from tests.ui import twoscreens

    settings.set_value(store.db, "signing", "screen")
    case = draft(store, 3, seed=4)
    store.save_draft(case)
    seen = twoscreens.run("signing", store.data_dir, case.uuid, tmp_path)
    assert seen["window_screen"] == "citizen" and seen["full_screen"]
    assert seen["geometry"] == seen["citizen_geometry"] == [1366, 0, 1280, 800]
    assert seen["note"] == "请委托人、受托人依次在签名屏上签名…" and seen["done"]
    assert seen["stored"] == ["consent/principal", "mandate/principal", "mandate/proxy"]
