"""The scan inbox in the desk: scans arrive in the background, show with thumbnails, are filed and found again."""

from __future__ import annotations

import pytest

from desktop.intake import documents
from desktop.storage import settings
from desktop.ui.inbox import InboxPage, parse_pages
from desktop.ui.intakerun import IntakeRunner
from tests.scanfiles import accepted_case, image_bytes, pdf_bytes


def test_three_scans_arrive_in_the_background_and_are_filed_into_a_case(qtbot, store, tmp_path, main_window):
    folder = tmp_path / "扫描 文件夹"
    folder.mkdir()
    settings.set_value(store.db, "scanner_folder", str(folder))
    case = accepted_case(store, 3, 1)
    window = main_window()
    runner = IntakeRunner(store.data_dir, store.catalog, str(folder), actor="lixiaolan", stability_delay=0.0)
    (folder / "身份证 正反面.jpg").write_bytes(image_bytes("JPEG", 1))
    (folder / "户口簿.png").write_bytes(image_bytes("PNG", 2))
    (folder / "申请表.pdf").write_bytes(pdf_bytes(["page one", "page two"]))
    (folder / "扫描中断.pdf").write_bytes(b"%PDF-1.4 cut off")
    for _ in range(3):  # a file is taken once it has held still across two looks
        with qtbot.waitSignal(runner.passed, timeout=10_000):
            runner.scan_now()
        if len(documents.inbox(store)) == 3:
            break
    assert len(documents.inbox(store)) == 3 and len(documents.quarantined(store)) == 1
    assert not list(folder.iterdir()), "the scanner folder keeps no personal data"
    window.open_inbox()
    page = window._inbox
    assert page.list.count() == 3
    assert "扫描中断.pdf" in page.quarantine.text() and "不完整" in page.quarantine.text()
    qtbot.waitUntil(lambda: all(not page.list.item(r).icon().isNull() for r in range(3)), timeout=10_000)
    page.list.selectAll()
    page.case_ref.setText(case.number)
    page._load_materials()
    page.material.setCurrentIndex(page.material.findData("id_card"))
    with qtbot.waitSignal(page.filed) as filed:
        page.file_selected()
    assert filed.args == [case.uuid] and documents.inbox(store) == []
    assert len(documents.for_case(store, case.uuid, "id_card")) == 3
    assert store.load(case.uuid).materials["id_card"].received in ("scan", "original", "copy")
    window.open_case(case.uuid)
    assert "扫描件" in window.caseview.body.toHtml() and "身份证 正反面" in window.caseview.body.toHtml()


def test_the_large_view_renders_off_the_ui_thread_and_opens(qtbot, store, tmp_path, monkeypatch):
    from desktop.intake import folder as intake
    from desktop.ui.inbox import Viewer

    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "申请表.pdf").write_bytes(pdf_bytes(["page one", "page two"]))
    state = intake.IntakeState()
    for _ in range(2):
        intake.scan_once(store, folder, stability_delay=0.0, state=state)
    page = InboxPage(store, "lixiaolan")
    qtbot.addWidget(page)
    page.list.setCurrentRow(0)
    opened = []
    monkeypatch.setattr(Viewer, "exec", lambda self: opened.append((self.image.width(), self.windowTitle())))
    page.view_large()
    assert opened == [], "rendering happens on a worker, not inside the click"
    qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
    assert opened[0][0] > 600 and "共2页" in opened[0][1]


def test_filing_without_a_case_names_what_is_missing(qtbot, store, tmp_path):
    page = InboxPage(store, "lixiaolan")
    qtbot.addWidget(page)
    page.file_selected()
    assert "选择扫描件" in page.message.text()
    page.case_ref.setText("439901-W03-20990101-0001")
    page._load_materials()
    assert "找不到案件" in page.message.text()


@pytest.mark.parametrize(("text", "count", "expected"), [("3,1-2", 3, [2, 0, 1]), ("1", 1, [0]), ("2-3", 4, [1, 2])])
def test_page_lists(text, count, expected):
    assert parse_pages(text, count) == expected


@pytest.mark.parametrize("text", ["0", "5", "2-1", "a", "1-x"])
def test_bad_page_lists_are_named(text):
    from desktop.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="页码"):
        parse_pages(text, 4)


def test_scans_dragged_onto_a_case_are_filed_under_the_chosen_material(qtbot, store, tmp_path, main_window,
                                                                         monkeypatch):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDropEvent
    from PySide6.QtWidgets import QInputDialog

    from desktop.intake import folder as intake

    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "户口簿.png").write_bytes(image_bytes("PNG", 4))
    (folder / "户口簿2.png").write_bytes(image_bytes("PNG", 5))
    state = intake.IntakeState()
    for _ in range(2):
        intake.scan_once(store, folder, stability_delay=0.0, state=state)
    case = accepted_case(store, 3, 2)
    window = main_window()
    window.open_case(case.uuid)
    window.open_inbox()
    page = window._inbox
    page.list.selectAll()
    mime = page.list.mimeData(page.list.selectedItems())
    wanted = store.catalog.service(3).material("hukou_book").name
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (wanted, True))
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.views_refreshed):  # the inbox hears of it from the store, like every view
        window.caseview.dropEvent(drop)
    assert len(documents.for_case(store, case.uuid, "hukou_book")) == 2 and documents.inbox(store) == []
    assert page.list.count() == 0
    assert not window.caseview.banner.isHidden() and f"已把 2 件扫描件归档到“{wanted}”" in window.caseview.banner.text()
    assert "户口簿2.png" in window.caseview.body.toHtml()


def test_scans_dropped_on_a_material_in_the_wizard_are_filed_at_acceptance(qtbot, store, tmp_path, make_wizard):
    from PySide6.QtCore import QMimeData, QPointF, Qt
    from PySide6.QtGui import QDropEvent

    from desktop.intake import folder as intake
    from desktop.ui.inbox import MIME
    from tests.ui.test_wizard import advance, drive, prepared
    from tests.ui.wizardfill import receive

    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "照片.jpg").write_bytes(image_bytes("JPEG", 7))
    state = intake.IntakeState()
    for _ in range(2):
        intake.scan_once(store, folder, stability_delay=0.0, state=state)
    (doc,) = documents.inbox(store)
    data = prepared(store, 3, seed=3)
    wizard = make_wizard(qtbot, store, 3)
    drive(qtbot, wizard, data, 3)
    receive(wizard, "photo", "")
    page = wizard.pages[3]
    row = page._ids.index("photo")
    mime = QMimeData()
    mime.setData(MIME, doc.id.encode())
    y = page.table.rowViewportPosition(row) + 2
    drop = QDropEvent(QPointF(5, y), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    page.table.dropEvent(drop)
    assert page.table.cellWidget(row, 3).currentText() == "扫描件"
    assert store.catalog.service(3).material("photo").name not in page.summary.text(), "no longer missing"
    advance(qtbot, wizard, 4)
    advance(qtbot, wizard, 5)
    assert store.load(wizard.case.uuid).materials["photo"].pending_docs == [doc.id], "kept on the draft"
    with qtbot.waitSignal(wizard.accepted) as accepted:
        qtbot.mouseClick(wizard.next, Qt.MouseButton.LeftButton)
    case = store.load(accepted.args[0])
    assert case.state == "accepted" and [d.id for d in documents.for_case(store, case.uuid, "photo")] == [doc.id]
    assert documents.inbox(store) == [] and case.materials["photo"].pending_docs == []
