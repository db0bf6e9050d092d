"""Every name prints, or is flagged at the door: the rare-name set (tests/rarenames.py) through the door check,
`case import`, every printed document, the ledger and day close, sync to a real hub, and search."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop import forms
from desktop.domain.errors import ValidationError
from desktop.forms import fonts, namecheck
from desktop.intake import importer
from desktop.ledger import close
from tests.forms.conftest import OFFICE, draft, pypdf_text
from tests.hub.deskside import hub_cases
from tests.rarenames import ACCEPTED, RARE_NAMES, REFUSED, Rare
from tests.sync.conftest import OFFICE as HUB_OFFICE, engine, hub  # noqa: F401 (fixtures)

TODAY = dt.date.today()


def _import(store, name: str, seed: int = 3):
    """Import a case of service 7 for `name` with one material missing, so that every paper applies."""
    case = draft(store, 7, seed=seed, name=name, missing=1)
    case.application_date = TODAY.isoformat()
    data = {**importer.case_to_json(case), "expect_state": "pending_materials"}
    return importer.import_case(store, data, actor="lixiaolan")


@pytest.mark.parametrize("rare", RARE_NAMES, ids=lambda r: r.what)
def test_the_door_says_what_each_character_will_do(rare: Rare):
    found = namecheck.findings(rare.name, "申请人姓名", "applicant.name")
    if rare.door == "ok":
        assert found == []
        return
    [finding] = found
    assert finding.blocking == (rare.door == "refuse") and finding.code == rare.code
    assert rare.code.split()[-1] in finding.message and "申请人姓名" in finding.message
    assert "“”" not in finding.message and "\U000e01ef" not in finding.message  # nothing invisible in quotes
    bad = chr(int(rare.code.split()[-1][2:], 16))
    if fonts.font_for(bad) is None:
        assert bad not in finding.message  # a character that would show as a box is named by its code point
    if rare.door == "refuse":
        assert "造字" in finding.message or "请改用汉字“人”（U+4EBA）" in finding.message


@pytest.mark.parametrize("rare", REFUSED, ids=lambda r: r.what)
def test_import_refuses_an_unprintable_name_and_writes_nothing(store, rare: Rare):
    with pytest.raises(ValidationError) as caught:
        _import(store, rare.name)
    assert caught.value.field == "applicant.name" and rare.code in caught.value.message
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_import_refuses_an_unprintable_proxy_name_or_address_too(store):
    case = draft(store, 7, seed=4)
    case.proxy.name = "罗\ue000明"
    with pytest.raises(ValidationError, match=r"代办人姓名.*U\+E000"):
        importer.import_case(store, importer.case_to_json(case))
    case = draft(store, 7, seed=5)
    case.applicant.address = "白水乡⿰木木村"
    with pytest.raises(ValidationError, match=r"申请人住址.*U\+2FF0"):
        importer.import_case(store, importer.case_to_json(case))


def _printed(store, kind: str, uuid: str) -> str:
    pdf = forms.render(kind, store.load(uuid), store.catalog, office_info=OFFICE, events=store.events(uuid))
    return pypdf_text(pdf)


def test_every_accepted_name_prints_on_every_document_and_reads_back(store):
    for n, rare in enumerate(ACCEPTED):
        uuid = _import(store, rare.name, seed=n).uuid
        for kind in ("receipt", "consent", "notice", "cover"):
            assert rare.printed in _printed(store, kind, uuid), (rare.what, kind)
        for action, kind in (("suspend", "suspend"), ("resume", "resume"), ("terminate", "close")):
            store.transition(uuid, action, actor="lixiaolan", reason="申请人撤回申请" if action != "resume" else "")
            assert rare.printed in _printed(store, kind, uuid), (rare.what, kind)


def test_ledger_and_day_close_go_on_past_a_name_no_font_draws(store):
    cases = [_import(store, rare.name, seed=n) for n, rare in enumerate(ACCEPTED)]
    legacy = draft(store, 7, seed=40, name="马\ue000")  # from before the door check: the store itself takes it
    legacy.application_date = TODAY.isoformat()
    legacy = store.accept(legacy, actor="lixiaolan")
    closure = close.close_day(store, TODAY, actor="lixiaolan")
    text = pypdf_text(close.closure_pdf(store, closure))
    flat = text.replace("\n", "")
    assert "马[U+E000]" in flat and legacy.number in flat and "无法打印的字符" in flat
    for case, rare in zip(cases, ACCEPTED, strict=True):
        assert case.number in flat
        if rare.printed.isascii() or all(ord(c) < 0xE0000 for c in rare.printed):
            assert rare.printed in flat, rare.what


def test_every_accepted_name_reaches_the_hub_exactly(store, hub, engine):  # noqa: F811 (fixtures)
    uuids = {_import(store, rare.name, seed=n).uuid: rare.name for n, rare in enumerate(ACCEPTED)}
    assert engine.sync_now().ok
    on_hub = hub_cases(hub.engine)
    assert {u: on_hub[u]["payload"]["applicant"]["name"] for u in uuids} == uuids


@pytest.mark.parametrize(("query", "rare"), [
    ("王𠈌", "王𠈌"), ("𠈌", "王𠈌"), ("wy", "王𠈌"), ("wx", "王𠈌"), ("䶮", "张䶮"), ("\U00030000", "赵\U00030000"),
    ("吴\uf900", "吴\uf900"), ("吴\u8c48", "吴\uf900"), ("\u8c48", "吴\uf900"), ("葛明", "葛\U000e0100明"),
    ("明", "葛\U000e0100明"), ("秀英", "王秀英"), ("wxy", "王秀英"),
])
def test_a_name_is_found_by_any_part_normalised(store, query, rare):
    for n, r in enumerate(ACCEPTED):
        _import(store, r.name, seed=n)
    found = {row["applicant_name"] for row in store.search(query)}
    assert rare in found, (query, found)
