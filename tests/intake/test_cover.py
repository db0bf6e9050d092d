"""Batches with QR cover sheets are split at each cover and every part filed under its case and material."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import forms
from desktop.intake import coverbatch, documents
from tests.scanfiles import accepted_case, cover, material_ids, page_texts, pdf_bytes, rasterize, settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "scans"
    path.mkdir()
    return path


def outbox_count(store, uuid: str) -> int:
    return store.db.execute("SELECT count(*) FROM outbox WHERE case_uuid = ?", [uuid]).fetchone()[0]


def test_a_batch_for_two_materials_of_two_cases_is_split_and_filed(store, folder: Path):
    a, b = accepted_case(store, 3, 1), accepted_case(store, 13, 2)
    (a0, a1), (b0, b1) = material_ids(store, a, 2), material_ids(store, b, 2)
    pages = ["loose 1", "loose 2", cover(a.number, a0), "A0 p1", "A0 p2", cover(a.number, a1), "A1 p1",
             cover(b.number, b0), "B0 p1", "B0 p2", "B0 p3", cover(b.number, b1), "B1 p1"]
    (folder / "批量扫描.pdf").write_bytes(pdf_bytes(pages))
    before = {c.uuid: (store.load(c.uuid).revision, outbox_count(store, c.uuid)) for c in (a, b)}
    (accepted,) = settle(store, folder).accepted
    assert [(p["case"], p["material"], p["pages"]) for p in accepted["parts"]] == [
        (None, None, 2), (a.number, a0, 2), (a.number, a1, 1), (b.number, b0, 3), (b.number, b1, 1)]
    (loose,) = documents.inbox(store)
    assert page_texts(documents.blob_path(store, loose)) == ["loose 1", "loose 2"]
    expect = [(a, a0, ["A0 p1", "A0 p2"]), (a, a1, ["A1 p1"]), (b, b0, ["B0 p1", "B0 p2", "B0 p3"]),
              (b, b1, ["B1 p1"])]
    for case, mid, texts in expect:
        (doc,) = documents.for_case(store, case.uuid, mid)
        assert page_texts(documents.blob_path(store, doc)) == texts and doc.source == "cover"
        assert store.load(case.uuid).materials[mid].received == "scan"
    for case in (a, b):  # one new revision per case, through the outbox, and a timeline entry per part
        fresh = store.load(case.uuid)
        assert (fresh.revision, outbox_count(store, case.uuid)) == tuple(x + 1 for x in before[case.uuid])
        kinds = [e["kind"] for e in store.events(case.uuid)]
        assert kinds.count("scan_filed_cover") == 2
    batch = documents.get(store, accepted["document"])
    assert batch.state == "superseded" and batch.pages == len(pages)  # the batch as scanned is kept whole
    assert len(page_texts(documents.blob_path(store, batch))) == 13


def test_a_scanned_batch_with_printed_cover_sheets_is_filed(store, folder: Path, catalog):
    """The real printed cover sheet, rasterised like a scanner does (no text layer, grey JPEG pages)."""
    import pypdfium2 as pdfium

    a, b = accepted_case(store, 1, 3), accepted_case(store, 4, 4)
    sheets = [(c, m) for c in (a, b) for m in material_ids(store, c, 2)]
    batch = pdfium.PdfDocument.new()
    for case, mid in sheets:
        for source in (forms.render("cover", store.load(case.uuid), catalog, material=mid),
                       pdf_bytes([f"{mid} page"] * 2)):
            src = pdfium.PdfDocument(source)
            batch.import_pages(src)
            src.close()
    import io

    buf = io.BytesIO()
    batch.save(buf)
    batch.close()
    (folder / "scan0001.pdf").write_bytes(rasterize(buf.getvalue(), dpi=150))
    (accepted,) = settle(store, folder).accepted
    assert [(p["case"], p["material"], p["pages"]) for p in accepted["parts"]] == [
        (c.number, m, 2) for c, m in sheets]
    assert documents.inbox(store) == []
    for case, mid in sheets:
        assert len(documents.for_case(store, case.uuid, mid)) == 1


def test_covers_naming_an_unknown_case_or_material_leave_their_part_in_the_inbox(store, folder: Path):
    a = accepted_case(store, 3, 5)
    pages = [cover("439901-W03-20990101-0001", "id_card"), "stranger", cover(a.number, "no_such_material"), "odd",
             cover(a.number, "id_card")]
    (folder / "mixed.pdf").write_bytes(pdf_bytes(pages))
    (accepted,) = settle(store, folder).accepted
    notes = [p.get("note") for p in accepted["parts"]]
    assert notes == ["封面上的案件编号在本机不存在，已留在收件箱", "封面上的材料不属于该案件的一件事，已留在收件箱",
                     "封面后没有页面"]
    assert sorted(page_texts(documents.blob_path(store, d))[0] for d in documents.inbox(store)) == ["odd", "stranger"]
    assert documents.for_case(store, a.uuid) == []


def test_the_same_batch_scanned_twice_is_not_filed_twice(store, folder: Path):
    a = accepted_case(store, 3, 6)
    data = pdf_bytes([cover(a.number, "id_card"), "front", "back"])
    (folder / "one.pdf").write_bytes(data)
    settle(store, folder)
    (folder / "again.pdf").write_bytes(data)
    (dup,) = settle(store, folder).accepted
    assert dup["duplicate_of"] and dup["parts"] == []
    assert len(documents.for_case(store, a.uuid)) == 1


def test_a_pdf_without_covers_lands_whole_in_the_inbox(store, folder: Path):
    (folder / "plain.pdf").write_bytes(pdf_bytes(["one", "two"]))
    (accepted,) = settle(store, folder).accepted
    assert accepted["parts"] == []
    assert [d.pages for d in documents.inbox(store)] == [2]


def test_plan_splits_at_each_cover():
    c = [coverbatch.Cover(2, "N1", "m1"), coverbatch.Cover(5, "N2", "m2"), coverbatch.Cover(6, "N2", "m3")]
    parts = coverbatch.plan(8, c)
    assert [(p.pages, p.cover.material_id if p.cover else None) for p in parts] == [
        ((0, 1), None), ((3, 4), "m1"), ((), "m2"), ((7,), "m3")]
    assert coverbatch.plan(3, []) == []
