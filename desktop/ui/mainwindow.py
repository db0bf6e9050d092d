"""The main window: home, the wizard, the case view; a toolbar, shortcuts and the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QToolBar

from desktop import settings
from desktop.case import Case
from desktop.store import Store
from desktop.ui.home import HomePage
from desktop.ui.signals import StoreSignals

# The wizard, the case view and the settings dialog are imported on first use: start-up is budgeted
# against a bare window (bench/startup.py), and a clerk sees the home screen first.


class MainWindow(QMainWindow):
    """One window; screens swap in a stack so the clerk never loses their place."""

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.signals = StoreSignals(store, self)
        self.setWindowTitle("一件事帮代办工作台")
        self.resize(1366, 768)
        self.stack = QStackedWidget()
        self.home = HomePage(store)
        self._caseview = None
        self.wizard = None
        self.stack.addWidget(self.home)
        self.setCentralWidget(self.stack)
        self._toolbar()
        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)
        self.home.serviceChosen.connect(self.new_case)
        self.home.caseChosen.connect(self.open_case)
        self.signals.changed.connect(self._on_store_changed)
        self._update_status()

    def _toolbar(self) -> None:
        bar = QToolBar("主菜单")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)
        for text, shortcut, slot in (
            ("首页", "Ctrl+H", self.go_home),
            ("新建案件", "Ctrl+N", self.focus_finder),
            ("搜索", "Ctrl+F", self.focus_search),
            ("设置", "", self.edit_settings),
        ):
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setToolTip(f"{text}（{shortcut}）")
            action.triggered.connect(slot)
            bar.addAction(action)

    # screens

    @property
    def caseview(self):
        """The case view, built the first time a case is opened."""
        if self._caseview is None:
            from desktop.ui.caseview import CaseView

            self._caseview = CaseView(self.store)
            self._caseview.resumeDraft.connect(self.open_case)
            self._caseview.printRequested.connect(self._on_print)
            self.stack.addWidget(self._caseview)
        return self._caseview

    def go_home(self) -> None:
        self._close_wizard()
        self.home.reload()
        self.stack.setCurrentWidget(self.home)

    def focus_finder(self) -> None:
        self.go_home()
        self.home.finder.setFocus()
        self.home.finder.selectAll()

    def focus_search(self) -> None:
        self.go_home()
        self.home.search.setFocus()
        self.home.search.selectAll()

    def new_case(self, number: int) -> None:
        case = Case(service=number, clerk=settings.get(self.store.db, "clerk"))
        self._open_wizard(case)

    def open_case(self, uuid: str) -> None:
        case = self.store.load(uuid)
        if case.state == "draft":
            self._open_wizard(case)
        else:
            self._close_wizard()
            self.caseview.show_case(uuid)
            self.stack.setCurrentWidget(self.caseview)

    def _open_wizard(self, case: Case) -> None:
        from desktop.ui.wizard import CaseWizard

        self._close_wizard()
        self.wizard = CaseWizard(self.store, case)
        self.wizard.accepted.connect(self._on_accepted)
        self.wizard.closed.connect(self.go_home)
        self.stack.addWidget(self.wizard)
        self.stack.setCurrentWidget(self.wizard)
        self.wizard.pages[self.wizard.current()].setFocus()

    def _close_wizard(self) -> None:
        if self.wizard is not None:
            self.wizard.save_now()
            self.stack.removeWidget(self.wizard)
            self.wizard.deleteLater()
            self.wizard = None

    def _on_accepted(self, uuid: str) -> None:
        self.open_case(uuid)
        case = self.store.load(uuid)
        self.statusBar().showMessage(f"已受理：{case.number}（{case.state_label}）", 10000)

    def _on_print(self, uuid: str, kind: str) -> None:
        QMessageBox.information(self, "打印", "打印功能将在打印模块完成后提供。")

    def edit_settings(self) -> None:
        from desktop.ui.setup import SettingsDialog

        if SettingsDialog(self.store, parent=self).exec():
            self._update_status()

    # status

    def _on_store_changed(self, what: str, uuid: str) -> None:
        self._update_status()
        if self.stack.currentWidget() is self.home:
            self.home.reload()

    def _update_status(self) -> None:
        values = settings.get_all(self.store.db)
        self.status.setText(f"{values['office'] or '未设置办理点'}　窗口 {values['window_code'] or '—'}　"
                            f"{values['clerk']}　待同步 {self.store.outbox_pending()} 件")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._close_wizard()
        self.signals.detach()
        super().closeEvent(event)
