"""The catalog: the seed table exactly, a reproducible build, and a county's own 21st service."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.domain import catalog as catalog_mod, paths
from desktop.domain.errors import DeskError
from desktop.storage.catalog_build import build

# The seed table, transcribed independently of resources/catalog/ so that a slip in either shows up here.
# (number, group, name, [(code or None, item name)], departments, level, methods)
SEED = [
    (1, "老年人", "我要申领老年人福利补贴",
     [("432011104W00", "基本养老服务补贴发放"), ("432011101W00", "高龄津贴发放"),
      ("432011105W00", "百岁老人长寿保健补贴发放")], ["民政部门"], "县、乡级", ["就近办", "上门办"]),
    (2, "老年人", "我要申领计划生育家庭特别扶助金", [("000523005000", "计划生育家庭特别扶助金")],
     ["卫生健康部门"], "县、乡级", ["就近办"]),
    (3, "残疾人", "我要办理残疾人证", [("000788001001", "残疾人证新办")], ["卫生健康部门", "残联"], "县级",
     ["就近办", "上门办"]),
    (4, "残疾人", "我要申请残疾人法律救助", [("432088004W00", "残疾人法律救助")], ["残联", "司法部门"], "县级",
     ["网上办", "就近办", "上门办"]),
    (5, "残疾人", "我要申请贫困残疾人家庭无障碍改造", [("432088002W00", "资助贫困残疾人家庭无障碍改造")],
     ["残联", "民政", "乡村振兴部门"], "县、乡级", ["就近办", "上门办"]),
    (6, "残疾人", "我要办公交车爱心IC卡（残疾）", [(None, "残疾人免费乘坐城市公交车爱心IC卡办理")],
     ["残联", "公交公司"], "县、乡级", ["免申办"]),
    (7, "残疾人", "我要申领困难残疾人生活补贴和重度残疾人护理补贴",
     [("001011015000", "困难残疾人生活补贴和重度残疾人护理补贴资格认定申请"),
      ("001011005000", "困难残疾人生活补贴和重度残疾人护理补贴资格认定审核"),
      ("001011007000", "困难残疾人生活补贴和重度残疾人护理补贴发放")],
     ["民政部门", "残联"], "县、乡级", ["网上办", "就近办", "上门办"]),
    (8, "残疾人", "我要办理残疾儿童入学", [(None, "残疾儿童接受义务教育")], ["教育部门"], "县级", ["就近办"]),
    (9, "残疾人", "我要申请残疾人大学生、高中生及贫困残疾人家庭子女大学生、高中生资助",
     [("432088010W00", "高中阶段残疾学生和高中阶段贫困残疾人家庭子女资助"),
      ("432088010W00", "残疾人大学生及贫困残疾人家庭子女大学生资助")], ["残联"], "县级", ["就近办", "上门办"]),
    (10, "残疾人", "我要办理残疾儿童康复救助服务", [("432088011W00", "残疾儿童康复救助")], ["残联"], "县级",
     ["网上办", "就近办"]),
    (11, "孤儿", "我要申领孤儿保障资金", [("432011705W00", "孤儿基本生活费申请审批")], ["民政部门"], "县、乡级",
     ["就近办"]),
    (12, "事实无人抚养儿童", "我要申领事实无人抚养儿童基本生活补贴", [("432011706W00", "事实无人抚养儿童申请确认")],
     ["民政部门"], "县、乡级", ["就近办"]),
    (13, "城乡困难群众", "我要申请最低生活保障", [("431099125W00", "城乡最低生活保障对象初审")], ["民政部门"],
     "乡级", ["就近办"]),
    (14, "城乡困难群众", "我要申请特困救助", [("000511006000", "特困人员认定、救助供养金给付")], ["民政部门"],
     "县、乡级", ["就近办"]),
    (15, "城乡困难群众", "我要申请基本医疗保险个人缴费补贴",
     [("432036010W02", "符合资助条件的救助对象参加城乡居民基本医疗保险个人缴费补贴")],
     ["民政", "残联", "乡村振兴", "医保部门"], "县级", ["免申办"]),
    (16, "特殊病患者", "我要享受门诊慢特病待遇认定", [("432036008W02", "城乡居民享受门诊慢特病待遇认定")],
     ["医保部门"], "县级", ["就近办"]),
    (17, "特殊病患者", "我要办理医疗救助", [("430536007W00", "医疗救助给付")], ["医保部门"], "县级", ["就近办"]),
    (18, "特殊病患者", "为严重精神障碍患者免费提供基本公共卫生服务",
     [("000523003000", "为严重精神障碍患者免费提供基本公共卫生服务")], ["卫生健康部门"], "乡级", ["上门办"]),
    (19, "外出外来务工人员", "我要申请居住证", [("000709005000", "核发居住证")], ["公安部门"], "县级",
     ["网上办", "就近办"]),
    (20, "外出外来务工人员", "我要办理医保社保跨区域转移接续",
     [("432036007W03", "医保转移接续手续办理"), ("002014006012", "城镇职工基本养老保险关系转移接续申请")],
     ["医保", "人社部门"], "县级", ["网上办", "就近办"]),
]


@pytest.mark.parametrize("row", SEED, ids=[str(r[0]) for r in SEED])
def test_catalog_matches_the_seed_table(catalog, row):
    number, group, name, items, departments, level, methods = row
    s = catalog.service(number)
    assert (s.group, s.name, s.level) == (group, name, level)
    assert [(i.code or None, i.name) for i in s.items] == items
    assert list(s.departments) == departments
    assert list(s.methods) == methods


def test_seven_groups_in_table_order(catalog):
    assert catalog.groups == ("老年人", "残疾人", "孤儿", "事实无人抚养儿童", "城乡困难群众", "特殊病患者", "外出外来务工人员")


def test_printed_typo_is_kept_beside_the_correction(catalog):
    item = catalog.service(9).items[1]
    assert "贫因" in item.name_as_printed and "贫困" in item.name


def test_every_service_is_usable_by_the_wizard(catalog):
    for s in catalog.services.values():
        assert s.materials, s.number
        assert s.time_limit.get("working_days") or s.time_limit.get("basis"), s.number
        assert all(q in catalog.questions for q in s.ask), s.number


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_committed_catalog_equals_a_fresh_build(tmp_path):
    fresh = tmp_path / "catalog.sqlite"
    build(paths.catalog_source_dir(), fresh)
    assert _dump(fresh) == _dump(paths.catalog_db_path()), "run: python -m desktop catalog build"


def _copy_source(tmp_path: Path) -> Path:
    src = tmp_path / "catalog"
    shutil.copytree(paths.catalog_source_dir(), src)
    return src


COUNTY_SERVICE = """
number = 101
group = "老年人"
name = "我要办理老年人优待证"
requirement = "县级自增事项"
departments = ["民政部门"]
level = "县级"
methods = ["就近办", "上门办"]
ask = ["hukou_in_county"]
[time_limit]
working_days = 5
[proxy]
allowed = ["近亲属"]
[[items]]
name = "老年人优待证办理"
[[eligibility]]
id = "age"
rule = "age >= 60 and hukou_in_county"
fail = "须年满60周岁且为本县户籍"
[[materials]]
id = "id_card"
name = "居民身份证"
need = "required"
form = "原件"
"""


def test_catalog_loads_from_a_path_with_url_characters(tmp_path):
    odd = tmp_path / "a#b%20c ?目录" / "catalog.sqlite"
    odd.parent.mkdir()
    shutil.copy(paths.catalog_db_path(), odd)
    assert len(catalog_mod.load(odd).services) == 20


def test_a_county_adds_a_service_without_code_changes(tmp_path):
    src = _copy_source(tmp_path)
    (src / "services" / "101.toml").write_text(COUNTY_SERVICE, encoding="utf-8")
    out = tmp_path / "county.sqlite"
    assert build(src, out) == 21
    cat = catalog_mod.load(out)
    assert cat.service(101).eligibility[0].fail == "须年满60周岁且为本县户籍"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('rule = "age >= 60 and hukou_in_county"', 'rule = "age >= 60 and __import__(1)"'),
        ('ask = ["hukou_in_county"]', 'ask = ["no_such_question"]'),
        ('methods = ["就近办", "上门办"]', 'methods = ["邮寄办"]'),
        ('rule = "age >= 60 and hukou_in_county"', 'rule = "age >= 60 and income < 3"'),
    ],
)
def test_a_bad_source_is_refused_naming_the_file(tmp_path, change, message):
    src = _copy_source(tmp_path)
    (src / "services" / "101.toml").write_text(COUNTY_SERVICE.replace(change, message), encoding="utf-8")
    with pytest.raises(DeskError, match="101.toml"):
        build(src, tmp_path / "bad.sqlite")
    assert not (tmp_path / "bad.sqlite").exists()


def test_a_misspelt_choice_is_refused(tmp_path):
    src = _copy_source(tmp_path)
    text = COUNTY_SERVICE.replace('ask = ["hukou_in_county"]', 'ask = ["hukou_in_county", "identity"]')
    text = text.replace('rule = "age >= 60 and hukou_in_county"', "rule = \"identity in ['低保', '低报']\"")
    (src / "services" / "101.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DeskError, match="“低报”不是“identity”的选项"):
        build(src, tmp_path / "bad.sqlite")


def test_the_list_read_from_the_rows_is_the_catalogs_own_summary(tmp_path):
    """`catalog list` reads the services' rows (catalogfile.summaries) rather than building the catalog (issue 16):
    the same as catalog.service_summary for every service, the bundled catalog's and a county's own."""
    from desktop.domain import catalogfile

    src = _copy_source(tmp_path)
    (src / "services" / "101.toml").write_text(COUNTY_SERVICE, encoding="utf-8")
    build(src, tmp_path / "county.sqlite")
    for path in (None, tmp_path / "county.sqlite"):
        expected = [catalog_mod.service_summary(s) for s in catalog_mod.load(path).services.values()]
        assert catalogfile.summaries(path) == expected and len(expected) >= 20
    with pytest.raises(DeskError, match="找不到目录数据库"):
        catalogfile.summaries(tmp_path / "absent.sqlite")


def test_catalog_list_json_from_the_command_line():
    out = subprocess.run([sys.executable, "-m", "desktop", "catalog", "list", "--json"], capture_output=True,
                         text=True, encoding="utf-8", check=True).stdout
    services = json.loads(out)
    assert [s["number"] for s in services] == list(range(1, 21))
    by_number = {s["number"]: s for s in services}
    for number, group, name, items, departments, level, methods in SEED:
        s = by_number[number]
        assert (s["group"], s["name"], s["level"], s["departments"], s["methods"]) == (
            group, name, level, departments, methods)
        assert [(i["code"], i["name"]) for i in s["items"]] == items


@pytest.mark.parametrize(
    ("query", "expected"),
    [("cjrz", [3]), ("残疾人证", [3]), ("db", [13]), ("低保", [13]), ("lxbt", [7]), ("432088010W00", [9]),
     ("000788001001", [3]), ("居住证", [19]), ("gjk", [6])],
)
def test_service_finder_matches_name_initials_keywords_and_codes(catalog, query, expected):
    assert [s.number for s in catalog.services.values() if s.matches(query)] == expected


def test_a_catalog_on_a_network_share_opens_without_a_uri_sqlite_would_reject():
    """Run from a mapped drive, the path resolves to UNC; its file: URI names a host, which SQLite refuses."""
    from pathlib import PurePosixPath, PureWindowsPath

    from desktop.domain.catalog import read_only_target

    unc = PureWindowsPath(r"\\县政务服务器\desk$\_internal\data\catalog.sqlite")
    assert read_only_target(unc) == (str(unc), False)
    local = PureWindowsPath(r"C:\Program Files\一件事\data\catalog.sqlite")
    target, is_uri = read_only_target(local)
    assert is_uri and target.startswith("file:///C:/") and target.endswith("?mode=ro")
    assert read_only_target(PurePosixPath("/opt/desk/data/catalog #1.sqlite"))[0].endswith("%231.sqlite?mode=ro")


def test_the_plain_path_open_still_refuses_writes(tmp_path, monkeypatch):
    import sqlite3

    from desktop.domain import catalog as catalog_mod

    path = tmp_path / "c.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    from desktop.domain import catalogfile

    monkeypatch.setattr(catalogfile, "read_only_target", lambda p: (str(p), False))  # as for a UNC path
    conn = catalog_mod.connect_read_only(path)
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("INSERT INTO t VALUES (1)")
