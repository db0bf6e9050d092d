"""读身份证 (F2): read the ID card on a worker and fill a person form, asking when the card and the typed data
disagree. The card is checked like typed input (desktop/intake/idcard.py); a page emits `card_read` so the
wizard puts "read from the card" on the case's timeline (which fields, never their values)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from desktop.domain import idnumber
from desktop.intake import idcard
from desktop.ui import worker
from desktop.ui.pagebase import set_hint

NO_READER = "本窗口未设置身份证阅读器：请在“设置 → 窗口设备”中选择，或手工录入"
LABELS = {"name": "姓名", "id_number": "身份证号码", "address": "住址"}


def card_button(form) -> QPushButton:
    """The 读身份证 button beside a PersonForm (F2 does the same for the form with the focus)."""
    button = QPushButton("读身份证（F2）")
    button.setToolTip("把身份证放在阅读器上后点击；读到的姓名、号码、住址填入本栏，仍按规则校验")
    button.clicked.connect(lambda: read_into(form))
    # out of the Tab chain: between the ID number and the phone it took the phone's digits; F2 is its key
    button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    return button


def read_into(form) -> None:
    """Read a card into `form` (a PersonForm) in the background; the hint line says what happened."""
    reader = idcard.make_reader(form.page.ctx.settings)
    if reader is None:
        set_hint(form.id_hint, NO_READER, error=True)
        return
    set_hint(form.id_hint, "正在读卡，请不要移动身份证…", error=False)
    worker.run(lambda: idcard.read_and_check(reader), lambda result, error: _on_read(form, result, error))


def _on_read(form, result, error: BaseException | None) -> None:
    if error is not None:
        set_hint(form.id_hint, f"{worker.known(error)}（可手工录入）", error=True)
        return
    card, warnings, _seconds = result
    chosen = {key: value for key, value in (("name", card.name), ("id_number", card.id_number),
                                           ("address", card.address)) if getattr(form, key) is not None}
    filled = [key for key, value in chosen.items() if _take(form, key, value)]
    valid = "长期" if card.valid_to == "长期" else f"{card.valid_to[:4]}.{card.valid_to[4:6]}.{card.valid_to[6:]}"
    note = "；".join(warnings)
    set_hint(form.id_hint, f"已从身份证读取（有效期至 {valid}）" + (f"。请注意：{note}" if note else ""),
             error=bool(card.flagged))
    if filled:
        form.page.card_read.emit(form.prefix, filled)


def _take(form, key: str, value: str) -> bool:
    """Put the card's `value` in field `key`; when something else was typed there, ask which is right."""
    widget = getattr(form, key)
    typed = widget.text().strip()
    same = idnumber.normalize(typed) == value if key == "id_number" else typed == value
    if same:
        return False
    if typed and not _card_wins(form.page, key, typed, value):
        return False
    widget.setText(value)
    return True


def _card_wins(parent: QWidget, key: str, typed: str, card: str) -> bool:
    shown = (idnumber.mask_id(typed), idnumber.mask_id(card)) if key == "id_number" else (typed, card)
    box = QMessageBox(QMessageBox.Icon.Question, "身份证与已录入的不一致",
                      f"{LABELS[key]}：已录入“{shown[0]}”，身份证上是“{shown[1]}”。以哪个为准？", parent=parent)
    use_card = box.addButton("以身份证为准", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("保留已录入", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(use_card)
    box.exec()
    return box.clickedButton() is use_card
