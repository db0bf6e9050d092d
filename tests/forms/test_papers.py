"""The hall's papers are right (issue 13): 收件凭证 vs 受理回执, 容缺受理, 不予受理通知书, identity originals,
calendar-day limits; each read back from the PDF."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.case import MaterialState
from desktop.domain.errors import ValidationError
from desktop.forms import printing
from desktop.intake import supplement
from tests.forms.conftest import ACCEPTED_AT, accept, draft, pypdf_text, render, squeeze


def _text(store, kind, case) -> str:
    return squeeze(pypdf_text(render(store, kind, case)))


def test_a_paper_issued_while_materials_are_missing_is_a_receipt_of_materials_not_of_acceptance(module_store):
    case = accept(module_store, draft(module_store, 3, seed=31, missing=1))
    assert case.state == "pending_materials"
    text = _text(module_store, "receipt", case)
    assert "收件凭证（申请人联）" in text and "收件凭证（存根联）" in text
    assert "不作为受理凭证" in text and "受理回执（申请人联）" not in text
    assert "收件编号" in text and "受理编号" not in text
    supplement.receive(module_store, case.uuid, {m: ("original", 1) for m in case.missing}, actor="lixiaolan",
                       now=ACCEPTED_AT + dt.timedelta(days=2))
    text = _text(module_store, "receipt", case)
    assert "受理回执（申请人联）" in text and "收件凭证" not in text


def test_a_receipt_after_a_receipt_of_materials_is_not_a_reprint(module_store):
    case = accept(module_store, draft(module_store, 3, seed=32, missing=1))
    printing.record(module_store, printing.prepare(module_store, case.uuid, "receipt"))
    again = printing.prepare(module_store, case.uuid, "receipt")
    assert again.reprint and again.paper == "收件凭证"
    supplement.receive(module_store, case.uuid, {m: ("original", 1) for m in case.missing}, actor="lixiaolan")
    assert not printing.prepare(module_store, case.uuid, "receipt").reprint


def test_tolerated_missing_material_gives_an_accepted_case_and_a_marked_receipt(module_store):
    data = draft(module_store, 7, seed=71)
    data.materials.pop("bank_card", None)
    case = accept(module_store, data)
    assert case.missing == ["bank_card"] and case.state == "accepted"
    assert all(i.due_date for i in case.items)
    text = _text(module_store, "receipt", case)
    assert "受理回执（容缺受理）（申请人联）" in text
    assert "本件按容缺受理：社会保障卡或银行卡可于" in text


def test_refusal_notice_states_reason_basis_and_remedies(module_store):
    data = draft(module_store, 14, seed=141, missing=1)
    data.answers["identity"] = "特困"
    data.ineligible_reason = "申请人坚持提交"
    case = accept(module_store, data)
    with pytest.raises(ValidationError, match="没有“不予受理”"):
        render(module_store, "refusal", case)
    with pytest.raises(ValidationError, match="不予受理须填写原因"):
        module_store.transition(case.uuid, "refuse", actor="lixiaolan")
    module_store.transition(case.uuid, "refuse", actor="lixiaolan", reason="申请人已纳入特困供养")
    text = _text(module_store, "refusal", case)
    assert "不予受理通知书" in text and "理由：申请人已纳入特困供养。" in text
    assert "【依据】本事项的办理条件：①已是特困人员的，不需要再申请" in text
    assert "六十日内向演示县人民政府申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text
    assert "行政诉讼法》第四十六条" in text and "已退还（签收）" in text
    assert module_store.load(case.uuid).state == "terminated"


def test_receipt_never_says_the_hall_kept_an_identity_original(module_store):
    data = draft(module_store, 3, seed=33)
    data.materials["id_card"] = MaterialState(received="original", count=1)
    data.materials["hukou_book"] = MaterialState(received="verified_copy", count=1)
    case = accept(module_store, data)
    text = _text(module_store, "receipt", case)
    assert "居民身份证原件核验后退还1" in text
    assert "居民户口簿验原件收复印件1" in text
    assert "居民身份证原件1" not in text


@pytest.mark.parametrize(("number", "days"), [(19, 15), (4, 7)])
def test_calendar_day_limits_have_a_due_date_and_the_receipt_says_which_days(module_store, number, days):
    case = accept(module_store, draft(module_store, number, seed=190 + days))
    assert case.state == "accepted"
    due = dt.date.fromisoformat(case.items[0].due_date)
    assert due >= ACCEPTED_AT.date() + dt.timedelta(days=days) and (due - ACCEPTED_AT.date()).days <= days + 7
    text = _text(module_store, "receipt", case)
    assert f"{days}日（自然日）" in text
    assert "“自然日”连续计算，期满日逢法定节假日顺延" in text and "“工作日”不含" not in text


def test_receipt_prints_delivery_complaint_line_and_progress_qr(module_store):
    from desktop import forms as forms_mod
    from tests.forms.conftest import OFFICE

    data = draft(module_store, 7, seed=72)
    data.delivery = "agent"
    case = accept(module_store, data)
    office = forms_mod.OfficeInfo(**{**OFFICE.__dict__, "complaint_phone": "0731-12345678",
                                     "progress_url": "https://hub.example/p/{code}"})
    text = squeeze(pypdf_text(render(module_store, "receipt", case, office_info=office)))
    assert "结果领取方式：代办员送达" in text
    assert "【监督投诉】0731-12345678" in text and "扫描右上角二维码查询" in text
    assert office.qr_payload(case.number, case.public_code) == f"https://hub.example/p/{case.public_code}"
    assert OFFICE.qr_payload(case.number, case.public_code) == case.number  # no hub page: the number alone


def test_consent_names_staff_by_job_number_and_the_agents_service_point(module_store):
    case = accept(module_store, draft(module_store, 3, seed=34))  # village agent 罗德明
    text = _text(module_store, "consent", case)
    assert "工号" in text and f"{case.applicant.township}{case.applicant.village}便民服务站" in text
    assert "归还日期" in text and "委托人签收" in text
    assert "授权委托书" not in text.split("附：材料交接清单")[1]


def test_consent_says_which_relative_the_proxy_is(module_store):
    """居住证 may be applied for only by the person, a guardian or a close relative: the 委托书 names the relation
    the clerk typed (儿子), not only the kind (近亲属/监护人)."""
    case = accept(module_store, draft(module_store, 19, seed=37))  # a close relative: 罗德明, 儿子
    assert case.proxy_kind == "relative" and case.proxy.relation == "儿子"
    text = _text(module_store, "consent", case)
    assert "罗德明（近亲属/监护人）" in text and "与委托人关系" in text and "儿子" in text


def test_a_minors_notice_names_the_guardian_who_brings_the_materials(module_store):
    """The 一次性告知书 of an orphan's case went to the child alone: the guardian, who brings the rest, was on the
    receipt but not on the notice."""
    case = accept(module_store, draft(module_store, 11, seed=38, proxy=False, missing=1))
    g = case.guardian
    assert g is not None and g.relation
    text = _text(module_store, "notice", case)
    assert f"监护人{g.name}（{g.relation}）" in text
    assert f"{case.applicant.name}（监护人{g.name}）：" in text
    module_store.transition(case.uuid, "refuse", actor="lixiaolan", reason="不符合孤儿认定条件")
    assert f"监护人{g.name}（{g.relation}）" in _text(module_store, "refusal", module_store.load(case.uuid))


def test_a_minors_slips_name_the_guardian(module_store):
    case = accept(module_store, draft(module_store, 11, seed=40, proxy=False))
    g = case.guardian
    module_store.transition(case.uuid, "suspend", actor="lixiaolan", reason="等待入户调查",
                            now=ACCEPTED_AT + dt.timedelta(days=1))
    assert f"监护人{g.name}（{g.relation}）" in _text(module_store, "suspend", module_store.load(case.uuid))


def test_the_receipt_names_a_relatives_relation(module_store):
    case = accept(module_store, draft(module_store, 19, seed=39))  # a close relative: 罗德明, 儿子
    assert "代办人罗德明（近亲属/监护人：儿子）" in _text(module_store, "receipt", case)


def test_suspend_slip_states_the_days_left_and_the_case_view_the_paused_deadline(module_store):
    from desktop.domain import views

    case = accept(module_store, draft(module_store, 13, seed=35))
    module_store.transition(case.uuid, "suspend", actor="lixiaolan", reason="等待入户调查",
                            now=ACCEPTED_AT + dt.timedelta(days=7))  # 5 working days after 27 Nov 2026
    case = module_store.load(case.uuid)
    text = _text(module_store, "suspend", case)
    assert "剩余办理时限" in text and "25个工作日（自续办之日起继续计算）" in text and "（单位印章）" in text
    detail = views.detail(case, module_store.catalog.service(case.service))
    assert detail["items"][0]["paused_remaining"] == "25个工作日"


def test_close_slip_prints_the_result_and_the_delivery_the_case_knows(module_store):
    data = draft(module_store, 3, seed=36)
    data.delivery = "post"
    case = accept(module_store, data)
    module_store.transition(case.uuid, "complete", actor="lixiaolan", now=ACCEPTED_AT + dt.timedelta(days=9))
    text = _text(module_store, "close", case)
    assert "☑邮寄" in text and "☐窗口自取" in text
    assert "办理结果上列1个事项均已办结" in text and "（单位印章）" in text


def _lines(page) -> list[tuple[float, str]]:
    """(baseline y in points, text) of each text run drawn on a PDF page."""
    found: list[tuple[float, str]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append((tm[5] * cm[3] + cm[5], text))
                      if text.strip() else None)
    return found


@pytest.mark.parametrize("number", [12, 13, 7])
def test_every_page_of_a_long_consent_has_the_signature_line_and_nothing_under_it(module_store, number):
    """The longest realistic 委托书: every material received, a guardian, the longest items (7 has three), long
    names with rare characters (䶮 𠈌) and a long address: two pages or more, each signed; the 授权书 after it
    (13) is its own paper and signs itself."""
    import io

    from pypdf import PdfReader

    from desktop.forms import page as page_mod

    data = draft(module_store, number, seed=5, all_materials=True)
    data.applicant.name, data.proxy.name = "欧阳䶮𠈌", "司马𠈌䶮"
    data.applicant.address = "湖南省演示县青山铺镇茶园村第十七村民小组䶮家冲𠈌屋场一百二十八号附三号（原茶园村小学旁）"
    if data.guardian:
        data.guardian.name = "诸葛䶮明"
    pages = PdfReader(io.BytesIO(render(module_store, "consent", accept(module_store, data)))).pages
    mandate = [p for p in pages if "家庭经济状况查询核对授权书" not in squeeze(p.extract_text())]
    assert len(mandate) >= 2 and (number != 13 or len(pages) == len(mandate) + 1)
    body_bottom = page_mod.MARGIN_BOTTOM + page_mod.SIGN_H
    for page in pages:
        text, lines = squeeze(page.extract_text()), _lines(page)
        if page in mandate:
            assert "每页签字确认委托人（或监护人）：受托人：" in text and f"本委托书共{len(mandate)}页" in text
            sign_y = next(y for y, t in lines if t.startswith("每页"))
            assert page_mod.MARGIN_BOTTOM < sign_y < body_bottom - 6  # above the footer, below the body
            assert all(y >= body_bottom - 3 for y, t in lines if y > sign_y + 1), "the body runs into the line"
        else:
            assert "每页签字确认" not in text and "申请人签字" in text
