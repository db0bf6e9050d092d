"""The citizen's progress and rating pages on a real hub (loopback): reached by the case's random code only,
nothing personal in the HTML, a plain 404 for anything else, one rating per case that reaches the desk."""

from __future__ import annotations

import datetime as dt
import random
import re

import httpx

from desktop.domain import case as case_mod
from desktop.storage import feedback, publicity
from tests.hub.deskside import new_case


def _synced(store, engine, service: int = 13, seed: int = 19):
    uuid = new_case(store, random.Random(seed), service=service)
    engine.sync_now()
    return store.load(uuid)


def test_the_code_is_random_and_not_the_number(store):
    a, b = (store.load(new_case(store, random.Random(s), service=3)) for s in (1, 2))
    assert len(a.public_code) >= 22 and a.public_code != b.public_code  # token_urlsafe(16): 128 bits
    assert a.number not in a.public_code and a.uuid not in a.public_code


def test_progress_page_shows_state_items_and_publicity_with_the_masked_name_only(store, hub, engine):
    case = _synced(store, engine)
    moved = publicity.start(store, case.uuid, "某某村村务公开栏", actor="测试")
    assert [i.due_date for i in moved.items] == [  # 公示期不计入办理时限: 7 calendar days for 低保
        (dt.date.fromisoformat(i.due_date) + dt.timedelta(days=7)).isoformat() for i in case.items]
    case = moved
    engine.sync_now()
    page = httpx.get(f"{hub.url}/p/{case.public_code}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "我要申请最低生活保障" in html and "已受理" in html and "公示中" in html and "某某村村务公开栏" in html
    assert case_mod.STATES["accepted"] in html and all(i.due_date in html for i in case.items if i.due_date)
    assert case.applicant.name not in html and case.applicant.name[0] + "*" in html
    assert case.applicant.id_number not in html and case.applicant.id_number[-4:] not in html
    assert case.number not in html and (not case.applicant.phone or case.applicant.phone not in html)
    assert not re.search(r"(href|src|action)=\"(https?:)?//", html)  # relative links only: any gateway, any scheme
    assert "<script" not in html


def test_unknown_codes_the_number_and_html_in_codes_get_the_same_plain_404(store, hub, engine):
    case = _synced(store, engine)
    pages = [httpx.get(f"{hub.url}/p/{ref}") for ref in
             ("A" * 22, case.number, case.uuid, "%3Cscript%3E", case.public_code[:-1] + "x")]
    assert {p.status_code for p in pages} == {404} and len({p.text for p in pages}) == 1
    assert "<script>" not in pages[3].text


def test_page_views_are_limited_per_address(store, hub, engine):
    case = _synced(store, engine)
    for _ in range(10):
        assert httpx.get(f"{hub.url}/p/{'B' * 22}").status_code == 404
    refused = httpx.get(f"{hub.url}/p/{case.public_code}")  # unknown codes spent: even a good one waits
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


def test_one_rating_per_case_reaches_the_desk_with_its_rectification(store, hub, engine):
    case = _synced(store, engine, service=3)
    url = f"{hub.url}/p/{case.public_code}/rate"
    assert "非常满意" in httpx.get(url).text
    missing = httpx.post(url, data={"level": "dissatisfied"})
    assert missing.status_code == 422 and "差评原因" in missing.text  # 差评 needs a reason, form kept
    done = httpx.post(url, data={"level": "dissatisfied", "reason": ["runs", "waiting"], "note": "<b>跑了两趟</b>"})
    assert done.status_code == 200 and "评价已提交" in done.text
    again = httpx.post(url, data={"level": "very_satisfied"})
    assert "只能评价一次" in again.text and "只能评价一次" in httpx.get(url).text
    engine.sync_now()
    rated = store.load(case.uuid).ratings
    assert [(r.level, r.channel, r.reasons, r.note) for r in rated] == [
        ("dissatisfied", "qr", ["runs", "waiting"], "<b>跑了两趟</b>")]
    assert rated[0].rectify_due and [v["reason"] for v in feedback.due_visits(store)] == ["bad_rating"]
    assert "您已评价" in httpx.get(f"{hub.url}/p/{case.public_code}").text


def test_a_case_rated_at_the_window_cannot_be_rated_again_on_the_phone(store, hub, engine):
    case = _synced(store, engine, service=3)
    feedback.rate(store, case.uuid, "satisfied", actor="测试")
    engine.sync_now()
    assert "只能评价一次" in httpx.post(f"{hub.url}/p/{case.public_code}/rate", data={"level": "satisfied"}).text


def test_the_hub_refuses_a_payload_whose_code_is_too_short_to_be_random(store):
    from desktop.protocol import schema as syncschema

    case = store.load(new_case(store, random.Random(5), service=3))
    body = {"revision": case.revision, "base_revision": 0, "payload": case.to_dict(), "blobs": []}
    assert syncschema.validate_case_put(case.uuid, body) == []
    body["payload"]["public_code"] = "abc"
    assert any(r.startswith("public_code：") for r in syncschema.validate_case_put(case.uuid, body))
