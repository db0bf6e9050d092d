"""Catalog versions: every build has a version and a content hash; build --check; what changed (catalog diff)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from desktop.cli.main import main
from desktop.domain import catalog as catalog_mod, catalogdiff, paths
from desktop.storage.catalog_build import build
from tests.countycatalog import county_catalog, county_source


def _meta(path):
    conn = sqlite3.connect(path)
    try:
        return catalog_mod.read_meta(conn), catalog_mod.content_hash(conn, catalog_mod.read_meta(conn)["version"])
    finally:
        conn.close()


def test_a_build_has_a_version_and_a_hash_of_its_content_not_of_its_bytes(tmp_path):
    one, two = tmp_path / "one.sqlite", tmp_path / "two.sqlite"
    build(paths.catalog_source_dir(), one)
    build(paths.catalog_source_dir(), two)
    (meta, recomputed) = _meta(one)
    assert meta["version"] == "2026.1" and meta["hash"] == recomputed == _meta(two)[0]["hash"]
    assert meta["hash"] != hashlib.sha256(one.read_bytes()).hexdigest()
    assert catalog_mod.load(one).version == "2026.1" and catalog_mod.load(one).hash == meta["hash"]
    county = _meta(county_catalog(tmp_path))[0]
    assert county["version"] == "2026.2-县1" and county["hash"] != meta["hash"]


def test_build_check_passes_the_worked_example_and_names_the_file_of_a_fault(tmp_path, capsys):
    src = county_source(tmp_path)
    assert main(["catalog", "build", "--check", "--source", str(src)]) == 0
    assert "检查通过：版本 2026.2-县1，共 21 件一件事" in capsys.readouterr().out
    extra = src / "services" / "102.toml"
    extra.write_text((src / "services" / "101.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["catalog", "build", "--check", "--source", str(src)]) == 1
    assert "一件事编号重复：101（101.toml、102.toml）" in capsys.readouterr().err
    extra.write_text((src / "services" / "101.toml").read_text(encoding="utf-8").replace("number = 101", "number = 102")
                     .replace('fail = "须年满60周岁"', 'fail = "须年满60周岁（各地不一）"'), encoding="utf-8")
    assert main(["catalog", "build", "--check", "--source", str(src)]) == 1
    err = capsys.readouterr().err
    assert "102.toml 的 eligibility[0].fail" in err and "编者注释" in err
    assert not (tmp_path / "county.sqlite").exists()  # --check writes nothing


def test_a_catalog_without_a_version_is_refused(tmp_path):
    src = county_source(tmp_path)
    (src / "catalog.toml").write_text("# no version\n", encoding="utf-8")
    with pytest.raises(Exception, match="catalog.toml 的 version"):
        build(src, tmp_path / "out.sqlite")


def test_diff_lists_the_new_service_and_the_changed_limit(tmp_path, capsys):
    county = county_catalog(tmp_path)
    lines = catalogdiff.diff(catalog_mod.load(), catalog_mod.load(county))
    assert lines == ["新增事项：101. 我要办理老年人优待证", "时限变更：3. 我要办理残疾人证：30个工作日 → 20个工作日"]
    assert main(["catalog", "diff", str(paths.catalog_db_path()), str(county)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("目录 2026.1 → 2026.2-县1：") and "新增事项：101. 我要办理老年人优待证" in out
    assert catalogdiff.diff(catalog_mod.load(county), catalog_mod.load()) == [
        "删除事项：101. 我要办理老年人优待证", "时限变更：3. 我要办理残疾人证：20个工作日 → 30个工作日"]


def test_diff_names_new_and_removed_materials():
    old = catalog_mod.load()
    s3 = old.service(3)
    import dataclasses

    extra = dataclasses.replace(s3.materials[0], id="assessment_form", name="残疾评定表")
    new = dataclasses.replace(old, services=old.services | {3: dataclasses.replace(
        s3, materials=(*s3.materials[1:], extra))})
    lines = catalogdiff.diff(old, new)
    assert "新增材料：3. 我要办理残疾人证：残疾评定表" in lines
    assert f"删除材料：3. 我要办理残疾人证：{s3.materials[0].name}" in lines


def test_versions_and_diff_by_version_in_a_data_dir(tmp_path, data_dir, capsys):
    from desktop.protocol import catalogsign
    from desktop.storage import catalogs
    from desktop.storage.store import Store

    store = Store.open(data_dir)
    county = county_catalog(tmp_path).read_bytes()
    meta = catalogsign.describe(county) | {"effective": "2027-01-01", "note": "县级自增"}
    catalogs.install(store.db, data_dir, meta, county)
    store.close()
    assert main(["catalog", "versions", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2026.1  ") and "随安装包（现行）" in out[0]
    assert out[1].startswith("2026.2-县1  ") and "2027-01-01 起  县级自增" in out[1]
    assert main(["catalog", "diff", "2026.1", "2026.2-县1", "--data-dir", str(data_dir), "--json"]) == 0
    assert '"新增事项：101. 我要办理老年人优待证"' in capsys.readouterr().out
    assert main(["catalog", "diff", "2026.1", "2099.9", "--data-dir", str(data_dir)]) == 1
    assert "找不到目录“2099.9”" in capsys.readouterr().err


def test_a_case_list_names_services_from_the_active_catalog_without_parsing_it(tmp_path, data_dir, caplog):
    """Store.catalog_names reads the active catalog's file (issue 16): the published one from its date, with the
    county's 101st service; the bundled one before that date, or when the published file is gone (logged)."""
    import datetime as dt

    from desktop.protocol import catalogsign
    from desktop.storage import catalogs
    from desktop.storage.store import Store

    county = county_catalog(tmp_path).read_bytes()
    meta = catalogsign.describe(county) | {"effective": "2027-01-01", "note": "县级自增"}
    store = Store.open(data_dir)
    catalogs.install(store.db, data_dir, meta, county)
    store.close()

    def names_on(day: dt.date) -> tuple[dict[int, str], dict[int, str]]:
        light, full = Store.open(data_dir, today=day), Store.open(data_dir, today=day)
        try:
            return light.catalog_names(), {n: s.name for n, s in full.catalog.services.items()}
        finally:
            light.close()
            full.close()

    before, parsed = names_on(dt.date(2026, 12, 31))
    assert before == parsed and 101 not in before and len(before) == 20
    after, parsed = names_on(dt.date(2027, 1, 4))
    assert after == parsed and after[101] == "我要办理老年人优待证"
    catalogs.file_of(data_dir, meta["hash"]).unlink()
    gone, parsed = names_on(dt.date(2027, 1, 4))
    assert gone == parsed == before
    assert "active catalog unavailable, using the bundled one" in caplog.text


