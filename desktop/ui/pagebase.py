"""What every wizard page shares: its context, loading without echo, and field widgets for focusing errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from desktop.domain.case import Case
from desktop.domain.catalog import Catalog, Service
from desktop.domain.errors import ValidationError
from desktop.ui.hints import hint_label, set_hint  # noqa: F401 - the pages import them from here

UNANSWERED = "请选择"


@dataclass
class WizardContext:
    """What pages need besides the case: the catalog, the service, the device settings."""

    catalog: Catalog
    service: Service
    settings: dict[str, Any]
    # the services of a person's cases still open (by ID number), to say "将自动启动" instead of a new case
    open_services: Callable[[str], set[int]] | None = None
    # display name → 工号 of this device's staff accounts: a 受托人 who is staff is printed with their 工号
    staff_numbers: dict[str, str] = field(default_factory=dict)

    @property
    def clerk(self) -> str:
        return self.settings.get("clerk", "")


class Page(QWidget):
    """A wizard page: `load` fills widgets from the case, `save` writes them back; `edited` on any change."""

    title = ""
    edited = Signal()
    card_read = Signal(str, list)  # (person: applicant/guardian/proxy, fields filled from the ID card)

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.fields: dict[str, QWidget] = {}
        self._loading = False

    def load(self, case: Case) -> None:
        self._loading = True
        try:
            self._load(case)
        finally:
            self._loading = False
        self.refresh(case)

    def _load(self, case: Case) -> None:
        """Subclasses set their widgets from the case here."""

    def save(self, case: Case) -> None:
        """Subclasses write their widgets into the case here."""

    def refresh(self, case: Case) -> None:
        """Subclasses update what derives from the case (results, visibility) here."""

    def problems(self, case: Case) -> list[ValidationError]:
        """What on this page stops going on or accepting, beyond the catalog's checks (e.g. a name that will
        not print); subclasses add theirs."""
        return []

    def _on_edit(self, *_: object) -> None:
        if not self._loading:
            self.edited.emit()

    def field_widget(self, field: str) -> QWidget | None:
        """The widget that holds `field` (e.g. 'applicant.id_number'), or its nearest owner."""
        while field:
            if field in self.fields:
                return self.fields[field]
            field = field.rpartition(".")[0]
        return None

    def line(self, field: str, placeholder: str = "", max_length: int = 100) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        edit.textChanged.connect(self._on_edit)
        self.fields[field] = edit
        return edit

    def combo(self, field: str, items: list[str], *, editable: bool = False) -> QComboBox:
        box = QComboBox()
        box.setEditable(editable)
        box.addItems(items)
        (box.currentTextChanged if editable else box.currentIndexChanged).connect(self._on_edit)
        self.fields[field] = box
        return box
