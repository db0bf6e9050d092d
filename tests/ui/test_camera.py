"""高拍仪 in the inbox, driven offscreen: the preview shows, two pages captured from a (file) camera become one PDF
filed under the chosen material of a real case; no camera or a failing one is one sentence, scans still work."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from desktop.intake import documents
from desktop.storage import settings
from desktop.storage.blobs import BlobStore
from desktop.ui.camera import NO_CAMERA, CameraSource
from desktop.ui.inbox import InboxPage
from tests.intake import camerafiles
from tests.intake.test_camera import rule_slopes, white_border
from tests.scanfiles import accepted_case


@pytest.fixture
def shots(tmp_path):
    path = tmp_path / "高拍仪 画面.png"
    path.write_bytes(camerafiles.frame_png(7.0))
    return path


def open_inbox(qtbot, store) -> InboxPage:
    page = InboxPage(store, "lixiaolan")
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def test_two_pages_from_the_camera_are_filed_as_one_pdf_under_the_material(qtbot, store, shots, tmp_path):
    from PIL import Image

    settings.set_value(store.db, "camera", "file")
    settings.set_value(store.db, "camera_file", str(shots))
    case = accepted_case(store, 3, 11)
    page = open_inbox(qtbot, store)
    panel = page.camera
    page.camera_button.click()  # the camera takes the scan list's place and opens
    assert page.view.currentWidget() is panel
    qtbot.waitUntil(lambda: panel.preview.pixmap() is not None and not panel.preview.pixmap().isNull(), timeout=5000)
    page.case_ref.setText(case.number)
    page._load_materials()
    page.material.setCurrentIndex(page.material.findData("id_card"))
    panel.buttons["shoot"].click()
    qtbot.waitUntil(lambda: len(panel.pages) == 1, timeout=10_000)
    shots.write_bytes(camerafiles.frame_png(-5.0))  # the clerk turns the page
    panel.buttons["shoot"].click()
    qtbot.waitUntil(lambda: len(panel.pages) == 2, timeout=10_000)
    assert panel.buttons["file"].text() == "完成并归档（2页）"
    page.grab().save(str(tmp_path / "camera-panel.png"))
    with qtbot.waitSignal(page.filed, timeout=10_000) as filed:
        panel.buttons["file"].click()
    assert filed.args == [case.uuid] and panel.pages == []
    (doc,) = documents.for_case(store, case.uuid, "id_card")
    assert doc.pages == 2 and "已把 2 页归档到" in panel.status.text()
    page.camera_button.click()  # back to the scan list: the camera stops
    assert page.view.currentWidget() is page.list and not panel.running
    reader = PdfReader(io.BytesIO(BlobStore.of(store.data_dir).read(doc.sha256)))
    assert len(reader.pages) == 2
    for pdf_page in reader.pages:  # each page was straightened before it went in
        (image,) = pdf_page.images
        picture = Image.open(io.BytesIO(image.data))
        assert white_border(picture) > 0.98 and all(abs(s) < 1.0 for s in rule_slopes(picture))


def test_filing_needs_a_material_when_a_case_is_named_and_keeps_the_pages(qtbot, store, shots):
    settings.set_value(store.db, "camera", "file")
    settings.set_value(store.db, "camera_file", str(shots))
    page = open_inbox(qtbot, store)
    panel = page.camera
    page.camera_button.click()
    panel.buttons["shoot"].click()
    qtbot.waitUntil(lambda: len(panel.pages) == 1, timeout=10_000)
    page.case_ref.setText("439901-W03-20261127-9999")
    panel.buttons["file"].click()
    assert "请先在下方填写案件受理编号并选择材料" in panel.status.text() and len(panel.pages) == 1
    page.case_ref.setText("")  # no case: the pages wait in the inbox like a scan
    panel.buttons["file"].click()
    qtbot.waitUntil(lambda: page.list.count() == 1, timeout=10_000)
    assert panel.pages == [] and documents.inbox(store)[0].original_name.startswith("高拍仪拍摄")


def test_no_camera_set_says_so_and_a_camera_set_later_is_found_when_opened(qtbot, store, shots):
    page = open_inbox(qtbot, store)
    panel = page.camera
    assert panel.status.text() == NO_CAMERA and not panel.buttons["shoot"].isEnabled()
    page.camera_button.click()
    assert panel.status.text() == NO_CAMERA and not panel.buttons["shoot"].isEnabled()
    settings.set_value(store.db, "camera", "file")  # chosen in 设置 while the inbox is open
    settings.set_value(store.db, "camera_file", str(shots))
    panel.buttons["open"].click()
    qtbot.waitUntil(lambda: panel.preview.pixmap() is not None and not panel.preview.pixmap().isNull(), timeout=5000)
    assert panel.buttons["shoot"].isEnabled()


def test_a_missing_picture_file_is_one_sentence(qtbot, store, tmp_path):
    settings.set_value(store.db, "camera", "file")
    settings.set_value(store.db, "camera_file", str(tmp_path / "没有.png"))
    page = open_inbox(qtbot, store)
    page.camera_button.click()
    assert page.camera.status.text() == "高拍仪（模拟）：画面文件不存在或无法读取：没有.png"
    assert not page.camera.buttons["shoot"].isEnabled()
    page.camera.capture()
    assert "高拍仪还没有画面" in page.camera.status.text()


@pytest.mark.qt_log_ignore("Couldn.t (load|resolve) ")  # QtMultimedia probing optional Linux libraries
def test_a_uvc_camera_that_is_not_there_is_one_sentence(qtbot, store):
    source = CameraSource("高拍仪")
    with qtbot.waitSignal(source.failed, timeout=5000) as failed:
        source.start()
    assert failed.args[0].startswith("没有找到")  # this machine has no camera at all, or none by that name


def test_the_device_settings_refuse_an_unknown_kind_by_name(store):
    from desktop.domain.errors import ValidationError

    for key, title in (("camera", "高拍仪"), ("signing", "屏上签名")):
        with pytest.raises(ValidationError, match=f"^{title}：“tablet”格式不对"):
            settings.set_value(store.db, key, "tablet")
    settings.set_value(store.db, "camera", "uvc")
    settings.set_value(store.db, "signing", "screen")
    assert (settings.get(store.db, "camera"), settings.get(store.db, "signing")) == ("uvc", "screen")
