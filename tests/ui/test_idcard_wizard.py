"""F2 in the wizard reads the ID card (here the file-backed reader) into the applicant, checks it, asks when it
disagrees with what was typed, and puts "read from the card" on the timeline without the values."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from desktop.domain import idnumber
from desktop.storage import settings
from desktop.ui.wizard import cardread

NUMBER = "43052119550308002"
NUMBER += idnumber.check_digit(NUMBER)
CARD = {"name": "欧阳䶮𠈌", "sex": "男", "nation": "汉", "birth": "19550308", "address": "湖南省邵阳县白水乡白水村3组",
        "id_number": NUMBER, "authority": "邵阳县公安局", "valid_from": "20160308", "valid_to": "长期"}


def reader_file(store, tmp_path, **changes):
    path = tmp_path / "card.json"
    path.write_text(json.dumps(CARD | changes, ensure_ascii=False), encoding="utf-8")
    settings.set_value(store.db, "idcard_reader", "file")
    settings.set_value(store.db, "idcard_file", str(path))


def test_f2_fills_the_applicant_from_the_card_and_the_timeline_says_so(qtbot, store, tmp_path, make_wizard):
    reader_file(store, tmp_path)
    wizard = make_wizard(qtbot, store, 1)
    page = wizard.pages[0]
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)  # shortcuts only fire in the active window
    page.applicant.phone.setFocus()
    with qtbot.waitSignal(page.card_read, timeout=10_000) as read:
        qtbot.keyClick(page.applicant.phone, Qt.Key.Key_F2)
    assert read.args == ["applicant", ["name", "id_number", "address"]]
    assert (page.applicant.name.text(), page.applicant.id_number.text()) == (CARD["name"], NUMBER)
    assert "已从身份证读取（有效期至 长期）" in page.applicant.id_hint.text()
    events = [e for e in store.events(wizard.case.uuid) if e["kind"] == "id_card_read"]
    assert [e["detail"] for e in events] == [{"person": "applicant", "fields": ["name", "id_number", "address"]}]
    assert CARD["name"] not in json.dumps(events, ensure_ascii=False) and NUMBER not in json.dumps(events)
    assert store.load(wizard.case.uuid).applicant.id_number == NUMBER


def test_a_typed_name_that_disagrees_is_kept_when_the_clerk_says_so(qtbot, store, tmp_path, make_wizard, monkeypatch):
    reader_file(store, tmp_path)
    asked = []
    monkeypatch.setattr(cardread, "_card_wins", lambda parent, key, typed, card: asked.append((key, typed, card)))
    wizard = make_wizard(qtbot, store, 1)
    page = wizard.pages[0]
    page.applicant.name.setText("欧阳岩")
    with qtbot.waitSignal(page.card_read, timeout=10_000) as read:
        cardread.read_into(page.applicant)
    assert asked == [("name", "欧阳岩", CARD["name"])]
    assert page.applicant.name.text() == "欧阳岩" and read.args == ["applicant", ["id_number", "address"]]


def test_an_expired_card_fills_nothing_and_says_why(qtbot, store, tmp_path, make_wizard):
    reader_file(store, tmp_path, valid_to="20250101")
    wizard = make_wizard(qtbot, store, 1)
    page = wizard.pages[0]
    cardread.read_into(page.applicant)
    qtbot.waitUntil(lambda: "有效期" in page.applicant.id_hint.text(), timeout=10_000)
    assert page.applicant.name.text() == "" and "可手工录入" in page.applicant.id_hint.text()


def test_without_a_reader_the_clerk_is_told_where_to_set_one(qtbot, store, make_wizard):
    wizard = make_wizard(qtbot, store, 1)
    cardread.read_into(wizard.pages[0].applicant)
    assert "设置 → 窗口设备" in wizard.pages[0].applicant.id_hint.text()
