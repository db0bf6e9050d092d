"""Print preview (QtPdf), printing to the chosen printer, save as PDF; every print goes on the case's timeline.

The PDF is rendered on a worker thread (desktop.ui.worker) from data read on the GUI thread, so the window
never waits on reportlab. Printing paints each page at the printer's resolution, set explicitly (STYLE.md:
without it the output balloons).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPageLayout, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import forms
from desktop.accounts import roles
from desktop.domain.errors import DeskError
from desktop.forms import printing
from desktop.storage import settings
from desktop.storage.store import Store
from desktop.ui import worker

PRINT_DPI = 300


def load_pdf(pdf: bytes, parent: QWidget) -> QPdfDocument:
    """A QPdfDocument over the bytes (the buffer is kept alive with the document)."""
    doc = QPdfDocument(parent)
    buffer = QBuffer(doc)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    return doc


def paint_pdf_bytes(pdf: bytes, printer: QPrinter) -> None:
    """Render and paint the PDF on `printer`; safe on a worker thread (its own QPdfDocument, Qt paints
    QPrinter devices from any thread), so a multi-page print does not freeze the window (≈0.3 s a page)."""
    doc = load_pdf(pdf, None)
    try:
        paint_pdf(doc, printer)
    finally:
        doc.close()


NOT_PRINTED = ("打印没有完成：打印机未能开始或已取消（例如在“另存为”对话框中点了取消，或打印机脱机、无权限），"
               "本次不计为已打印，可再次打印。")


def paint_pdf(doc: QPdfDocument, printer: QPrinter) -> None:
    """Paint every page onto `printer` at PRINT_DPI, scaled to the printable area; landscape pages (the ledger)
    go out landscape. Raises PrintNotDoneError when the printer did not start or finish: QPainter.begin and
    newPage fail by returning False (Cancel in "Microsoft Print to PDF" or WPS, an offline or denied printer),
    never by raising, and such a print must not be recorded as printed."""
    printer.setResolution(PRINT_DPI)
    if doc.pageCount():
        first = doc.pagePointSize(0)
        landscape = first.width() > first.height()
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape
                                   else QPageLayout.Orientation.Portrait)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintNotDoneError(NOT_PRINTED)
    try:
        for page in range(doc.pageCount()):
            if page and not printer.newPage():
                raise PrintNotDoneError(NOT_PRINTED)
            _paint_page(doc, page, painter)
    finally:
        ended = painter.end()
    if not ended or printer.printerState() in (QPrinter.PrinterState.Aborted, QPrinter.PrinterState.Error):
        raise PrintNotDoneError(NOT_PRINTED)


def _paint_page(doc: QPdfDocument, page: int, painter: QPainter) -> None:
    rect = painter.viewport()
    points = doc.pagePointSize(page)
    size = QSize(int(points.width() / 72 * PRINT_DPI), int(points.height() / 72 * PRINT_DPI))
    image = doc.render(page, size)
    target = size.scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
    painter.drawImage(QRect(rect.topLeft(), target), image)


class PrintNotDoneError(DeskError):
    """The printer did not start or did not finish: nothing is recorded as printed."""


class PdfPreview(QDialog):
    """A PDF shown with QtPdf; 打印 (to the chosen printer) and 另存为PDF. `printed()` runs after either."""

    def __init__(self, pdf: bytes, title: str, parent: QWidget | None = None, *, printer_name: str = "",
                 file_name: str = "document.pdf"):
        super().__init__(parent)
        self.pdf, self.printer_name, self.file_name = pdf, printer_name, file_name
        self.setWindowTitle(title)
        self.resize(900, 720)
        self.doc = load_pdf(pdf, self)
        self.view = QPdfView(self)
        self.view.setDocument(self.doc)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        buttons = QHBoxLayout()
        for text, slot in (("打印…", self.print_it), ("另存为PDF…", self.save_as), ("关闭", self.reject)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.insertStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def printed(self) -> None:
        """Subclasses record the print here."""

    def printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.printer_name and self.printer_name in [p.printerName() for p in QPrinterInfo.availablePrinters()]:
            printer.setPrinterName(self.printer_name)
        printer.setDocName(self.windowTitle())
        return printer

    def print_it(self) -> None:
        printer = self.printer()
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Print on a worker; the dialog says so meanwhile, and closes (`accepted`) once the pages are out."""
        self.setEnabled(False)
        self.setWindowTitle(self.windowTitle() + "（正在打印…）")
        pdf = self.pdf

        def done(_result, error: BaseException | None) -> None:
            self.setEnabled(True)
            if error is not None:
                QMessageBox.warning(self, "打印失败", worker.known(error))
                return
            self.printed()
            self.accept()

        worker.run(lambda: paint_pdf_bytes(pdf, printer), done)

    def save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "另存为PDF", self.file_name, "PDF (*.pdf)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        try:
            path.write_bytes(self.pdf)
        except OSError as exc:
            QMessageBox.warning(self, "保存失败", f"无法写入 {path}：{exc.strerror or exc}")
            return
        self.printed()
        self.accept()


