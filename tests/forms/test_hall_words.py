"""What a hall would strike out on the papers (qa2): each read back from the PDF with pypdf and pdftotext."""

from __future__ import annotations

import datetime as dt

from desktop import forms
from tests.forms.conftest import ACCEPTED_AT, accept, draft, poppler, pypdf_text, render, squeeze

T = ACCEPTED_AT + dt.timedelta(days=3)


def _texts(store, kind, case, tmp_path, **kw) -> list[str]:
    pdf = render(store, kind, case, **kw)
    return [squeeze(pypdf_text(pdf)), squeeze(poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8"))]


def test_slips_of_a_case_the_person_applied_for_speak_of_the_applicant_not_a_mandate(module_store, tmp_path):
    store = module_store
    done = accept(store, draft(store, 13, seed=1301, proxy=False))
    store.transition(done.uuid, "suspend", actor="lixiaolan", reason="入户调查", now=T)
    store.transition(done.uuid, "resume", actor="lixiaolan", now=T + dt.timedelta(days=7))
    store.transition(done.uuid, "complete", actor="lixiaolan", now=T + dt.timedelta(days=12))
    stopped = accept(store, draft(store, 13, seed=1302, proxy=False))
    store.transition(stopped.uuid, "terminate", actor="lixiaolan", reason="申请人撤回申请", now=T)
    for kind, case, title in (("suspend", done, "中止单"), ("resume", done, "续办单"), ("close", done, "办结单"),
                              ("close", stopped, "终止单")):
        for text in _texts(store, kind, case, tmp_path):
            assert "本人申请（无代办人）" in text
            text = text.replace("本人申请（无代办人）", "").replace("代办员送达", "")  # a delivery choice
            assert "委托" not in text and "受托人" not in text and "代办" not in text, (kind, title)
            assert title in text and "申请人（或监护人）" in text, (kind, title)


def test_slips_of_a_proxy_case_keep_the_mandate(module_store, tmp_path):
    store = module_store
    stopped = accept(store, draft(store, 13, seed=1303))
    store.transition(stopped.uuid, "terminate", actor="lixiaolan", reason="申请人撤回申请", now=T)
    for text in _texts(store, "close", stopped, tmp_path):
        assert "代办服务终止单" in text and "本次代办委托关系同时终止" in text and "受托人（代办人）签字" in text


def test_a_suspension_slip_printed_again_after_resumption_names_the_state_it_stopped(module_store, tmp_path):
    store = module_store
    case = accept(store, draft(store, 3, seed=3301))
    store.transition(case.uuid, "submit", actor="lixiaolan", now=T)
    store.transition(case.uuid, "start", actor="lixiaolan", now=T)
    store.transition(case.uuid, "suspend", actor="lixiaolan", reason="等待残疾评定结论", now=T)
    first = _texts(store, "suspend", case, tmp_path)[0]
    left = first[first.index("剩余办理时限"):first.index("中止原因")]
    store.transition(case.uuid, "resume", actor="lixiaolan", now=T + dt.timedelta(days=7))
    store.transition(case.uuid, "complete", actor="lixiaolan", now=T + dt.timedelta(days=9))
    for text in _texts(store, "suspend", case, tmp_path):
        assert "中止前状态" in text and "办理中" in text and left in text  # 办理中 nowhere else on the slip


def test_the_notice_says_where_to_bring_materials_without_nested_brackets(module_store, tmp_path):
    case = accept(module_store, draft(module_store, 7, seed=7301, missing=2))
    office = forms.OfficeInfo(office="演示县政务服务中心", county_name="演示县", phone="0739-5201234",
                              address="演示县政务服务中心一楼绿色通道（县府路8号）")
    for text in _texts(module_store, "notice", case, tmp_path, office_info=office):
        assert "【提交地点】演示县政务服务中心W03窗口，地址：演示县政务服务中心一楼绿色通道（县府路8号），联系电话0739-5201234。" in text


def test_the_refusal_names_the_12345_line_once(module_store, tmp_path):
    case = accept(module_store, draft(module_store, 7, seed=7302, missing=1))
    module_store.transition(case.uuid, "refuse", actor="lixiaolan", reason="户籍不在本县", now=T)
    office = forms.OfficeInfo(office="演示县政务服务中心", county_name="演示县", phone="0739-5201234",
                              complaint_phone="12345")
    for text in _texts(module_store, "refusal", case, tmp_path, office_info=office):
        assert text.count("12345") == 1 and "监督投诉电话12345" in text


def test_the_rating_form_without_a_rating_page_does_not_ask_to_scan_it_on_a_phone(module_store, tmp_path):
    case = accept(module_store, draft(module_store, 14, seed=1401))
    for text in _texts(module_store, "rating", case, tmp_path):
        assert "可在手机上评价" not in text and "未开通网上评价，请填写本表交回窗口" in text


def test_the_notice_names_the_items_a_material_is_for_only_when_it_is_not_for_all(module_store, tmp_path):
    case = accept(module_store, draft(module_store, 7, seed=7303, missing=3))
    assert len(case.items) == 3 and len(case.missing) >= 3
    for text in _texts(module_store, "notice", case, tmp_path):
        assert all(squeeze(item.name) not in text for item in case.items)
        assert text.count("本件各事项") == len(case.missing)


def test_the_mandate_of_a_relative_names_the_relation_not_an_empty_unit(module_store, tmp_path):
    case = accept(module_store, draft(module_store, 19, seed=1901))
    assert case.proxy_kind == "relative" and case.proxy.relation == "儿子"
    for text in _texts(module_store, "consent", case, tmp_path):
        assert "与委托人关系" in text and "儿子" in text and "所在单位" not in text
