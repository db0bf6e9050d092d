"""The hint and error lines under a form: the login window's too, so they live apart from the pages' base module
(ui/pagebase.py imports the case model and the catalog, which the login window must not wait for: issue 16)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def hint_label(text: str = "", *, error: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("role", "error" if error else "hint")
    return label


def set_hint(label: QLabel, text: str, *, error: bool) -> None:
    label.setText(text)
    label.setProperty("role", "error" if error else "hint")
    label.style().unpolish(label)
    label.style().polish(label)