class PreviewDialog(PdfPreview):
    """A case's document; printing or saving it records the print (and a 补打) on the case's timeline."""

    recorded = Signal()  # after the print is on the timeline

    def __init__(self, store: Store, job: printing.PrintJob, actor: str, parent: QWidget | None = None):
        values = settings.get_all(store.db)
        title = (job.paper or forms.KINDS[job.kind]) + ("（补打）" if job.reprint else "")
        super().__init__(job.pdf, f"{title} — {job.case_number}", parent,
                         printer_name=(values["printers"] or {}).get(job.kind) or values["default_printer"],
                         file_name=f"{job.case_number}-{forms.KINDS[job.kind]}.pdf")
        self.store, self.job, self.actor = store, job, actor

    def printed(self) -> None:
        printing.record(self.store, self.job, actor=self.actor)
        self.recorded.emit()


def print_document(parent: QWidget, store: Store, session: roles.Session, uuid: str, kind: str,
                   on_ready=None) -> None:
    """Render document `kind` of case `uuid` in the background, then open the preview."""
    case = store.load(uuid)
    row = next(iter(store.rows("uuid = ?", [uuid])), None)
    if not roles.can(session, "case.print", row):
        QMessageBox.warning(parent, "无权打印", "您的角色或服务区域不能打印该案件的文书。")
        return
    events = store.events(uuid)
    paper = forms.paper_title(kind, case, store.catalog_for(case)) if kind == "receipt" else ""
    reprint = printing.is_reprint(events, kind, None, paper)
    office = forms.OfficeInfo.from_settings(settings.get_all(store.db))
    catalog = store.catalog_for(case)

    signed = printing.signatures(store, events) if kind == "consent" else None

    def render() -> printing.PrintJob:
        pdf = forms.render(kind, case, catalog, office_info=office, reprint=reprint, events=events, signatures=signed)
        return printing.PrintJob(case.uuid, case.number or "", kind, None, reprint, pdf, paper)

    def done(job: printing.PrintJob | None, error: BaseException | None) -> None:
        if error is not None:
            QMessageBox.warning(parent, "无法打印", worker.known(error))
            return
        dialog = PreviewDialog(store, job, session.username, parent)
        if on_ready is not None:
            on_ready(dialog)
        else:
            dialog.exec()

    worker.run(render, done)


def print_draft_consent(parent: QWidget, store: Store, uuid: str, actor: str, on_ready) -> None:
    """The 委托书 of a draft being filled in (signed before acceptance): rendered in the background, then
    `on_ready(dialog)`; the wizard opens it and listens to its `recorded`."""
    case = store.load(uuid)
    events = store.events(uuid)
    reprint = printing.is_reprint(events, "consent")
    office = forms.OfficeInfo.from_settings(settings.get_all(store.db))
    catalog = store.catalog_for(case)

    signed = printing.signatures(store, events)

    def render() -> printing.PrintJob:
        pdf = forms.render("consent", case, catalog, office_info=office, reprint=reprint, events=events,
                           signatures=signed)
        return printing.PrintJob(case.uuid, "", "consent", None, reprint, pdf)

    def done(job: printing.PrintJob | None, error: BaseException | None) -> None:
        if error is not None:
            QMessageBox.warning(parent, "无法打印委托书", worker.known(error))
            return
        on_ready(PreviewDialog(store, job, actor, parent))

    worker.run(render, done)
