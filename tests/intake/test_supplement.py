"""补正 records which materials arrived, keeps the rest missing, and accepts only when nothing required is missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.domain.errors import ValidationError
from desktop.intake import documents, supplement
from tests.forms.conftest import PRINTED_AT, draft, pypdf_text, squeeze
from tests.scanfiles import DAY, image_bytes, settle


def _pending(store, missing: int = 2):
    """A 残疾人证 case accepted with its last `missing` required materials not brought: 补正中."""
    case = store.accept(draft(store, 3, seed=7, missing=missing), actor="测试", now=DAY)
    assert case.state == "pending_materials" and len(case.missing) == missing
    return case


def _receipt(store, case) -> str:
    from desktop import forms

    case = store.load(case.uuid)
    return squeeze(pypdf_text(forms.render("receipt", case, store.catalog, events=store.events(case.uuid),
                                           printed_at=PRINTED_AT)))


def test_each_material_that_arrives_is_recorded_and_the_rest_stay_missing(store):
    case = _pending(store)
    first, second = case.missing
    later = DAY + dt.timedelta(days=2)
    case = supplement.receive(store, case.uuid, {first: ("verified_copy", 2)}, actor="李晓兰", now=later)
    assert case.state == "pending_materials" and case.missing == [second]
    assert (case.materials[first].received, case.materials[first].count) == ("verified_copy", 2)
    assert all(i.due_date is None for i in case.items)
    (event,) = [e for e in store.events(case.uuid) if e["kind"] == "supplement_received"]
    assert event["detail"] == {"materials": [{"id": first, "received": "verified_copy", "count": 2}],
                               "still_missing": [second]}
    name = store.catalog.service(3).material(first).name
    assert "收件凭证" in _receipt(store, case) and f"{name}验原件收复印件2" in _receipt(store, case)
    with pytest.raises(ValidationError, match="尚缺补正材料"):
        store.transition(case.uuid, "materials_received", actor="李晓兰")
    assert store.load(case.uuid).state == "pending_materials"
    case = supplement.receive(store, case.uuid, {second: ("original", 1)}, actor="李晓兰", now=later)
    assert case.state == "accepted" and case.missing == [] and all(i.due_date for i in case.items)
    text = _receipt(store, case)
    assert "受理回执（申请人联）" in text and f"{name}验原件收复印件2" in text


def test_bad_supplement_input_is_refused_in_chinese_and_changes_nothing(store):
    case = _pending(store, missing=1)
    revision = store.load(case.uuid).revision
    for bad, message in (({}, "至少选择"), ({"nope": ("original", 1)}, "没有材料"),
                         ({case.missing[0]: ("kept", 1)}, "接收方式"), ({case.missing[0]: ("original", 0)}, "份数")):
        with pytest.raises(ValidationError, match=message):
            supplement.receive(store, case.uuid, bad)
    assert store.load(case.uuid).revision == revision


def test_the_last_missing_material_arriving_as_a_scan_accepts_the_case(store, tmp_path: Path):
    case = _pending(store, missing=1)
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "补正.jpg").write_bytes(image_bytes("JPEG", 3))
    (doc_id,) = [a["document"] for a in settle(store, folder).accepted]
    documents.file(store, doc_id, case.number, case.missing[0], actor="李晓兰")
    fresh = store.load(case.uuid)
    assert fresh.state == "accepted" and fresh.missing == [] and all(i.due_date for i in fresh.items)
