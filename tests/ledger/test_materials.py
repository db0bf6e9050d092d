"""A case in 补正 on the ledger lists what was really received (name, how, count) and what is still missing:
in the rows, on the PDF, in the XLSX, and through a real hub (whose summary carries material ids, not names)."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import pytest
from openpyxl import load_workbook

from desktop.domain import catalog as catalog_mod
from desktop.domain.case import MaterialState
from desktop.intake import supplement
from desktop.ledger import close as ledger_close, query as ledger, xlsx as ledger_xlsx
from desktop.storage import settings
from desktop.storage.store import Store
from desktop.sync import engine as sync, state as syncstate
from hub import devices
from hub.config import HubConfig
from tests.forms.conftest import draft, pypdf_text, squeeze
from tests.hub.servers import ThreadedHub
from tests.ledgerdata import at

DAY = dt.date.today()
OFFICE = "演示县政务服务中心"
RECEIVED = "已收：居民身份证（验原件收复印件1份）、居民户口簿（复印件2份）、近期2寸免冠白底彩色照片（原件4份）"


@pytest.fixture
def desk(tmp_path) -> Store:
    store = Store.open(tmp_path / "desk", catalog_mod.load())
    for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", OFFICE)):
        settings.set_value(store.db, key, value)
    yield store
    store.close()


def in_supplement(store: Store) -> str:
    """A 残疾人证 case: identity papers and photos in, the application form and the medical paper missing."""
    case = draft(store, 3, seed=31)
    case.materials = {"id_card": MaterialState("verified_copy", 1), "hukou_book": MaterialState("copy", 2),
                      "photo": MaterialState("original", 4)}
    accepted = store.accept(case, actor="lixiaolan", now=at(DAY, 9, 0))
    assert accepted.state == "pending_materials"
    return accepted.uuid


def missing_names(store: Store, uuid: str) -> str:
    case = store.load(uuid)
    return "、".join(store.catalog.service(3).material(m).name for m in case.missing)


def test_a_case_in_supplement_lists_what_was_received_and_what_is_missing(desk):
    uuid = in_supplement(desk)
    missing = missing_names(desk, uuid)
    assert "《中华人民共和国残疾人证申请表》" in missing
    row = ledger.query(desk, ledger.Filters(DAY, DAY)).rows[0]
    assert row.materials_lines == ("补正", RECEIVED, f"尚缺：{missing}")
    assert row.materials_text == f"补正，{RECEIVED}；尚缺：{missing}"

    result = ledger.query(desk, ledger.Filters(DAY, DAY))
    text = squeeze(pypdf_text(ledger.render_pdf(result)))
    assert squeeze(RECEIVED) in text and squeeze(f"尚缺：{missing}") in text and "种" not in text
    sheet = load_workbook(io.BytesIO(ledger_xlsx.write(result)))["台账"]
    assert sheet.cell(3, 13).value == row.materials_text

    # one of the two arrives: it is listed as received, the other still missing
    first = desk.load(uuid).missing[0]
    supplement.receive(desk, uuid, {first: ("original", 1)}, actor="lixiaolan")
    row = ledger.query(desk, ledger.Filters(DAY, DAY)).rows[0]
    name = desk.catalog.service(3).material(first).name
    assert f"{name}（原件1份）" in row.materials_lines[1] and name not in row.materials_lines[2]
    assert row.materials_lines[2] == f"尚缺：{missing_names(desk, uuid)}"


def test_the_day_close_keeps_the_short_form_so_old_closures_stay_comparable(desk):
    uuid = in_supplement(desk)
    closure = ledger_close.close_day(desk, DAY, actor="zhangli")
    snapshot = desk.db.execute("SELECT snapshot FROM closure_cases WHERE closure_id = ?", [closure.id]).fetchone()[0]
    assert f'"materials": "补正（缺{len(desk.load(uuid).missing)}种）"' in snapshot
    assert ledger_close.revisions(desk, DAY).changes == ()


def test_through_a_real_hub_the_summary_carries_ids_and_the_ledger_the_same_names(tmp_path, desk):
    config = HubConfig(data_dir=tmp_path / "hub", db_url=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    with ThreadedHub(config) as hub:
        sync.connect(desk, hub.url, devices.add(hub.engine, "W03-设备", OFFICE, 1))
        uuid = in_supplement(desk)
        complete = draft(desk, 3, seed=32)
        desk.accept(complete, actor="lixiaolan", now=at(DAY, 10, 0))
        assert sync.SyncEngine(desk).sync_now().ok
        token = syncstate.get(desk.db, "token")
        answer = httpx.get(hub.url + "/v1/ledger", headers={"Authorization": f"Bearer {token}"},
                           params={"date_from": DAY.isoformat(), "date_to": DAY.isoformat()}).json()
        summaries = {c["uuid"]: c for c in answer["cases"]}
        mine = summaries.pop(uuid)
        assert mine["missing_ids"] == desk.load(uuid).missing and mine["missing"] == len(mine["missing_ids"]) > 1
        assert sorted(mine["received"]) == [["hukou_book", "copy", 2], ["id_card", "verified_copy", 1], ["photo", "original", 4]]
        assert [(c["missing_ids"], c["received"]) for c in summaries.values()] == [([], [])]  # complete: nothing more

        local = ledger.query(desk, ledger.Filters(DAY, DAY), hub="local")
        result = ledger.query(desk, ledger.Filters(DAY, DAY), hub="hub")
        assert result.source == "hub" and result.rows[0].sync == "synced"
        assert [r.materials_lines for r in result.rows] == [r.materials_lines for r in local.rows]
        assert result.rows[0].materials_lines[1] == RECEIVED and result.rows[1].materials_lines == ("齐全",)
