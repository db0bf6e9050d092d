"""The scan inbox: new scans with thumbnails; view large, merge/split/reorder, file under a case's material."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap, QTransform
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import eligibility
from desktop.domain.errors import DeskError, ValidationError
from desktop.intake import docedit, documents
from desktop.storage.store import Store
from desktop.ui import worker
from desktop.ui.pagebase import hint_label, set_hint

THUMB = 160
MIME = "application/x-yijianshi-documents"  # dragged scans: document ids, one per line


class ScanList(QListWidget):
    """The inbox's thumbnails; dragging them carries their document ids (dropped on a case's materials)."""

    def mimeData(self, items):  # noqa: N802 - Qt's name
        data = QMimeData()
        data.setData(MIME, "\n".join(i.data(Qt.ItemDataRole.UserRole) for i in items).encode())
        return data

    def mimeTypes(self):  # noqa: N802 - Qt's name
        return [MIME]


def parse_pages(text: str, count: int) -> list[int]:
    """'3,1-2' → [2, 0, 1] (zero-based), checked against the page count; a clear error otherwise."""
    pages: list[int] = []
    for part in text.replace("，", ",").replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValidationError(f"页码“{part}”应为数字或范围，如 1-3,5", field="pages")
        start, end = int(first), int(last or first)
        if not 1 <= start <= end <= count:
            raise ValidationError(f"页码“{part}”超出范围（共{count}页）", field="pages")
        pages += list(range(start - 1, end))
    return pages


class Viewer(QDialog):
    """A scan large, with zoom and rotate (rotation is for viewing; the stored scan is unchanged)."""

    def __init__(self, image: QImage, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 700)
        self.image, self.zoom, self.angle = image, 1.0, 0
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        buttons = QHBoxLayout()
        for text, slot in (("放大", lambda: self._set(zoom=1.25)), ("缩小", lambda: self._set(zoom=0.8)),
                           ("向右旋转", lambda: self._set(angle=90)), ("关闭", self.accept)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._set()

    def _set(self, zoom: float = 1.0, angle: int = 0) -> None:
        self.zoom, self.angle = self.zoom * zoom, (self.angle + angle) % 360
        shown = self.image.transformed(QTransform().rotate(self.angle))
        size = shown.size() * self.zoom
        self.label.setPixmap(QPixmap.fromImage(shown).scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                                             Qt.TransformationMode.SmoothTransformation))


class InboxPage(QWidget):
    """New scans waiting to be filed. `filed(case_uuid)` after a scan is filed under a case."""

    filed = Signal(str)

    def __init__(self, store: Store, actor: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        title = QLabel("扫描收件箱")
        title.setProperty("role", "title")
        self.status = hint_label()
        self.list = ScanList()
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 40, THUMB + 64))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemDoubleClicked.connect(lambda _item: self.view_large())
        self.list.itemSelectionChanged.connect(self._on_selection)
        self.message = hint_label()
        self.quarantine = hint_label(error=True)
        # the 高拍仪 takes the place of the scan list while it is on: the filing box below serves both
        self.camera_button = QPushButton("高拍仪拍摄")
        self.camera_button.setCheckable(True)
        self.camera_button.setToolTip("用高拍仪拍摄材料，自动裁边摆正，归档到下方所选的案件材料")
        self.camera_button.toggled.connect(self._on_camera_toggled)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(self.camera_button)
        self.view = QStackedWidget()
        self.view.addWidget(self.list)
        self.view.addWidget(self._camera())
        layout = QVBoxLayout(self)  # a dock beside the case view or the wizard: scans on top, filing below
        layout.addLayout(head)
        layout.addWidget(self.status)
        self.drag_hint = hint_label("可把扫描件直接拖到打开的案件上归档。")
        layout.addWidget(self.drag_hint)
        layout.addWidget(self.view, 3)
        layout.addWidget(self.quarantine)
        layout.addWidget(self._side(), 2)
        self.docs: list[documents.Document] = []
        self._default_case = ""
        self.reload()

    def set_default_case(self, number: str) -> None:
        """The case open beside the inbox is where its scans most likely go: its number fills the case field,
        unless the clerk has typed another one there."""
        typed = self.case_ref.text().strip()
        if typed and typed != self._default_case:
            return
        self._default_case = number
        self.case_ref.setText(number)
        self._load_materials()

    def _camera(self) -> QWidget:
        """高拍仪 below the filing box: its pages go to the case and material chosen there (desktop/ui/camera.py)."""
        from desktop.storage import settings
        from desktop.ui.camera import CameraPanel, make_source

        target = lambda: (self.case_ref.text().strip(), self.material.currentData(), self.material.currentText())  # noqa: E731
        self.camera = CameraPanel(self.store, self.actor, target, lambda: make_source(settings.get_all(self.store.db)))
        self.camera.filed.connect(self._on_camera_filed)
        return self.camera

    def _on_camera_toggled(self, on: bool) -> None:
        """Show the camera (opened at once) in place of the scan list, or the list again (the camera stops)."""
        self.view.setCurrentIndex(1 if on else 0)
        for widget in (self.status, self.drag_hint, self.file_button, self.edits):
            widget.setVisible(not on)
        self.camera_button.setText("返回扫描列表" if on else "高拍仪拍摄")
        if on and not self.camera.running:
            self.camera.toggle()

    def _on_camera_filed(self, case_uuid: str) -> None:
        self.reload()
        if case_uuid:
            self.filed.emit(case_uuid)

    def _side(self) -> QWidget:
        box = QGroupBox("归档到案件材料")
        form = QFormLayout()
        self.case_ref = QLineEdit()
        self.case_ref.setPlaceholderText("受理编号，如 439901-W03-20261127-0001")
        self.case_ref.editingFinished.connect(self._load_materials)
        self.material = QComboBox()
        form.addRow("案件", self.case_ref)
        form.addRow("材料", self.material)
        self.file_button = QPushButton("归档所选扫描件")
        self.file_button.clicked.connect(self.file_selected)
        edits = QGridLayout()  # two rows: the panel stays narrow enough to sit beside a case at 1366 px
        for n, (text, slot) in enumerate((("查看大图", self.view_large), ("合并所选", self.merge), ("拆分…", self.split),
                                          ("调整页序…", self.reorder), ("移出收件箱…", self.remove))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            edits.addWidget(button, n // 3, n % 3)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.file_button)
        self.edits = QWidget()  # hidden while the 高拍仪 is shown: its preview gets the room
        inner = QVBoxLayout(self.edits)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(QLabel("整理扫描件（PDF）："))
        inner.addLayout(edits)
        layout.addWidget(self.edits)
        layout.addWidget(self.message)
        layout.addStretch(1)
        return box

    # the list

    def reload(self) -> None:
        self.docs = documents.inbox(self.store)
        self.list.clear()
        for doc in self.docs:
            item = QListWidgetItem(f"{doc.original_name[:24]}\n{doc.pages}页　{doc.received_at[5:16].replace('T', ' ')}")
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            item.setToolTip(doc.original_name)
            self.list.addItem(item)
        self.status.setText(f"收件箱中 {len(self.docs)} 件待归档" if self.docs else "收件箱为空：扫描件放入扫描文件夹后会自动出现在这里")
        bad = documents.quarantined(self.store)[:5]  # newest first
        lines = [f"{q['original_name']}：{q['reason_label']}（{q['detail']}）" for q in bad]
        self.quarantine.setText("已隔离（未收取，原文件保存在数据目录 quarantine 中）：\n" + "\n".join(lines) if bad else "")
        self.quarantine.setVisible(bool(bad))
        self._load_thumbnails()

    def _load_thumbnails(self) -> None:
        store, docs = self.store, list(self.docs)

        def render() -> dict[str, bytes]:
            return {d.id: docedit.thumbnail(store, d, max_px=THUMB) for d in docs}

        def done(result: dict[str, bytes] | None, error: BaseException | None) -> None:
            for row in range(self.list.count()):
                item = self.list.item(row)
                data = (result or {}).get(item.data(Qt.ItemDataRole.UserRole))
                if data:
                    item.setIcon(QIcon(QPixmap.fromImage(QImage.fromData(data))))

        worker.run(render, done)

    def selected(self) -> list[str]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]

    def _on_selection(self) -> None:
        set_hint(self.message, "", error=False)

    def _run(self, fn, done: str) -> None:
        try:
            fn()
        except DeskError as exc:
            set_hint(self.message, exc.message, error=True)
            return
        set_hint(self.message, done, error=False)
        self.reload()

    # filing

    def _load_materials(self) -> None:
        self.material.clear()
        ref = self.case_ref.text().strip()
        if not ref:
            return
        try:
            case = self.store.load(ref)
        except DeskError as exc:
            set_hint(self.message, exc.message, error=True)
            return
        if case.state == "draft":
            set_hint(self.message, "草稿还没有受理编号，请在向导中继续办理", error=True)
            return
        for entry in eligibility.checklist(self.store.catalog_for(case).service(case.service), case):
            self.material.addItem(entry.material.name, entry.material.id)
        set_hint(self.message, f"{case.number}　{case.applicant.name}　{case.state_label}", error=False)

    def file_selected(self) -> None:
        ids, material = self.selected(), self.material.currentData()
        if not ids:
            set_hint(self.message, "请先在左侧选择扫描件", error=True)
            return
        if material is None:
            set_hint(self.message, "请先填写案件受理编号并选择材料", error=True)
            self.case_ref.setFocus()
            return
        ref = self.case_ref.text().strip()

        def file_all() -> None:
            for doc_id in ids:
                doc = documents.file(self.store, doc_id, ref, material, actor=self.actor)
            self.filed.emit(doc.case_uuid)

        self._run(file_all, f"已归档 {len(ids)} 件到“{self.material.currentText()}”")

    # editing

    def _one(self) -> documents.Document | None:
        ids = self.selected()
        if len(ids) != 1:
            set_hint(self.message, "请只选择一件扫描件", error=True)
            return None
        return documents.get(self.store, ids[0])

    def view_large(self) -> None:
        doc = self._one()
        if doc is None:
            return
        store = self.store
        set_hint(self.message, "正在打开…", error=False)

        def shown(data: bytes | None, error: BaseException | None) -> None:
            if error is not None:
                set_hint(self.message, worker.known(error), error=True)
                return
            set_hint(self.message, "", error=False)
            Viewer(QImage.fromData(data), f"{doc.original_name}（第1页，共{doc.pages}页）", self).exec()

        worker.run(lambda: docedit.thumbnail(store, doc, max_px=1600), shown)  # a large render: off the UI thread

    def merge(self) -> None:
        ids = self.selected()
        if len(ids) < 2:
            set_hint(self.message, "请选择两件或更多扫描件再合并", error=True)
            return
        self._run(lambda: docedit.merge(self.store, ids), f"已合并 {len(ids)} 件为一个PDF")

    def split(self) -> None:
        doc = self._one()
        if doc is None:
            return
        text, ok = QInputDialog.getText(self, "拆分", f"共{doc.pages}页。每份的页码用“;”分开，如 1-2;3-4：")
        if ok:
            self._run(lambda: docedit.split(self.store, doc.id, [parse_pages(p, doc.pages) for p in text.split(";")
                                                                 if p.strip()]), "已拆分")

    def reorder(self) -> None:
        doc = self._one()
        if doc is None:
            return
        text, ok = QInputDialog.getText(self, "调整页序", f"共{doc.pages}页。新的页序，如 3,1,2：")
        if ok:
            self._run(lambda: docedit.reorder(self.store, doc.id, parse_pages(text, doc.pages)), "已调整页序")

    def remove(self) -> None:
        doc = self._one()
        if doc is None:
            return
        reason, ok = QInputDialog.getText(self, "移出收件箱", "原因（如：重复扫描、不属于本窗口）：")
        if ok:
            self._run(lambda: documents.remove(self.store, doc.id, reason=reason, actor=self.actor, to_inbox=False),
                      "已移出收件箱（原件仍保存在数据目录中）")