def test_one_service_is_read_as_the_whole_catalog_has_it(tmp_path):
    """catalog.load_service builds a service from its own rows exactly as load() does (issue 16: `case show`)."""
    for path in (paths.catalog_db_path(), county_catalog(tmp_path)):
        whole = catalog_mod.load(path)
        for number, service in whole.services.items():
            assert catalog_mod.load_service(path, number) == service
            assert catalog_mod.load_service(path, str(number)) == service
    with pytest.raises(Exception, match="没有编号为“999”的一件事"):
        catalog_mod.load_service(paths.catalog_db_path(), 999)


def test_a_cases_service_comes_from_the_catalog_it_was_accepted_under(tmp_path, data_dir):
    """Store.service_for gives the service catalog_for would, for a case under the bundled catalog, the county's
    newer one, the legacy one and a draft, before and after the newer one's date, without parsing a catalog."""
    import datetime as dt

    from desktop.domain.case import Case
    from desktop.protocol import catalogsign
    from desktop.storage import catalogs
    from desktop.storage.store import Store

    county = county_catalog(tmp_path).read_bytes()
    meta = catalogsign.describe(county) | {"effective": "2027-01-01", "note": "县级自增"}
    store = Store.open(data_dir)
    catalogs.install(store.db, data_dir, meta, county)
    bundled = catalog_mod.load().hash
    store.close()
    cases = [Case(service=3, state="accepted", catalog_hash=bundled), Case(service=3, state="accepted"),
             Case(service=101, state="accepted", catalog_hash=meta["hash"]), Case(service=3, state="draft")]
    for day in (dt.date(2026, 12, 31), dt.date(2027, 1, 4)):
        for case in cases:
            light, full = Store.open(data_dir, today=day), Store.open(data_dir, today=day)
            try:
                assert light.service_for(case) == full.catalog_for(case).service(case.service)
                assert light._catalog is None  # nothing parsed
                full.catalog  # noqa: B018 (parsed first, as the desk's screens have it)
                assert full.service_for(case) == full.catalog_for(case).service(case.service)
            finally:
                light.close()
                full.close()
