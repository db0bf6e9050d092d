"""UI fixtures: widgets made in a test are closed (drafts saved) before the store they use is closed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from desktop.accounts.roles import Session
from desktop.domain.case import Case
from desktop.ui.wizard.wizard import CaseWizard


@pytest.fixture
def widgets(qapp, store):
    made: list[QWidget] = []
    yield made
    for widget in made:
        widget.close()
        widget.deleteLater()


@pytest.fixture
def wizards(widgets):
    return widgets


@pytest.fixture
def make_wizard(widgets):
    def make(qtbot, store, number: int) -> CaseWizard:
        wizard = CaseWizard(store, Case(service=number))
        widgets.append(wizard)
        wizard.resize(1366, 768)
        wizard.show()
        return wizard

    return make


CLERK = Session("lixiaolan", "李晓兰", "clerk")


@pytest.fixture
def main_window(widgets, store):
    from desktop.ui.mainwindow import MainWindow

    def make(session: Session = CLERK) -> MainWindow:
        window = MainWindow(store, session)
        widgets.append(window)
        return window

    return make
