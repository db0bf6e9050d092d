"""Every document for every service renders from a real accepted case, and reads back exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import forms
from desktop.domain.errors import ValidationError
from desktop.domain.idnumber import mask_id
from tests.forms.conftest import ACCEPTED_AT, accept, draft, pages, poppler, pypdf_text, render, squeeze

SERVICES = range(1, 21)


@pytest.fixture(scope="module")
def lifecycle(module_store):
    """Per service: a case taken through 中止 → 续办 → 办结, one terminated, one waiting for materials."""
    store, made = module_store, {}
    for number in SERVICES:
        done = accept(store, draft(store, number, seed=number))
        t = ACCEPTED_AT + dt.timedelta(days=3)
        store.transition(done.uuid, "suspend", actor="lixiaolan", reason="等待申请人补充户籍证明", now=t)
        store.transition(done.uuid, "resume", actor="lixiaolan", now=t + dt.timedelta(days=7))
        store.transition(done.uuid, "complete", actor="lixiaolan", now=t + dt.timedelta(days=12))
        stopped = accept(store, draft(store, number, seed=100 + number))
        store.transition(stopped.uuid, "terminate", actor="lixiaolan", reason="申请人撤回申请", now=t)
        pending = accept(store, draft(store, number, seed=200 + number, missing=1))
        assert pending.state == "pending_materials" and pending.missing
        made[number] = {"done": done, "stopped": stopped, "pending": pending}
    return made


def documents(store, cases):
    yield "receipt", cases["done"], render(store, "receipt", cases["done"])
    yield "consent", cases["done"], render(store, "consent", cases["done"])
    yield "notice", cases["pending"], render(store, "notice", cases["pending"])
    yield "cover", cases["done"], render(store, "cover", cases["done"])
    for kind in ("suspend", "resume", "close"):
        yield kind, cases["done"], render(store, kind, cases["done"])
    yield "close", cases["stopped"], render(store, "close", cases["stopped"])


@pytest.mark.parametrize("number", SERVICES)
def test_every_document_renders_and_reads_back(module_store, lifecycle, number, tmp_path):
    for kind, case, pdf in documents(module_store, lifecycle[number]):
        assert pdf.startswith(b"%PDF-"), kind
        for text in (pypdf_text(pdf), poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8")):
            assert case.number in text, (kind, "case number")
            assert case.applicant.name in text, (kind, "applicant name")
            if kind != "consent":  # the 委托书 shows it in full unless the county chose to mask it
                assert case.applicant.id_number not in text, (kind, "full ID number printed")


def test_receipt_says_what_the_citizen_needs(module_store, lifecycle, tmp_path):
    case = module_store.load(lifecycle[7]["done"].uuid)
    text = poppler("pdftotext", render(module_store, "receipt", case), tmp_path, "-enc", "UTF-8")
    assert "申请人联" in text and "存根联" in text and "裁" in text
    assert mask_id(case.applicant.id_number) in text
    for item in case.items:
        assert item.code in text
    assert "民政部门、残联" in squeeze(text)
    assert "罗德明" in text and "13907301234" in text
    assert "12345" in text and "0731-88886666" in text
    assert "预计办结日期" in text and "35个工作日" in text


def test_receipt_and_stub_fit_one_a4_page_for_a_typical_case(module_store):
    case = accept(module_store, draft(module_store, 19, seed=5))
    assert pages(render(module_store, "receipt", case)) == 1


def test_due_dates_in_a_year_without_a_schedule_are_marked_estimates(module_store, tmp_path):
    late = accept(module_store, draft(module_store, 13, seed=31))  # 30 working days from 27 Nov 2026: 2027
    early = accept(module_store, draft(module_store, 13, seed=32), when=dt.datetime(2026, 3, 2, 9).astimezone())
    assert "估算" in pypdf_text(render(module_store, "receipt", late))
    assert "估算" not in pypdf_text(render(module_store, "receipt", early))


def test_consent_masks_the_principal_id_only_when_the_county_chooses(module_store, lifecycle):
    case = module_store.load(lifecycle[3]["done"].uuid)
    plain = pypdf_text(render(module_store, "consent", case))
    masked = pypdf_text(render(module_store, "consent", case,
                               office_info=forms.OfficeInfo(office="演示县政务服务中心", consent_mask_id=True)))
    assert case.applicant.id_number in plain
    assert case.applicant.id_number not in masked and mask_id(case.applicant.id_number) in masked


def test_consent_has_the_separate_consent_and_the_family_finance_page_only_for_13_and_14(module_store, lifecycle):
    for number in SERVICES:
        text = pypdf_text(render(module_store, "consent", lifecycle[number]["done"]))
        assert "个人信息处理单独同意" in text and "受托人无转委托权" in text and "免费" in text
        assert ("家庭经济状况查询核对授权书" in text) == (number in (13, 14)), number


def test_notice_lists_each_missing_material_with_its_requirement_and_deadline(module_store, lifecycle):
    case = lifecycle[13]["pending"]
    material = module_store.catalog.service(13).material(case.missing[0])
    text = pypdf_text(render(module_store, "notice", case))
    assert material.name in text and material.form in text
    assert f"{int(case.notice_deadline[5:7])}月{int(case.notice_deadline[8:])}日" in text
    assert "演示县人民路88号" in text


def test_state_slips_carry_reason_and_dates(module_store, lifecycle):
    case = lifecycle[1]["done"]
    assert "等待申请人补充户籍证明" in pypdf_text(render(module_store, "suspend", case))
    assert "续办日期" in pypdf_text(render(module_store, "resume", case))
    assert "代办服务办结单" in pypdf_text(render(module_store, "close", case))
    stopped = pypdf_text(render(module_store, "close", lifecycle[1]["stopped"]))
    assert "代办服务终止单" in stopped and "申请人撤回申请" in stopped


def test_documents_that_do_not_apply_are_refused_in_chinese(module_store, lifecycle):
    store = module_store
    self_case = accept(store, draft(store, 1, seed=41, proxy=False))
    refusals = [
        ("consent", self_case, "本人申请"),
        ("notice", lifecycle[1]["done"], "材料已齐全"),
        ("close", lifecycle[1]["pending"], "尚未办结或终止"),
        ("suspend", lifecycle[1]["stopped"], "没有“中止”"),
        ("nonsense", self_case, "没有名为"),
    ]
    for kind, case, words in refusals:
        with pytest.raises(ValidationError, match=words):
            render(store, kind, case)
    with pytest.raises(ValidationError, match="草稿"):
        forms.render("receipt", draft(store, 1), store.catalog)


def test_reprint_says_so_on_every_page(module_store, lifecycle):
    case = lifecycle[12]["done"]
    pdf = render(module_store, "cover", case, reprint=True)
    import io

    from pypdf import PdfReader

    texts = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) > 1 and all("补 打" in t or "补打" in t for t in texts)
    assert "补打" not in pypdf_text(render(module_store, "cover", case))
