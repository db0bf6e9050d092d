"""Wizard pages 1 and 2: the applicant (and guardian), then who applies and how."""

from __future__ import annotations

import datetime as dt
import unicodedata

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import eligibility, idnumber
from desktop.domain.case import DELIVERY, PROXY_KINDS, STAFF_PROXY_KINDS, Case, Person
from desktop.domain.errors import ValidationError
from desktop.forms import namecheck
from desktop.ui.fonts import screen_missing
from desktop.ui.pagebase import Page, WizardContext, hint_label, set_hint
from desktop.ui.wizard.cardread import card_button, read_into

SIGNATURE_STALE = "屏上签名后委托书内容已修改，原签名已失效，已取消“已签署”：请重新屏上签名，或打印委托书纸面签字后再勾选"
PERSON_FIELDS = ("name", "id_number", "phone", "address", "relation", "staff_no")


def id_feedback(text: str, day: dt.date | None = None) -> tuple[str, bool]:
    """The line under an ID field: what the number says, or exactly what is wrong (error=True)."""
    day = day or dt.date.today()
    digits = idnumber.normalize(text)
    if not digits:
        return "输入或粘贴18位身份证号码，出生日期、年龄、性别自动填写", False
    try:
        info = idnumber.parse(text, today=day)
    except ValidationError as exc:
        if len(digits) < 18 and digits.isdigit():
            return f"已输入 {len(digits)} 位", False
        return exc.message, True
    note = "；".join(info.warnings) + (f"：{info.number}" if info.converted_from_15 else "")
    return f"出生日期 {info.birth_date:%Y-%m-%d}　{info.age_on(day)}周岁　{info.sex}" + (f"（{note}）" if note else ""), False


class PersonForm(QWidget):
    """Name, ID number (checked as typed), phone, address and optionally the relation, bound to a Person."""

    def __init__(self, page: Page, prefix: str, *, relation: bool = False, address: bool = True,
                 staff: bool = False):
        super().__init__()
        self.page, self.prefix = page, prefix
        form = self.form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.name = page.line(f"{prefix}.name", "姓名（可含生僻字）", 40)
        self.id_number = page.line(f"{prefix}.id_number", "18位身份证号码", 24)
        self.id_hint = hint_label()
        self.phone = page.line(f"{prefix}.phone", "手机号或带区号的固定电话", 20)
        form.addRow("姓名", self.name)
        form.addRow("身份证号码", self.id_number)
        form.addRow("", self.id_hint)
        card_row = QHBoxLayout()
        card_row.addWidget(card_button(self))
        card_row.addStretch(1)
        form.addRow("", card_row)
        form.addRow("联系电话", self.phone)
        self.address = page.line(f"{prefix}.address", "详细地址", 100) if address else None
        if self.address is not None:
            form.addRow("住址", self.address)
        self.relation = page.line(f"{prefix}.relation", "如：父亲、母亲、祖母", 20) if relation else None
        if self.relation is not None:
            form.addRow("与申请人关系", self.relation)
        # 工号: shown for a 受托人 who is staff (ProxyPage), printed in the 委托书's 受托人 box
        self.staff_no = page.line(f"{prefix}.staff_no", "工作人员工号，如 XZ0301（印在委托书上）", 20) if staff else None
        if self.staff_no is not None:
            form.addRow("工号", self.staff_no)
        self.chars_hint = hint_label()
        self.chars_hint.setVisible(False)
        form.addRow("", self.chars_hint)
        self.id_number.textChanged.connect(self._on_id_changed)
        for widget in (self.name, self.address, self.relation):
            if widget is not None:
                widget.textChanged.connect(self._on_chars_changed)

    def _on_id_changed(self) -> None:
        text, error = id_feedback(self.id_number.text())
        set_hint(self.id_hint, text, error=error)

    def _on_chars_changed(self) -> None:
        """Say at once which typed character will not print (or shows as a box on screen), and what to do."""
        found = namecheck.for_person(self.person(), self.prefix)
        lines = [f.message for f in found]
        printable = {f.code for f in found}
        lines += [f"屏幕字体缺少“{ch}”（U+{ord(ch):04X}）的字形，屏幕上可能显示为方框；打印不受影响"
                  for ch in screen_missing(self.name.text()) if f"U+{ord(ch):04X}" not in printable]
        set_hint(self.chars_hint, "\n".join(lines), error=any(f.blocking for f in found))
        self.chars_hint.setVisible(bool(lines))

    def problems(self) -> list[ValidationError]:
        """The characters that stop acceptance, as errors naming their field."""
        found = namecheck.for_person(self.person(), self.prefix)
        return [ValidationError(f.message, field=f.field) for f in found if f.blocking]

    def load(self, person: Person | None) -> None:
        person = person or Person()
        for key in PERSON_FIELDS:
            widget: QLineEdit | None = getattr(self, key)
            if widget is not None:
                widget.setText(getattr(person, key))
        self._on_id_changed()
        self._on_chars_changed()

    def person(self, base: Person | None = None) -> Person:
        person = Person(**vars(base)) if base else Person()
        for key in PERSON_FIELDS:
            widget = getattr(self, key)
            if widget is not None:
                text = widget.text().strip()
                setattr(person, key, {"id_number": idnumber.normalize, "staff_no": str.upper,
                                      "phone": _ascii_phone, "name": _card_dot}.get(key, str)(text))
        return person


