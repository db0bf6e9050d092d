"""The inbox API the desk builds on: file, remove, merge, split, reorder, thumbnails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from desktop.domain.errors import ValidationError
from desktop.intake import docedit, documents
from tests.scanfiles import accepted_case, image_bytes, page_texts, pdf_bytes, settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "scans"
    path.mkdir()
    return path


def arrive(store, folder: Path, files: dict[str, bytes]) -> list[documents.Document]:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    ids = {a["name"]: a["document"] for a in settle(store, folder).accepted}
    return [documents.get(store, ids[name]) for name in files]


def test_filing_a_scan_marks_the_material_received_through_the_outbox(store, folder: Path):
    case = accepted_case(store, 3, 11)
    assert case.state == "pending_materials" and "id_card" in case.missing
    (doc,) = arrive(store, folder, {"身份证.jpg": image_bytes("JPEG", 1)})
    assert [d.id for d in documents.inbox(store)] == [doc.id]
    revision = store.load(case.uuid).revision
    seen = []
    store.listeners.append(lambda what, uuid: seen.append((what, uuid)))
    filed = documents.file(store, doc.id, case.number, "id_card", actor="李晓兰")
    assert (filed.state, filed.case_uuid, filed.material_id) == ("filed", case.uuid, "id_card")
    fresh = store.load(case.uuid)
    assert fresh.materials["id_card"].received == "scan" and "id_card" not in fresh.missing
    assert fresh.revision == revision + 1
    assert store.db.execute("SELECT count(*) FROM outbox WHERE case_uuid = ? AND revision = ?",
                            [case.uuid, fresh.revision]).fetchone()[0] == 1
    (event,) = [e for e in store.events(case.uuid) if e["kind"] == "scan_filed"]
    assert event["actor"] == "李晓兰" and event["detail"]["sha256"] == doc.sha256
    assert seen == [("scan_filed", case.uuid)]
    audited = list(store.db.query("SELECT username, detail FROM audit WHERE action = 'case.scan' AND case_uuid = ?",
                                  [case.uuid]))
    assert len(audited) == 1 and audited[0]["username"] == "李晓兰" and doc.id in audited[0]["detail"]
    assert documents.inbox(store) == [] and documents.case_blobs(store, case.uuid) == [doc.sha256]


def test_an_original_already_received_is_not_downgraded_to_a_scan(store, folder: Path):
    case = accepted_case(store, 3, 12, receive=True)
    before = store.load(case.uuid).materials["id_card"].received
    (doc,) = arrive(store, folder, {"id.png": image_bytes("PNG", 2)})
    documents.file(store, doc.id, case.uuid, "id_card")
    assert before in ("original", "verified_copy", "copy") and store.load(case.uuid).materials["id_card"].received == before


def test_filing_refuses_unknown_materials_and_non_inbox_scans_in_chinese(store, folder: Path):
    case = accepted_case(store, 3, 13)
    (doc,) = arrive(store, folder, {"x.png": image_bytes("PNG", 3)})
    with pytest.raises(ValidationError, match="没有材料") as err:
        documents.file(store, doc.id, case.number, "no_such")
    assert err.value.field == "material" and documents.get(store, doc.id).state == "inbox"
    documents.file(store, doc.id, case.number, "id_card")
    with pytest.raises(ValidationError, match="只有收件箱"):
        documents.file(store, doc.id, case.number, "photo")
    with pytest.raises(ValidationError, match="找不到扫描件"):
        documents.get(store, "nope")


def test_removing_a_wrong_attachment_keeps_it_and_says_so_on_the_timeline(store, folder: Path):
    case = accepted_case(store, 3, 14)
    (doc,) = arrive(store, folder, {"wrong.jpg": image_bytes("JPEG", 4)})
    documents.file(store, doc.id, case.uuid, "photo")
    revision = store.load(case.uuid).revision
    back = documents.remove(store, doc.id, reason="不是本人照片", actor="周文斌")
    assert documents.get(store, doc.id).state == "removed"
    assert [d.id for d in documents.inbox(store)] == [back] and documents.get(store, back).sha256 == doc.sha256
    fresh = store.load(case.uuid)
    assert fresh.materials["photo"].received == "" and "photo" in fresh.missing and fresh.revision == revision + 1
    (event,) = [e for e in store.events(case.uuid) if e["kind"] == "scan_removed"]
    assert event["detail"]["reason"] == "不是本人照片"
    assert documents.blob_path(store, doc).is_file() and documents.for_case(store, case.uuid) == []


def test_merge_split_and_reorder_make_new_blobs_and_keep_the_sources(store, folder: Path):
    first, second, photo = arrive(store, folder, {"a.pdf": pdf_bytes(["a1", "a2"]), "b.pdf": pdf_bytes(["b1"]),
                                                  "c.jpg": image_bytes("JPEG", 5, size=(300, 400))})
    merged = docedit.merge(store, [second.id, first.id, photo.id])
    assert merged.pages == 4 and merged.mime == "application/pdf"
    assert page_texts(documents.blob_path(store, merged)) == ["b1", "a1", "a2", ""]
    assert {documents.get(store, d).state for d in (first.id, second.id, photo.id)} == {"superseded"}
    left, right = docedit.split(store, merged.id, [[0, 3], [2, 1]])
    assert page_texts(documents.blob_path(store, left)) == ["b1", ""]
    assert page_texts(documents.blob_path(store, right)) == ["a2", "a1"]
    flipped = docedit.reorder(store, right.id, [1, 0])
    assert page_texts(documents.blob_path(store, flipped)) == ["a1", "a2"]
    assert documents.get(store, right.id).state == "superseded" and flipped.derived_from == f'["{right.id}"]'
    assert sorted(d.id for d in documents.inbox(store)) == sorted([left.id, flipped.id])
    for old in (first, second, photo, merged, right):  # every blob ever delivered or made is still there
        assert documents.blob_path(store, old).is_file()


def test_page_edits_refuse_what_makes_no_sense(store, folder: Path):
    pdf, img = arrive(store, folder, {"a.pdf": pdf_bytes(["a1", "a2"]), "b.png": image_bytes("PNG", 6)})
    with pytest.raises(ValidationError, match="页码超出范围"):
        docedit.reorder(store, pdf.id, [0, 5])
    with pytest.raises(ValidationError, match="只有PDF"):
        docedit.split(store, img.id, [[0], [0]])
    with pytest.raises(ValidationError, match="至少需要两个"):
        docedit.merge(store, [pdf.id])
    with pytest.raises(ValidationError, match="重复"):
        docedit.merge(store, [pdf.id, pdf.id])
    assert documents.get(store, pdf.id).state == "inbox"


@pytest.mark.parametrize(("name", "data"), [
    ("p.pdf", lambda: pdf_bytes(["thumb"])), ("j.jpg", lambda: image_bytes("JPEG", 7, size=(1200, 1600))),
    ("t.tif", lambda: image_bytes("TIFF", 8, size=(800, 600), frames=2)),
])
def test_thumbnails_are_small_pngs_of_the_first_page(store, folder: Path, name, data):
    (doc,) = arrive(store, folder, {name: data()})
    png = docedit.thumbnail(store, doc)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and max(im.size) == 256


def test_a_case_s_scans_are_found_by_the_case_s_index(store):
    """Sync asks for every case's scans: by documents_case, never by walking every filed scan of the desk."""
    from desktop.intake import documents

    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        documents.for_case(store, "00000000-0000-0000-0000-000000000001")
    finally:
        store.db.conn.set_trace_callback(None)
    query = next(s for s in statements if "FROM documents" in s)
    plan = " ".join(r[3] for r in store.db.conn.execute("EXPLAIN QUERY PLAN " + query).fetchall())
    assert "documents_case" in plan and "documents_state" not in plan, plan
