"""高拍仪 pages: the page found on the mat, cropped and straightened (checked by its rules' slope), filed as one PDF."""

from __future__ import annotations

import io
import math

import pytest
from PIL import Image
from pypdf import PdfReader

from desktop.domain.errors import ValidationError
from desktop.intake import camera, documents
from desktop.storage.blobs import BlobStore
from tests.intake import camerafiles
from tests.scanfiles import accepted_case


def rule_slopes(page) -> list[float]:
    """The slope in degrees of each of the page's printed rules, measured at 15 % and 85 % of its width (on a
    cropped page: check `white_border` first, or the dark mat reads as one tall rule)."""
    grey = page.convert("L")
    w, h = grey.size

    def centre(x: int, near: int) -> float:
        ys = [y for y in range(max(0, near - h // 12), min(h, near + h // 12)) if grey.getpixel((x, y)) < 100]
        assert ys, f"no rule near row {near} at column {x}"
        return sum(ys) / len(ys)

    left, right = round(w * 0.15), round(w * 0.85)
    return [math.degrees(math.atan2(centre(right, round(h * s)) - centre(left, round(h * s)), right - left))
            for s in camerafiles.RULE_ROWS]


def white_border(page, inset: int = 4) -> float:
    """The share of near-white pixels along the four edges (the dark mat would show as dark pixels)."""
    grey = page.convert("L")
    w, h = grey.size
    edge = [(x, inset) for x in range(w)] + [(x, h - 1 - inset) for x in range(w)]
    edge += [(inset, y) for y in range(h)] + [(w - 1 - inset, y) for y in range(h)]
    return sum(grey.getpixel(p) > 200 for p in edge) / len(edge)


@pytest.mark.parametrize("angle", [-12.0, -4.0, 0.0, 3.0, 9.0])
def test_a_turned_page_comes_out_cropped_and_straight_within_a_degree(angle: float):
    page, found = camera.straighten(camerafiles.frame(angle))
    assert found is not None
    assert all(abs(s) < 1.0 for s in rule_slopes(page)), rule_slopes(page)
    assert white_border(page) > 0.98  # no mat left at the edges
    assert page.height / page.width == pytest.approx(297 / 210, rel=0.03)


def test_a_frame_without_a_page_is_kept_whole():
    mat = Image.new("RGB", (640, 480), (40, 40, 40))
    page, found = camera.straighten(mat)
    assert found is None and page.size == (640, 480)


def test_an_unreadable_frame_is_one_sentence():
    with pytest.raises(ValidationError, match="高拍仪：拍到的画面无法读取"):
        camera.page_from_frame(b"not an image")


def test_two_pages_filed_as_one_pdf_under_the_cases_material(store):
    case = accepted_case(store, 3, 11)
    pages = [camera.page_from_frame(camerafiles.frame_png(a)) for a in (6.0, -5.0)]
    doc = camera.file_pages(store, pages, case_ref=case.number, material="id_card", actor="李晓兰")
    assert (doc.state, doc.case_uuid, doc.material_id, doc.pages) == ("filed", case.uuid, "id_card", 2)
    assert doc.original_name.startswith("高拍仪拍摄")
    reader = PdfReader(io.BytesIO(BlobStore.of(store.data_dir).read(doc.sha256)))
    assert len(reader.pages) == 2
    assert store.load(case.uuid).materials["id_card"].received == "scan"
    assert [e["detail"]["document"] for e in store.events(case.uuid) if e["kind"] == "scan_filed"] == [doc.id]


def test_without_a_case_the_pages_wait_in_the_inbox(store):
    doc = camera.file_pages(store, [camera.page_from_frame(camerafiles.frame_png(2.0))])
    assert [d.id for d in documents.inbox(store)] == [doc.id]


def test_a_wrong_material_leaves_no_document(store):
    case = accepted_case(store, 3, 11)
    with pytest.raises(ValidationError, match="没有材料"):
        camera.file_pages(store, [camera.page_from_frame(camerafiles.frame_png())], case_ref=case.number,
                          material="no_such_material")
    assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    with pytest.raises(ValidationError, match="还没有拍摄"):
        camera.file_pages(store, [], case_ref=case.number, material="id_card")
