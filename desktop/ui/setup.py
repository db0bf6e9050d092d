"""First-run setup and settings: county and office, window or device code, scanner folder, default printer."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DeskError, ValidationError
from desktop.storage import settings
from desktop.storage.store import Store
from desktop.ui import worker
from desktop.ui.pagebase import hint_label, set_hint

# the tabs of the dialog and the text settings on each (the staff member's name comes from their login)
TABS = (
    ("本机与办理点", ("county_code", "county_name", "office", "window_code", "office_phone", "complaint_phone", "office_address", "progress_url")),
    ("扫描与打印", ("scanner_folder",)),
    ("乡镇与安全", ("lock_minutes",)),
    ("窗口设备", ("idcard_reader", "idcard_dll", "idcard_port", "idcard_file", "camera", "camera_device", "camera_file",
              "signing")),
)
FIELDS = tuple(key for _, keys in TABS for key in keys)


def needs_setup(store: Store) -> bool:
    values = settings.get_all(store.db)
    return not (values["county_code"] and values["window_code"])


def townships_to_text(townships: list[dict]) -> str:
    return "\n".join(f"{t['name']}：{'、'.join(t['villages'])}" for t in townships)


def text_to_townships(text: str) -> list[dict]:
    """One township per line: `城关镇：东门社区、西街社区` (full- or half-width colon and commas)."""
    result = []
    for line in text.splitlines():
        name, _, villages = line.replace(":", "：").partition("：")
        if name.strip():
            parts = villages.replace(",", "、").replace("，", "、").split("、")
            result.append({"name": name.strip(), "villages": [v.strip() for v in parts if v.strip()]})
    return result


def printer_names() -> list[str]:
    from PySide6.QtPrintSupport import QPrinterInfo

    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


class SettingsDialog(QDialog):
    """Edit the device settings; the same dialog is the first-run setup."""

    def __init__(self, store: Store, *, first_run: bool = False, save=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        # how one setting is stored: through the accounts (audited, administrator only) in the desk
        self._save = save or (lambda key, value: settings.set_value(store.db, key, value))
        self.setWindowTitle("首次设置" if first_run else "设置")
        self.setMinimumWidth(640)
        values = settings.get_all(store.db)
        forms = [QFormLayout() for _ in TABS]
        self.edits: dict[str, QLineEdit] = {}
        for form, (_, keys) in zip(forms, TABS, strict=True):
            for key in keys:
                self._text_row(form, key, values)
        self._printer_rows(forms[1], values)
        self.consent_mask = QCheckBox("委托书上隐藏委托人身份证号的出生日期等中间位（县里决定；默认印完整号码）")
        self.consent_mask.setChecked(values["consent_mask_id"] == "yes")
        forms[2].addRow("", self.consent_mask)
        self.townships = QPlainTextEdit(townships_to_text(values["townships"]))
        self.townships.setPlaceholderText("每行一个乡镇，例如：城关镇：东门社区、西街社区、河背村")
        forms[2].addRow("乡镇与村（社区）", self.townships)
        self.tabs = QTabWidget()
        for form, (title, _) in zip(forms, TABS, strict=True):
            page = QWidget()
            page.setLayout(form)
            self.tabs.addTab(page, title)
        self.error = hint_label(error=True)
        self.error.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if first_run:
            layout.addWidget(hint_label("欢迎使用一件事帮代办工作台。请先填写本机所在的县、办理点和窗口编号，以后可在“设置”中修改。"))
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Open with the cursor in the first empty field of the first tab (the county code on a first run)."""
        super().showEvent(event)
        empty = next((e for e in self.edits.values() if not e.text()), self.edits["county_code"])
        self.tabs.setCurrentIndex(next(i for i, (_, keys) in enumerate(TABS) if any(self.edits[k] is empty for k in keys)))
        empty.setFocus()

    def _text_row(self, form: QFormLayout, key: str, values: dict) -> None:
        spec = settings.SETTINGS[key]
        edit = QLineEdit(str(values[key]))
        edit.setPlaceholderText(spec.hint)
        edit.setToolTip(spec.hint)  # the whole hint, where a narrow field cuts the placeholder
        self.edits[key] = edit
        if key != "scanner_folder":
            form.addRow(spec.title, edit)
            return
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        browse = QPushButton("选择…")
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        form.addRow(spec.title, row)

    def _printer_rows(self, form: QFormLayout, values: dict) -> None:
        """The saved printers at once; the installed ones are listed by a worker (on Windows enumerating
        printers can take seconds with a network printer offline) and added when they arrive."""
        self.printer = QComboBox()
        self.printer.setEditable(True)
        self.printer.addItem("")
        self.printer.setCurrentText(values["default_printer"])
        form.addRow(settings.SETTINGS["default_printer"].title, self.printer)
        self.per_kind: dict[str, QComboBox] = {}
        per_kind = values["printers"] or {}
        for kind, title in (("receipt", "受理回执"), ("consent", "委托书"), ("notice", "一次性告知书"), ("cover", "材料封面")):
            box = QComboBox()
            box.setEditable(True)
            box.addItem("")
            box.setCurrentText(per_kind.get(kind, ""))
            box.setToolTip("留空：用默认打印机")
            self.per_kind[kind] = box
            form.addRow(f"{title}打印机", box)
        worker.run(printer_names, self._on_printers)

    def _on_printers(self, names: list[str] | None, error: BaseException | None) -> None:
        if error is not None or not names or not shiboken6.isValid(self.printer):
            return  # no print support, no printer, or the dialog already closed: the boxes still take a typed name
        for box in (self.printer, *self.per_kind.values()):
            typed = box.currentText()
            box.addItems(names)
            box.setCurrentText(typed)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择扫描文件夹", self.edits["scanner_folder"].text())
        if folder:
            self.edits["scanner_folder"].setText(folder)

    def save(self) -> None:
        """Store every field; the first bad one is named and focused, nothing typed is cleared."""
        values = {key: edit.text() for key, edit in self.edits.items()}
        values["default_printer"] = self.printer.currentText()
        try:
            for key in ("county_code", "window_code"):
                if not values[key].strip():
                    spec = settings.SETTINGS[key]
                    raise ValidationError(f"{spec.title}：不能为空（{spec.hint}）", field=key)
            current = settings.get_all(self.store.db)
            values = {k: v.strip().upper() if k == "window_code" else v for k, v in values.items()}
            values["townships"] = text_to_townships(self.townships.toPlainText())
            values["printers"] = {k: b.currentText().strip() for k, b in self.per_kind.items() if b.currentText().strip()}
            values["consent_mask_id"] = "yes" if self.consent_mask.isChecked() else "no"
            with self.store.db.atomic():  # all or none: a bad value further down leaves none changed
                for key, value in values.items():
                    if value != current.get(key):
                        self._save(key, value)
        except DeskError as exc:
            set_hint(self.error, exc.message, error=True)
            self.error.setVisible(True)
            if exc.field in self.edits:  # a bad value: named, focused, and nothing typed is cleared
                self.tabs.setCurrentIndex(next(i for i, (_, keys) in enumerate(TABS) if exc.field in keys))
                self.edits[exc.field].setFocus()
            return
        self.accept()
