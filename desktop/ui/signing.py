"""Signatures on screen (电子签名): the 委托人 and 受托人 sign the 委托书 and the 个人信息处理单独同意 on the citizen's
screen (the second screen, as the rating does) or on a signing tablet (pen events), docs/devices.md.

`SignaturePad` takes mouse, touch (Qt turns it into mouse events) and pen (QTabletEvent, with pressure) strokes.
`SigningWindow` shows one signer at a time what they sign (masked name, the content digest) with 清除重签 / 确认签名
/ 取消. `SigningDesk` walks the round — 委托人 on the 委托书, 委托人 on the separate consent, 受托人 on the 委托书 —
and stores it only once the last signature is confirmed (desktop/storage/esign.py); a cancel stores nothing.
Paper stays possible: without a signing device the wizard's 打印委托书 and 已签署 tick work as before.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop import forms
from desktop.domain import idnumber
from desktop.domain.errors import DeskError
from desktop.domain.wording import ESIGN_PARTS, ESIGN_SIGNERS
from desktop.storage import esign
from desktop.ui import citizenscreen

ROUND = (("mandate", "principal"), ("consent", "principal"), ("mandate", "proxy"))
PEN = 3.0  # stroke width in pixels for a mouse or finger; a pen's pressure varies it
MAX_PNG_W = 900
MIN_INK = 40.0  # pixels of stroke length below which a "signature" is a stray tap
NOT_SET = "本窗口未设置屏上签名：请在“设置 → 窗口设备”中选择签名屏，或打印委托书后纸面签字"
NO_SCREEN = "没有检测到面向群众的第二块屏幕，签名窗口开在本屏；也可打印委托书后纸面签字"
THANKS_MS = 3000


class SignaturePad(QWidget):
    """Where a signature is written; `changed()` after each stroke or clear."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.strokes: list[list[tuple[QPointF, float]]] = []
        self._down = False  # a pen hovering in range sends moves too: only moves while touching draw
        self.setMinimumSize(600, 220)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)

    # input: a pen through tabletEvent (Qt sends no mouse event for an accepted tablet event), else the mouse

    def tabletEvent(self, event) -> None:  # noqa: N802 - Qt's name
        width = PEN * (0.5 + 1.5 * max(0.05, event.pressure()))
        self._on_point(event.type(), event.position(), width)
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._on_point(event.type(), event.position(), PEN)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._on_point(event.type(), event.position(), PEN)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._on_point(event.type(), event.position(), PEN)

    def _on_point(self, kind, at: QPointF, width: float) -> None:
        from PySide6.QtCore import QEvent

        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TabletPress):
            self._down = True
            self.strokes.append([(QPointF(at), width)])
        elif self._down and self.strokes:
            self.strokes[-1].append((QPointF(at), width))
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.TabletRelease):
            self._down = False
            self.changed.emit()
        self.update()

    # state and output

    def clear(self) -> None:
        self.strokes.clear()
        self.update()
        self.changed.emit()

    def ink(self) -> float:
        """The signature's total stroke length in pixels."""
        total = 0.0
        for stroke in self.strokes:
            for (a, _), (b, _) in zip(stroke, stroke[1:], strict=False):
                total += ((a.x() - b.x()) ** 2 + (a.y() - b.y()) ** 2) ** 0.5
        return total

    def is_signed(self) -> bool:
        return self.ink() >= MIN_INK

    def png(self) -> bytes:
        """The signature alone: black ink on transparent, cropped to the strokes with a margin, at most MAX_PNG_W."""
        box = self._bounds().adjusted(-8, -8, 8, 8)
        scale = min(1.0, MAX_PNG_W / max(box.width(), 1))
        image = QImage(max(1, round(box.width() * scale)), max(1, round(box.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.scale(scale, scale)
        painter.translate(-box.topLeft())
        self._draw(painter, QColor("black"))
        painter.end()
        buffer = QBuffer()
        buffer.open(QBuffer.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6 takes the format as str; its stubs say bytes
        return bytes(buffer.data().data())

    def _bounds(self) -> QRectF:
        xs = [p.x() for s in self.strokes for p, _ in s]
        ys = [p.y() for s in self.strokes for p, _ in s]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)) if xs else QRectF(0, 0, 1, 1)

    def _draw(self, painter: QPainter, color: QColor) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes:
            for (a, width), (b, _) in zip(stroke, stroke[1:], strict=False):
                painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                painter.drawLine(a, b)
            if len(stroke) == 1:  # a dot
                painter.setPen(QPen(color, stroke[0][1], Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                painter.drawPoint(stroke[0][0])

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#b0b0b0"), 1, Qt.PenStyle.DashLine))
        base = self.height() * 0.75
        painter.drawLine(QPointF(20, base), QPointF(self.width() - 20, base))
        path = QPainterPath()
        path.addRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.setPen(QPen(QColor("#8a8a8a"), 1))
        painter.drawPath(path)
        self._draw(painter, QColor("#10206b"))


class SigningWindow(QWidget):
    """The citizen's screen for one signature at a time: `confirmed(png)` or `cancelled()`."""

    confirmed = Signal(bytes)
    cancelled = Signal()

    def __init__(self, summary: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("请签名")
        self.setStyleSheet("QWidget { font-size: 22px; } QLabel[role='big'] { font-size: 34px; font-weight: bold; }"
                           " QPushButton { min-height: 70px; min-width: 180px; border-radius: 10px;"
                           " background: white; border: 2px solid #8a8a8a; }")
        self.title = QLabel()
        self.title.setProperty("role", "big")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.part = QLabel()
        self.part.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.part.setStyleSheet("font-weight: bold; color: #1a5fb4;")
        self.pad = SignaturePad()
        self.pad.changed.connect(self._on_changed)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_button, self.ok_button, self.cancel_button = (QPushButton(t) for t in ("清除重签", "确认签名", "取消"))
        self.ok_button.setStyleSheet("background: #1a5fb4; color: white; border: none;")
        self.clear_button.clicked.connect(self.pad.clear)
        self.ok_button.clicked.connect(self._on_ok)
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.part)
        layout.addWidget(self.pad, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

    def ask(self, part: str, signer: str, step: int, steps: int) -> None:
        """Show a fresh pad for `signer` signing `part` (step of steps)."""
        self.title.setText(f"请{ESIGN_SIGNERS[signer]}在下方签名（{step}/{steps}）")
        self.setWindowTitle(f"签署《{ESIGN_PARTS[part]}》")
        self.part.setText(f"签署：《{ESIGN_PARTS[part]}》　请用笔或手指在白色区域内写下姓名")
        self.problem.setText("")
        self.pad.clear()

    def show_thanks(self, text: str) -> None:
        self.title.setText(text)
        for widget in (self.pad, self.clear_button, self.ok_button, self.cancel_button):
            widget.setEnabled(False)

    def _on_changed(self) -> None:
        self.ok_button.setEnabled(self.pad.is_signed())

    def _on_ok(self) -> None:
        if not self.pad.is_signed():
            self.problem.setText("还没有签名：请在白色区域内写下姓名")
            self.problem.setStyleSheet("color: #b3261e;")
            return
        self.confirmed.emit(self.pad.png())


class SigningDesk(QObject):
    """The clerk's side of one signing round. `done(uuid)` once stored; `cancelled()`; `failed(sentence)`."""

    done = Signal(str)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, store, actor: str, parent: QObject | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.window: SigningWindow | None = None
        self.given: list[esign.Given] = []

    def start(self, uuid: str, *, screen=None) -> SigningWindow:
        """Open the signing window on `screen` (full screen) or as a window on the clerk's screen."""
        case = self.store.load(uuid)
        self.uuid, self.given = uuid, []
        catalog = self.store.catalog_for(case)  # the one its 委托书 prints with, so the digests agree
        self.digest = forms.consent_digest(case, catalog)
        proxy = case.proxy.name if case.proxy else ""
        summary = (f"一件事：{catalog.service(case.service).name}\n委托人：{idnumber.mask_name(case.applicant.name)}"
                   f"　　受托人：{proxy}\n内容摘要：{self.digest}（印在委托书签名处，用于核对签署的内容）")
        self.close()
        window = SigningWindow(summary)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.confirmed.connect(self._on_confirmed)
        window.cancelled.connect(self._on_cancelled)
        self.window = window
        window.ask(*ROUND[0], 1, len(ROUND))
        citizenscreen.show(window, screen, (1000, 640))
        return window

    def _on_confirmed(self, png: bytes) -> None:
        window = self.window
        if window is None:
            return
        part, signer = ROUND[len(self.given)]
        self.given.append(esign.Given(part, signer, png, self.digest))
        if len(self.given) < len(ROUND):
            window.ask(*ROUND[len(self.given)], len(self.given) + 1, len(ROUND))
            return
        try:
            esign.save(self.store, self.uuid, self.given, actor=self.actor)
        except DeskError as exc:
            self.given = []
            self.failed.emit(f"签名未能保存：{exc.message}。请重新签署，或打印委托书后纸面签字")
            self.close()
            return
        window.show_thanks("签名完成，谢谢！")
        QTimer.singleShot(THANKS_MS, window, window.close)
        self.done.emit(self.uuid)

    def _on_cancelled(self) -> None:
        self.given = []  # nothing was stored: a cancelled round leaves no trace
        self.close()
        self.cancelled.emit()

    def close(self) -> None:
        if self.window is not None and isValid(self.window):
            self.window.close()
        self.window = None


def where(values: dict, screens: list, clerk_screen) -> tuple[str, object | None]:
    """Where to sign from the 屏上签名 setting: ("", None) not set; ("screen", screen or None); ("window", None).
    A missing second screen falls back to a window on the clerk's screen (the caller says so: NO_SCREEN)."""
    kind = (values.get("signing") or "").strip()
    if kind == "screen":
        return kind, citizenscreen.citizen_screen(screens, clerk_screen)
    return kind, None


def start(view: QWidget, store, actor: str, uuid: str, note: QLabel, on_done, screens: list | None = None):
    """The wizard's 屏上签名: open the round where the settings say, with `note` telling the clerk how it goes and
    `on_done()` once stored. Returns the SigningDesk, or None when the window has no signing device (the note says
    so and paper signing goes on)."""
    from PySide6.QtGui import QGuiApplication

    from desktop.storage import settings
    from desktop.ui.pagebase import set_hint

    kind, screen = where(settings.get_all(store.db), screens if screens is not None else QGuiApplication.screens(),
                         view.screen())
    if not kind:
        set_hint(note, NOT_SET, error=True)
        return None
    desk = SigningDesk(store, actor, view)
    def signed(_uuid: str) -> None:
        set_hint(note, "委托人、受托人已在屏上签名；打印的委托书上印有签名、时间和内容摘要", error=False)
        on_done()

    desk.done.connect(signed)
    desk.cancelled.connect(lambda: set_hint(note, "已取消屏上签名，未保存任何签名", error=False))
    desk.failed.connect(lambda sentence: set_hint(note, sentence, error=True))
    desk.start(uuid, screen=screen)
    fallback = kind == "screen" and screen is None
    set_hint(note, NO_SCREEN if fallback else "请委托人、受托人依次在签名屏上签名…", error=fallback)
    return desk
