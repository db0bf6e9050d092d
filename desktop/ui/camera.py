"""The document camera (高拍仪) in the inbox: live preview, capture pages, file them as one PDF (docs/devices.md).

Two frame sources share one small interface (`start`, `stop`, `grab`, signals `frame` for the preview and `failed`
with one Chinese sentence): `CameraSource`, a UVC camera through QtMultimedia, and `FileSource`, a picture file
standing in for the camera (training, tests). The page is cropped and straightened off the GUI thread
(desktop/intake/camera.py); the pages are filed like a scan. No camera, or one that fails: the panel says so in
one sentence and the scanner folder goes on working.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from desktop.domain.errors import DeskError
from desktop.intake import camera
from desktop.ui import worker
from desktop.ui.pagebase import hint_label, set_hint

PREVIEW_W, PREVIEW_H = 160, 90
PREVIEW_MS = 150  # the preview refreshes this often; a 高拍仪 delivers 5–15 large frames a second
NO_CAMERA = "本窗口未设置高拍仪：可在“设置 → 窗口设备”中选择；高拍仪自带软件存入扫描文件夹的文件照常收取"


class FrameSource(QObject):
    """A camera: `frame(QImage)` for the preview (small), `grab()` the latest full frame, `failed(sentence)`."""

    frame = Signal(QImage)
    failed = Signal(str)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def grab(self) -> QImage:
        raise NotImplementedError


class FileSource(FrameSource):
    """A picture file as the camera's picture; read again at each grab, so a trainer can swap pages."""

    def __init__(self, path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self._timer = QTimer(self)
        self._timer.setInterval(PREVIEW_MS * 4)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        if self.grab().isNull():
            self.failed.emit(f"高拍仪（模拟）：画面文件不存在或无法读取：{self.path.name}")
            return
        self._timer.start()
        QTimer.singleShot(0, self._on_tick)

    def stop(self) -> None:
        self._timer.stop()

    def grab(self) -> QImage:
        return QImage(str(self.path)) if self.path.is_file() else QImage()

    def _on_tick(self) -> None:
        image = self.grab()
        if not image.isNull():
            self.frame.emit(image.scaled(PREVIEW_W * 4, PREVIEW_H * 4, Qt.AspectRatioMode.KeepAspectRatio))


class CameraSource(FrameSource):
    """A UVC camera (most 高拍仪) through QtMultimedia, at its largest resolution; `device` picks it by name."""

    def __init__(self, device: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.device = device.strip()
        self.session: Any = None  # QtMultimedia loads when the camera is first opened, not with the inbox
        self.camera: Any = None  # a QCamera once started
        self._latest: Any = None  # the newest QVideoFrame
        self._timer = QTimer(self)
        self._timer.setInterval(PREVIEW_MS)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoSink

        if self.session is None:
            self.session = QMediaCaptureSession(self)
            self.sink = QVideoSink(self)
            self.session.setVideoSink(self.sink)
            self.sink.videoFrameChanged.connect(self._on_frame)
        inputs = QMediaDevices.videoInputs()
        if not inputs:
            self.failed.emit("没有找到高拍仪：请检查USB连线后点“开启高拍仪”再试，或用扫描仪")
            return
        chosen = next((d for d in inputs if self.device and self.device in d.description()), None)
        if self.device and chosen is None:
            names = "、".join(d.description() for d in inputs)
            self.failed.emit(f"没有找到名称含“{self.device}”的高拍仪（已连接：{names}），请在“设置 → 窗口设备”中改正")
            return
        self.camera = QCamera(chosen or inputs[0], self)
        formats = self.camera.cameraDevice().videoFormats()
        if formats:
            self.camera.setCameraFormat(max(formats, key=lambda f: f.resolution().width() * f.resolution().height()))
        self.camera.errorOccurred.connect(self._on_error)
        self.session.setCamera(self.camera)
        self.camera.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self.camera is not None:
            self.camera.stop()

    def grab(self) -> QImage:
        return self._latest.toImage() if self._latest is not None and self._latest.isValid() else QImage()

    def _on_frame(self, frame) -> None:
        self._latest = frame  # converted only for the preview tick or a capture: a 5 MP frame is costly

    def _on_tick(self) -> None:
        image = self.grab()
        if not image.isNull():
            self.frame.emit(image.scaled(PREVIEW_W * 4, PREVIEW_H * 4, Qt.AspectRatioMode.KeepAspectRatio))

    def _on_error(self, _error, text: str) -> None:
        self.stop()
        self.failed.emit(f"高拍仪出错，已停止（{text or '设备无响应'}）：请重新插拔后再开启，或用扫描仪")


def make_source(values: dict, parent: QObject | None = None) -> FrameSource | None:
    """The camera the device settings name ('uvc' or 'file'), or None when the window has none."""
    kind = (values.get("camera") or "").strip()
    if kind == "uvc":
        return CameraSource(values.get("camera_device") or "", parent)
    if kind == "file":
        return FileSource(Path(values.get("camera_file") or "camera.png"), parent)
    return None


def png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6 takes the format as str; its stubs say bytes
    return bytes(buffer.data().data())


class CameraPanel(QGroupBox):
    """高拍仪 in the inbox. `target()` gives (case number, material id, material name) chosen in the inbox; the
    pages go there, or into the inbox when no case is given. `filed(case_uuid or "")` once they are stored.
    `make()` gives the camera the settings name now; it is asked again each time the camera is opened, so a
    camera chosen in 设置 is used without restarting the desk."""

    filed = Signal(str)
    changed = Signal(int)  # pages captured so far

    def __init__(self, store, actor: str, target: Callable[[], tuple[str, str | None, str]],
                 make: Callable[[], FrameSource | None], parent: QWidget | None = None):
        super().__init__("高拍仪", parent)
        self.store, self.actor, self.target, self.make = store, actor, target, make
        self.source: FrameSource | None = None
        self.pages: list = []
        self._pending = 0
        self.preview = QLabel("未开启")
        self.preview.setMinimumSize(PREVIEW_W, PREVIEW_H)
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # frames never resize it
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #2b2b2b; color: #dddddd;")
        self.status = hint_label()
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()  # under the preview, two by two: the inbox is a narrow dock beside the case
        for n, (key, text, slot) in enumerate((("open", "开启高拍仪", self.toggle), ("shoot", "拍摄本页", self.capture),
                                               ("undo", "删去上一页", self.undo), ("file", "完成并归档", self.finish))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            grid.addWidget(button, n // 2, n % 2)
            self.buttons[key] = button
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        self.running = False
        self._set_source(make())

    def _set_source(self, source: FrameSource | None) -> None:
        if self.source is not None:
            self.source.deleteLater()
        self.source = source
        if source is not None:
            source.setParent(self)
        if source is None:
            self.preview.setText("无高拍仪")
            set_hint(self.status, NO_CAMERA, error=False)
        else:
            source.frame.connect(self._on_frame)
            source.failed.connect(self._on_failed)
        self._update()

    def toggle(self) -> None:
        if self.running and self.source is not None:
            self.source.stop()
            self.running = False
            self.preview.setText("已关闭")
            self._update()
            return
        self._set_source(self.make())  # the settings as they are now
        if self.source is None:
            return
        self.running = True
        set_hint(self.status, "把材料平放在高拍仪下，对正后点“拍摄本页”", error=False)
        self.source.start()
        self._update()

    def stop(self) -> None:
        if self.source is not None and self.running:
            self.toggle()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """The inbox closed or hidden: the camera stops (its light and the USB bandwidth are not left on)."""
        self.stop()
        super().hideEvent(event)

    def capture(self) -> None:
        image = self.source.grab() if self.source is not None and self.running else QImage()
        if image.isNull():
            set_hint(self.status, "高拍仪还没有画面：请先开启高拍仪，等预览出现后再拍", error=True)
            return
        data = png_bytes(image)
        self._pending += 1
        worker.run(lambda: camera.page_from_frame(data), self._on_page)
        self._update()

    def undo(self) -> None:
        if self.pages:
            self.pages.pop()
        self._update()

    def finish(self) -> None:
        if self._pending:
            set_hint(self.status, "正在处理刚拍的页面，请稍候再点", error=True)
            return
        if not self.pages:
            set_hint(self.status, "还没有拍摄任何页面", error=True)
            return
        ref, material, material_name = self.target()
        if ref and material is None:
            set_hint(self.status, "请先在下方填写案件受理编号并选择材料（不填案件则放入收件箱）", error=True)
            return
        pages = list(self.pages)
        where = f"“{material_name}”" if ref else "收件箱"
        set_hint(self.status, f"正在生成 {len(pages)} 页PDF…", error=False)
        worker.run(lambda: camera.pages_pdf(pages),
                   lambda pdf, error: self._on_pdf(pdf, error, len(pages), ref, material or "", where))

    def _on_pdf(self, pdf: bytes | None, error, count: int, ref: str, material: str, where: str) -> None:
        if error is None and pdf is not None:
            try:
                doc = camera.file_pdf(self.store, pdf, count, case_ref=ref, material=material, actor=self.actor)
            except DeskError as exc:
                error = exc
        if error is not None:
            set_hint(self.status, f"{worker.known(error)}（已拍的页面仍保留，可改正后再归档）", error=True)
            return
        self.pages.clear()
        self._update()
        set_hint(self.status, f"已把 {count} 页归档到{where}", error=False)
        self.filed.emit(doc.case_uuid or "")

    def _on_page(self, page, error) -> None:
        self._pending -= 1
        if error is not None:
            set_hint(self.status, worker.known(error), error=True)
        else:
            self.pages.append(page)
            set_hint(self.status, f"已拍第 {len(self.pages)} 页（已自动裁边、摆正）", error=False)
        self._update()

    def _on_frame(self, image: QImage) -> None:
        if self.running:
            self.preview.setPixmap(QPixmap.fromImage(image).scaled(
                self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def _on_failed(self, sentence: str) -> None:
        self.running = False
        self.preview.setText("高拍仪不可用")
        set_hint(self.status, sentence, error=True)
        self._update()

    def _update(self) -> None:
        self.buttons["open"].setEnabled(True)  # opening asks the settings again: a camera set since is found
        self.buttons["open"].setText("关闭高拍仪" if self.running else "开启高拍仪")
        self.buttons["shoot"].setEnabled(self.running)
        self.buttons["undo"].setEnabled(bool(self.pages))
        self.buttons["file"].setEnabled(bool(self.pages) or self._pending > 0)
        self.buttons["file"].setText(f"完成并归档（{len(self.pages)}页）" if self.pages else "完成并归档")
        self.changed.emit(len(self.pages))
