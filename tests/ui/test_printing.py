"""Printing from the desk: rendered off the UI thread, previewed with QtPdf, printed or saved, on the timeline."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from PySide6.QtPrintSupport import QPrinter

from desktop.accounts.roles import Session
from desktop.intake import demo
from desktop.ui.printing import print_document

CLERK = Session("lixiaolan", "李晓兰", "clerk")


def proxy_case(store):
    service = store.catalog.service(3)
    rng = random.Random(5)
    for _ in range(20):
        case = demo.eligible_case(service, store.catalog, rng, dt.date.today())
        if case.is_proxy:
            break
    case.applicant.name = "欧阳䶮𠈌"
    demo.receive_all(service, case)
    return store.accept(case, actor="lixiaolan")


def test_receipt_preview_print_and_reprint(qtbot, store, tmp_path, widgets):
    case = proxy_case(store)
    ready = []
    print_document(None, store, CLERK, case.uuid, "receipt", on_ready=ready.append)
    qtbot.waitUntil(lambda: bool(ready), timeout=20_000)
    dialog = ready[0]
    widgets.append(dialog)
    assert dialog.doc.pageCount() >= 1 and not dialog.job.reprint
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.print_to(printer)  # paints on a worker: the window stays responsive
    assert printer.resolution() == 300
    printed = (tmp_path / "printed.pdf").read_bytes()
    assert printed.startswith(b"%PDF") and len(printed) < 8_000_000, "an explicit resolution keeps it small"
    events = [e for e in store.events(case.uuid) if e["kind"] == "printed"]
    assert [(e["actor"], e["detail"]) for e in events] == [("lixiaolan", {"kind": "receipt", "reprint": False, "paper": "受理回执"})]
    again = []
    print_document(None, store, CLERK, case.uuid, "receipt", on_ready=again.append)
    qtbot.waitUntil(lambda: bool(again), timeout=20_000)
    widgets.append(again[0])
    assert again[0].job.reprint and "补打" in again[0].windowTitle()
    again[0].save_to(tmp_path / "收据 副本.pdf")
    assert (tmp_path / "收据 副本.pdf").read_bytes() == again[0].job.pdf
    assert [e["detail"]["reprint"] for e in store.events(case.uuid) if e["kind"] == "printed"] == [False, True]


def test_a_document_that_does_not_apply_is_refused_in_words(qtbot, store, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    case = proxy_case(store)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    print_document(None, store, CLERK, case.uuid, "notice", on_ready=lambda d: warnings.append("opened"))
    qtbot.waitUntil(lambda: bool(warnings), timeout=20_000)
    assert warnings == ["该案件材料已齐全，没有需要一次性告知的补正材料"]


def test_an_auditor_cannot_print(store, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    case = proxy_case(store)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(title))
    print_document(None, store, Session("pengzhiyuan", "彭志远", "auditor"), case.uuid, "receipt")
    assert warnings == ["无权打印"]


@pytest.mark.qt_log_ignore(r"QPainter::begin\(\): Returned false")  # the failure under test
def test_a_print_that_never_started_is_not_recorded_and_the_next_is_no_reprint(qtbot, store, tmp_path, widgets,
                                                                              monkeypatch):
    """Cancel in "Microsoft Print to PDF", an offline or denied printer: QPainter.begin returns False and raises
    nothing. Simulated with a PDF printer whose file cannot be created (begin fails the same way)."""
    from PySide6.QtWidgets import QMessageBox

    case = proxy_case(store)
    ready, warnings = [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append((title, text)))
    print_document(None, store, CLERK, case.uuid, "receipt", on_ready=ready.append)
    qtbot.waitUntil(lambda: bool(ready), timeout=20_000)
    dialog = ready[0]
    widgets.append(dialog)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "没有这个文件夹" / "printed.pdf"))
    dialog.print_to(printer)
    qtbot.waitUntil(lambda: bool(warnings), timeout=30_000)
    assert warnings[0][0] == "打印失败" and "不计为已打印" in warnings[0][1]
    assert dialog.isEnabled() and not [e for e in store.events(case.uuid) if e["kind"] == "printed"]
    again = []
    print_document(None, store, CLERK, case.uuid, "receipt", on_ready=again.append)
    qtbot.waitUntil(lambda: bool(again), timeout=20_000)
    widgets.append(again[0])
    assert not again[0].job.reprint and "补打" not in again[0].windowTitle()


def test_a_landscape_document_prints_landscape(qtbot, tmp_path):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    from desktop.ui.printing import paint_pdf_bytes

    path = tmp_path / "ledger.pdf"
    pdf = canvas.Canvas(str(path), pagesize=landscape(A4))
    pdf.drawString(72, 72, "ledger")
    pdf.save()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    paint_pdf_bytes(path.read_bytes(), printer)
    from PySide6.QtGui import QPageLayout

    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
    from pypdf import PdfReader

    box = PdfReader(tmp_path / "printed.pdf").pages[0].mediabox
    assert box.width > box.height
