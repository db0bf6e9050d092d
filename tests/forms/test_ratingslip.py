"""政务服务评价表 (好差评 on paper): read back from the PDF; the name masked, the five levels and the reasons."""

from __future__ import annotations

from desktop import forms
from desktop.domain import feedback
from tests.forms.conftest import OFFICE, accept, draft, pypdf_text, render, squeeze


def test_the_rating_form_masks_the_name_and_lists_the_levels_and_reasons(module_store):
    case = accept(module_store, draft(module_store, 14, seed=19, name="欧阳䶮𠈌"))
    text = squeeze(pypdf_text(render(module_store, "rating", case)))
    assert "政务服务评价表" in text and case.number in text and "欧阳**" in text
    assert "欧阳䶮" not in text and case.applicant.id_number[-4:] not in text
    assert all(label in text for label in feedback.LEVELS.values())
    assert all(squeeze(label) in text for label in feedback.REASONS.values())
    assert "未开通网上评价" in text  # no rating_url set: the QR holds the number, and the paper says so


def test_the_qr_opens_the_rating_page_by_the_cases_code_never_by_its_number():
    number, code = "439901-W03-20261127-0001", "L4BFe3kyNoO8D2zhTweFtw"
    hub = forms.OfficeInfo(progress_url="https://hub.example.gov.cn/p/{code}")
    assert hub.rating_payload(number, code) == f"https://hub.example.gov.cn/p/{code}/rate"
    assert hub.qr_payload(number, code) == f"https://hub.example.gov.cn/p/{code}"
    older = forms.OfficeInfo(progress_url="https://hub.example.gov.cn/p/{number}")  # an issue-13 setting
    assert older.qr_payload(number, code) == f"https://hub.example.gov.cn/p/{code}"
    county = forms.OfficeInfo(progress_url="https://hub.example.gov.cn/p", rating_url="https://pj.example/{code}")
    assert county.rating_payload(number, code) == f"https://pj.example/{code}"
    assert county.qr_payload(number, code) == f"https://hub.example.gov.cn/p/{code}"
    assert hub.rating_payload(number, "") == number and OFFICE.rating_payload(number, code) == number
