"""TOML files as a county edits them on Windows: Notepad/WPS save a BOM (fine) or ANSI = GBK (refused, named)."""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
from pathlib import Path

import pytest

from desktop.domain import paths, workdays
from desktop.domain.errors import DeskError
from desktop.domain.tomlfile import read_toml
from desktop.storage.catalog_build import build

TEXT = 'name = "我要申领老年人福利补贴"\n'


def test_a_byte_order_mark_is_read_and_gbk_is_refused_naming_the_file(tmp_path):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert read_toml(bom) == {"name": "我要申领老年人福利补贴"}
    gbk = tmp_path / "01.toml"
    gbk.write_bytes(TEXT.encode("gbk"))
    with pytest.raises(DeskError) as err:
        read_toml(gbk)
    assert "01.toml" in err.value.message and "UTF-8" in err.value.message


def test_the_catalog_builds_from_files_saved_by_notepad_and_names_a_gbk_one(tmp_path):
    source = tmp_path / "catalog"
    shutil.copytree(paths.catalog_source_dir(), source)
    one = source / "services" / "01.toml"
    one.write_bytes(codecs.BOM_UTF8 + one.read_bytes())
    assert build(source, tmp_path / "out.sqlite") >= 20
    two = source / "services" / "02.toml"
    two.write_bytes(two.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    with pytest.raises(DeskError) as err:
        build(source, tmp_path / "out2.sqlite")
    assert "02.toml" in err.value.message


@pytest.fixture
def county_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "county"
    folder.mkdir()
    monkeypatch.setenv(paths.ENV_COUNTY_DIR, str(folder))
    workdays._overrides.cache_clear()
    yield folder
    workdays._overrides.cache_clear()


def test_the_countys_calendar_lives_outside_the_install_folder_and_counts(county_dir):
    """A year chinese_calendar does not know yet: the county adds its announced holiday itself."""
    day = dt.date(2099, 3, 2)  # a Monday
    assert workdays.is_workday(day)
    (county_dir / "calendar.toml").write_bytes(codecs.BOM_UTF8 + b'holidays = ["2099-03-02"]\n')
    workdays._overrides.cache_clear()
    assert not workdays.is_workday(day)
    assert paths.resources_dir() not in county_dir.parents