# dots typed for the middle dot of an ethnic-minority name (阿依古丽·买买提艾力): the ID card's is U+00B7
_NAME_DOTS = str.maketrans(dict.fromkeys("•・･．.‧∙⋅", "·"))


def _card_dot(text: str) -> str:
    return text.translate(_NAME_DOTS)


def _ascii_phone(text: str) -> str:
    """Full-width digits, hyphens and spaces (an input method in full-width mode) as ASCII, like the ID number."""
    return unicodedata.normalize("NFKC", text)


def read_card_shortcut(page: Page, forms: list[PersonForm]) -> None:
    """F2 on a page reads the ID card into the person form that has the focus (else the first shown one)."""

    def read() -> None:
        focus = QApplication.focusWidget()
        shown = [f for f in forms if f.isVisibleTo(page)] or forms
        read_into(next((f for f in shown if focus is not None and f.isAncestorOf(focus)), shown[0]))

    shortcut = QShortcut(QKeySequence(Qt.Key.Key_F2), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(read)


class ApplicantPage(Page):
    """The applicant, the township and village from the office's list, and a guardian when needed."""

    title = "申请人"

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        box = QGroupBox("申请人（服务对象）")
        inner = QVBoxLayout(box)
        self.applicant = PersonForm(self, "applicant")
        inner.addWidget(self.applicant)
        place = QFormLayout()
        townships = ctx.settings.get("townships") or []
        self.township = self.combo("applicant.township", ["", *(t["name"] for t in townships)], editable=True)
        self.village = self.combo("applicant.village", [""], editable=True)
        self.township.currentTextChanged.connect(self._fill_villages)
        place.addRow("乡镇（街道）", self.township)
        place.addRow("村（社区）", self.village)
        inner.addLayout(place)
        layout.addWidget(box)
        self.guardian_box = QGroupBox("监护人")
        self.guardian_box.setCheckable(True)
        self.guardian_box.toggled.connect(self._on_edit)
        self.guardian_note = hint_label()
        g = QVBoxLayout(self.guardian_box)
        g.addWidget(self.guardian_note)
        self.guardian = PersonForm(self, "guardian", relation=True, address=False)
        g.addWidget(self.guardian)
        layout.addWidget(self.guardian_box)
        layout.addStretch(1)
        read_card_shortcut(self, [self.applicant, self.guardian])

    def _fill_villages(self, township: str) -> None:
        current = self.village.currentText()
        villages = next((t["villages"] for t in self.ctx.settings.get("townships") or [] if t["name"] == township), [])
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItems(["", *villages])
        self.village.setCurrentText(current)
        self.village.blockSignals(False)

    def _load(self, case: Case) -> None:
        self.applicant.load(case.applicant)
        self.township.setCurrentText(case.applicant.township)
        self._fill_villages(case.applicant.township)
        self.village.setCurrentText(case.applicant.village)
        self.guardian.load(case.guardian)
        self.guardian_box.setChecked(case.guardian is not None and not case.guardian.is_empty())

    def save(self, case: Case) -> None:
        case.applicant = self.applicant.person(case.applicant)
        case.applicant.township = self.township.currentText().strip()
        case.applicant.village = self.village.currentText().strip()
        case.guardian = self.guardian.person(case.guardian) if self.guardian_box.isChecked() else None

    def problems(self, case: Case) -> list[ValidationError]:
        guardian = self.guardian.problems() if self.guardian_box.isChecked() else []
        return self.applicant.problems() + guardian

    def refresh(self, case: Case) -> None:
        required = eligibility.guardian_required(self.ctx.service, case)
        if required and not self.guardian_box.isChecked():
            self.guardian_box.setChecked(True)  # required: cannot be unticked (setCheckable would re-tick it anyway)
        note = "申请人未成年或本事项要求监护人：须填写监护人" if required else "如有监护人或近亲属陪同办理，可勾选填写"
        set_hint(self.guardian_note, note, error=False)
        self.guardian.setVisible(self.guardian_box.isChecked())


class ProxyPage(Page):
    """本人申请 or 帮代办 (with the mandate), and the method the catalog allows."""

    title = "申请方式"
    consent_requested = Signal()  # 打印委托书: the wizard saves the draft and prints it
    sign_requested = Signal()  # 屏上签名: the wizard saves the draft and opens the signing screen (ui/signing.py)

    def set_consent_printed(self) -> None:
        """The 委托书 exists on paper: the clerk may now tick that it was signed."""
        self.mandate.setEnabled(True)
        self.mandate.setToolTip("")

    def set_signed_on_screen(self) -> None:
        """Both parties signed on screen: the 委托书 counts as signed (its print carries the signatures)."""
        self.set_consent_printed()
        self.mandate.setChecked(True)

    def set_signature_stale(self) -> None:
        """The case changed after the on-screen signing: 已签署 no longer holds, and the clerk is told why."""
        self.mandate.setChecked(False)
        set_hint(self.sign_note, SIGNATURE_STALE, error=True)

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        who = QGroupBox("谁来申请")
        row = QHBoxLayout(who)
        self.self_radio = QRadioButton("申请人本人（或监护人）申请")
        self.proxy_radio = QRadioButton("帮代办（受申请人委托代为办理）")
        self.applied_group = QButtonGroup(self)
        for radio in (self.self_radio, self.proxy_radio):
            self.applied_group.addButton(radio)
            row.addWidget(radio)
            radio.toggled.connect(self._on_edit)
        self.fields["applied_by"] = self.self_radio
        layout.addWidget(who)
        self.proxy_box = QGroupBox("代办人与委托")
        form = QFormLayout(self.proxy_box)
        self.kind = self.combo("proxy_kind", list(PROXY_KINDS.values()))
        # 居住证: a close relative only (the catalog's proxy.kinds); the others cannot be chosen
        self.allowed_kinds = [k for k in ctx.service.proxy.get("kinds") or () if k in PROXY_KINDS] or list(PROXY_KINDS)
        # the logged-in staff member's own kind (窗口帮代办人员, or 村级代办员 for a village agent): 帮代办 starts there,
        # with their name and 工号 filled in
        own = ctx.settings.get("own_proxy_kind", "clerk")
        self._own_kind = own if own in self.allowed_kinds else ""
        for index, key in enumerate(PROXY_KINDS):
            self.kind.model().item(index).setEnabled(key in self.allowed_kinds)
        form.addRow("代办人类型", self.kind)
        self.proxy = PersonForm(self, "proxy", relation=True, address=False, staff=True)
        form.addRow(self.proxy)
        # the 委托书 is the hall's own paper: printed here from the draft, signed, then ticked
        self.print_consent = QPushButton("打印委托书…")
        self.print_consent.clicked.connect(self.consent_requested)
        self.mandate = QCheckBox("申请人（或监护人）已签署《代办服务委托书》")
        self.mandate.toggled.connect(self._on_edit)
        self.mandate.setEnabled(False)
        self.mandate.setToolTip("请先打印委托书，由委托人（或监护人）签字捺印后勾选")
        self.fields["mandate_signed"] = self.mandate
        self.sign_screen = QPushButton("屏上签名…")
        self.sign_screen.setToolTip("委托人、受托人在签名屏（第二块屏幕或手写板）上签名，签名印在委托书上")
        self.sign_screen.clicked.connect(self.sign_requested)
        self.sign_note = hint_label()
        row = QHBoxLayout()
        row.addWidget(self.print_consent)
        row.addWidget(self.sign_screen)
        row.addWidget(self.mandate, 1)
        form.addRow("委托书", row)
        form.addRow("", self.sign_note)
        layout.addWidget(self.proxy_box)
        self.method_box = QGroupBox("办理方式（本事项可选）")
        methods = QHBoxLayout(self.method_box)
        self.method_group = QButtonGroup(self)
        for method in ctx.service.methods:
            radio = QRadioButton(method)
            radio.toggled.connect(self._on_edit)
            self.method_group.addButton(radio)
            methods.addWidget(radio)
        methods.addStretch(1)
        self.fields["method"] = self.method_group.buttons()[0]
        layout.addWidget(self.method_box)
        delivery_box = QGroupBox("结果领取方式（印在受理回执和办结单上）")
        row = QHBoxLayout(delivery_box)
        self.delivery = self.combo("delivery", list(DELIVERY.values()))
        row.addWidget(self.delivery)
        row.addStretch(1)
        layout.addWidget(delivery_box)
        self.appear = hint_label(error=True)
        layout.addWidget(self.appear)
        layout.addStretch(1)
        self._filled_staff_no = ""  # the 工号 last filled in from an account (not typed by the clerk)
        self.kind.currentIndexChanged.connect(self._prefill_clerk)
        self.proxy_radio.toggled.connect(lambda on: self._prefill_clerk() if on else None)  # the kind starts on 窗口
        self.proxy.name.textChanged.connect(self._prefill_staff_no)
        read_card_shortcut(self, [self.proxy])

    def field_widget(self, field: str) -> QWidget | None:
        """An unsigned mandate while 已签署 cannot yet be ticked: 打印委托书 is the next step, so it takes the cursor."""
        if field == "mandate_signed" and not self.mandate.isEnabled():
            return self.print_consent
        return super().field_widget(field)

    def _staff_kind(self) -> bool:
        return list(PROXY_KINDS)[self.kind.currentIndex()] in STAFF_PROXY_KINDS

    def _prefill_clerk(self) -> None:
        if self._loading or list(PROXY_KINDS)[self.kind.currentIndex()] != self._own_kind:
            return
        if not self.proxy.name.text().strip():
            self.proxy.name.setText(self.ctx.clerk)
        self._prefill_staff_no()

    def _prefill_staff_no(self) -> None:
        """A 受托人 who is staff with an account on this device: their 工号, unless one was typed."""
        assert self.proxy.staff_no is not None
        typed = self.proxy.staff_no.text().strip()
        if self._loading or not self._staff_kind() or (typed and typed != self._filled_staff_no):
            return
        # a number filled in for the previous name follows the name: never another person's 工号 on the 委托书
        self._filled_staff_no = self.ctx.staff_numbers.get(self.proxy.name.text().strip(), "")
        self.proxy.staff_no.setText(self._filled_staff_no)

    def _load(self, case: Case) -> None:
        (self.proxy_radio if case.is_proxy else self.self_radio).setChecked(True)
        kinds = list(PROXY_KINDS)
        self.kind.setCurrentIndex(kinds.index(case.proxy_kind if case.proxy_kind in kinds
                                              else self._own_kind or self.allowed_kinds[0]))
        self.proxy.load(case.proxy)
        self.mandate.setChecked(case.mandate_signed)
        if case.mandate_signed:
            self.set_consent_printed()
        for button in self.method_group.buttons():
            button.setChecked(button.text() == case.method)
        keys = list(DELIVERY)
        self.delivery.setCurrentIndex(keys.index(case.delivery) if case.delivery in keys else 0)

    def save(self, case: Case) -> None:
        case.applied_by = "proxy" if self.proxy_radio.isChecked() else "self"
        if case.is_proxy:
            case.proxy_kind = list(PROXY_KINDS)[self.kind.currentIndex()]
            case.proxy = self.proxy.person(case.proxy)
            if not self._staff_kind():  # a relative or other 受托人 is known by their ID number, not a 工号
                case.proxy.staff_no = ""
            else:  # staff are known by 工号 and unit: a relation typed before the kind changed is not kept
                case.proxy.relation = ""
            case.mandate_signed = self.mandate.isChecked()
        checked = self.method_group.checkedButton()
        case.method = checked.text() if checked else ""
        case.delivery = list(DELIVERY)[self.delivery.currentIndex()]

    def problems(self, case: Case) -> list[ValidationError]:
        return self.proxy.problems() if self.proxy_radio.isChecked() else []

    def refresh(self, case: Case) -> None:
        self.proxy_box.setVisible(self.proxy_radio.isChecked())
        self.proxy.form.setRowVisible(self.proxy.staff_no, self._staff_kind())
        self.proxy.form.setRowVisible(self.proxy.relation, not self._staff_kind())  # staff: 工号 and unit instead
        proxy = self.ctx.service.proxy
        note = ""
        if proxy.get("must_appear"):
            note = f"⚠ 需本人到场：{proxy.get('appear_note') or '部分环节须申请人本人到场'}"
        self.appear.setText(note)
        self.appear.setVisible(bool(note))

