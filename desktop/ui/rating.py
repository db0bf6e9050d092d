"""好差评 at the window: a citizen-facing screen with the five levels as large touch targets.

It opens full-screen on the desk's second screen (a rating tablet or a monitor turned to the citizen). The
citizen sees the service, their masked name and the clerk, taps a level; a 差评 asks why (the national list
and a line of text). The clerk's side stores the rating (desktop/storage/feedback.py). Without a second screen
the desk prints the paper rating slip (书面评价表 with a QR) instead, and the clerk types in what was ticked
on this same screen, shown as a window on the clerk's own screen.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.domain import feedback, idnumber
from desktop.domain.case import Case
from desktop.ui import citizenscreen

COLORS = {"very_satisfied": "#1b7f3b", "satisfied": "#3f9b4f", "basically_satisfied": "#8a7a12",
          "dissatisfied": "#c0561b", "very_dissatisfied": "#b3261e"}
THANKS_MS = 4000  # the thank-you stays this long, then the citizen's screen clears
UNRATED_MS = 180_000  # a citizen who walks away without rating: the screen clears (they may rate on paper later)


class RatingWindow(QWidget):
    """The citizen's screen; `rated(level, reasons, note)` once the citizen has chosen (and said why)."""

    rated = Signal(str, list, str)

    def __init__(self, case: Case, service_name: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("请您评价")
        self.setStyleSheet("QWidget { font-size: 26px; } QLabel[role='big'] { font-size: 40px; font-weight: bold; }"
                           " QPushButton { min-height: 110px; border-radius: 12px; background: white;"
                           " border: 2px solid #8a8a8a; }")
        self.level = ""
        self.pages = QStackedWidget()
        self.pages.addWidget(self._levels_page(case, service_name))
        self.pages.addWidget(self._reasons_page())
        self.pages.addWidget(self._thanks_page())
        QVBoxLayout(self).addWidget(self.pages)

    def _levels_page(self, case: Case, service_name: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_label("请您对本次服务作出评价", big=True))
        layout.addWidget(_label(f"办理事项：{service_name}\n申请人：{idnumber.mask_name(case.applicant.name)}"
                                f"　　受理编号：{case.number or ''}\n窗口工作人员：{case.clerk or '—'}"))
        row = QGridLayout()
        self.level_buttons: dict[str, QPushButton] = {}
        for column, (key, label) in enumerate(feedback.LEVELS.items()):
            button = QPushButton(label)
            button.setStyleSheet(f"background: {COLORS[key]}; color: white; font-size: 30px; min-height: 180px;"
                                 " border: none;")
            button.clicked.connect(lambda _=False, k=key: self._on_level(k))
            row.addWidget(button, 0, column)
            self.level_buttons[key] = button
        layout.addLayout(row)
        layout.addWidget(_label("评价自愿、匿名保护，工作人员不得干预。"))
        layout.addStretch(1)
        return page

    def _reasons_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_label("很抱歉！请告诉我们哪里让您不满意（可多选）", big=True))
        grid = QGridLayout()
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, (key, label) in enumerate(feedback.REASONS.items()):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setStyleSheet("QPushButton:checked { background: #b3261e; color: white; }")
            grid.addWidget(button, i // 3, i % 3)
            self.reason_buttons[key] = button
        layout.addLayout(grid)
        self.note = QLineEdit()
        self.note.setMaxLength(feedback.NOTE_LIMIT)
        self.note.setPlaceholderText("您的意见或建议（可不填）")
        self.note.setMinimumHeight(70)
        layout.addWidget(self.note)
        self.problem = _label("")
        self.problem.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.problem)
        buttons = QGridLayout()
        back, send = QPushButton("返回重新评价"), QPushButton("提交评价")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        send.clicked.connect(self._on_send)
        send.setStyleSheet("background: #1a5fb4; color: white; border: none;")
        buttons.addWidget(back, 0, 0)
        buttons.addWidget(send, 0, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.send_button = send
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.thanks = _label("感谢您的评价！", big=True)
        layout.addWidget(self.thanks)
        layout.addStretch(1)
        return page

    def _on_level(self, level: str) -> None:
        self.level = level
        if level in feedback.BAD:
            self.problem.setText("")
            self.pages.setCurrentIndex(1)
        else:
            self.rated.emit(level, [], "")

    def _on_send(self) -> None:
        reasons = [k for k, b in self.reason_buttons.items() if b.isChecked()]
        errors = feedback.check_rating(self.level, reasons, self.note.text())
        if errors:
            self.problem.setText(errors[0].split("：", 1)[-1])
            return
        self.rated.emit(self.level, reasons, self.note.text().strip())

    def show_thanks(self, text: str = "感谢您的评价！") -> None:
        self.thanks.setText(text)
        self.pages.setCurrentIndex(2)


def _label(text: str, *, big: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if big:
        label.setProperty("role", "big")
    return label


class RatingDesk(QObject):
    """The clerk's side of one rating: places the citizen's screen, stores the rating, reports errors.

    `stored(uuid)` after a rating is committed; `failed(message)` with a known error's Chinese sentence."""

    stored = Signal(str)
    failed = Signal(str)

    def __init__(self, store, actor: str, parent: QObject | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.window: RatingWindow | None = None

    def start(self, uuid: str, *, screen=None, channel: str = "screen") -> RatingWindow:
        """Open the citizen's screen on `screen` (full screen) or, for typing in a paper form, as a window."""
        case = self.store.load(uuid)
        window = RatingWindow(case, self.store.catalog_for(case).service(case.service).name)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.rated.connect(lambda level, reasons, note: self._on_rated(uuid, channel, level, reasons, note))
        self.close()  # one citizen's screen at a time: a new request replaces one left open
        self.window = window
        QTimer.singleShot(UNRATED_MS, window, window.close)  # cancelled with the window once it is gone
        citizenscreen.show(window, screen, (1200, 700))
        return window

    def _on_rated(self, uuid: str, channel: str, level: str, reasons: list, note: str) -> None:
        from desktop.domain.errors import DeskError
        from desktop.storage import feedback as stored_feedback  # the write, needed only once a citizen rates

        try:
            stored_feedback.rate(self.store, uuid, level, reasons=reasons, note=note, channel=channel, actor=self.actor)
        except DeskError as exc:
            self.failed.emit(exc.message)
            return
        if self.window is not None:
            self.window.show_thanks()
            QTimer.singleShot(THANKS_MS, self.window, self.window.close)
        self.stored.emit(uuid)

    def close(self) -> None:
        """Clear the citizen's screen (a new rating, or the clerk moved on)."""
        if self.window is not None and isValid(self.window):  # gone already if it closed itself (WA_DeleteOnClose)
            self.window.close()
        self.window = None


def ask(view: QWidget, store, actor: str, uuid: str, screens: list | None = None) -> RatingDesk | None:
    """The clerk's 请群众评价: the citizen's screen when there is one; otherwise the clerk chooses between the
    paper form (returns None: the caller prints kind "rating") and typing in a paper form already ticked."""
    from PySide6.QtWidgets import QMessageBox

    screen = citizenscreen.citizen_screen(screens if screens is not None else QGuiApplication.screens(), view.screen())
    channel = "screen"
    if screen is None:
        channel = choose_without_screen(view)
        if channel == "print":
            return None
    desk = RatingDesk(store, actor, view)
    desk.failed.connect(lambda message: QMessageBox.warning(view, "群众评价", message))
    if channel:
        desk.start(uuid, screen=screen, channel=channel)
    return desk


def choose_without_screen(view: QWidget) -> str:
    """No citizen's screen: "print" the paper form, type in a "paper" one already ticked, or "" (cancel)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, "群众评价", "本机没有面向群众的评价屏（第二块屏幕）。", parent=view)
    box.setInformativeText("可打印《政务服务评价表》请群众勾选或扫码评价；群众填好后，再点“录入书面评价”。")
    paper = box.addButton("打印评价表", QMessageBox.ButtonRole.AcceptRole)
    typed = box.addButton("录入书面评价", QMessageBox.ButtonRole.ActionRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    return "print" if clicked is paper else "paper" if clicked is typed else ""
