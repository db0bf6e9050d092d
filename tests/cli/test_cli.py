"""The command line as admins and scripts use it: real subprocesses, one Chinese line on bad input."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.domain import catalog as catalog_mod
from desktop.intake import demo
from desktop.intake.importer import case_to_json

DAY = "2026-11-27"


def run(*args: str, data_dir: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "desktop", *args]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def refused(*args: str, data_dir: Path | None = None) -> str:
    proc = run(*args, data_dir=data_dir, ok=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


def case_json(number: int, seed: int = 0, *, missing: int = 0) -> dict:
    cat = catalog_mod.load()
    service = cat.service(number)
    case = demo.eligible_case(service, cat, random.Random(seed), dt.date.fromisoformat(DAY))
    demo.receive_all(service, case, leave_missing=missing)
    return case_to_json(case)


def write(tmp_path: Path, data: dict, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_one_case_per_service_and_list_them(cli_dir, tmp_path):
    for number in range(1, 21):
        out = run("case", "import", str(write(tmp_path, case_json(number, number))), "--json", data_dir=cli_dir)
        data = json.loads(out.stdout)
        assert data["service"] == number and data["state"] == "accepted" and data["number"].startswith("439901-W03-")
    today = dt.date.today().isoformat()
    listed = json.loads(run("case", "list", "--date", today, "--json", data_dir=cli_dir).stdout)
    assert len(listed) == 20
    assert json.loads(run("case", "list", "--date", "2020-01-01", "--json", data_dir=cli_dir).stdout) == []
    assert {"uuid", "number", "service", "state"} <= set(listed[0])
    assert all("********" in c["id_number"] for c in listed), "ID numbers are masked"


def test_case_show_masks_personal_numbers(cli_dir, tmp_path):
    data = case_json(3, 5)
    created = json.loads(run("case", "import", str(write(tmp_path, data)), "--json", data_dir=cli_dir).stdout)
    shown = run("case", "show", created["number"], "--json", data_dir=cli_dir).stdout
    assert data["applicant"]["id_number"] not in shown
    assert data["applicant"]["id_number"][6:14] not in json.loads(shown)["applicant"]["id_number"]
    assert json.loads(shown)["events"][0]["kind"] == "accepted"


def test_missing_material_needs_the_pending_state(cli_dir, tmp_path):
    data = case_json(3, 6, missing=1)
    line = refused("case", "import", str(write(tmp_path, data)), data_dir=cli_dir)
    assert "缺少必需材料" in line and "pending_materials" in line
    data["expect_state"] = "pending_materials"
    created = json.loads(run("case", "import", str(write(tmp_path, data)), "--json", data_dir=cli_dir).stdout)
    assert created["state"] == "pending_materials" and created["missing"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["applicant"].update(id_number=d["applicant"]["id_number"][:17]), "应为18位"),
        (lambda d: d.update(service=99), "没有编号为“99”"),
        (lambda d: d.pop("applicant"), "applicant"),
        (lambda d: d.update(colour="red"), "未知字段“colour”"),
        (lambda d: d.update(method="邮寄办"), "办理方式"),
        (lambda d: d["applicant"].update(name=""), "申请人姓名"),
        (lambda d: d.update(answers={"hukou_in_county": "yes"}), "回答无效"),
    ],
)
def test_bad_cases_are_refused_precisely_and_write_nothing(cli_dir, tmp_path, mutate, expected):
    data = case_json(3, 7)
    mutate(data)
    assert expected in refused("case", "import", str(write(tmp_path, data)), data_dir=cli_dir)
    assert json.loads(run("case", "list", "--json", data_dir=cli_dir).stdout) == []


def test_malformed_files(cli_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"service": 3,', encoding="utf-8")
    assert "不是有效的JSON" in refused("case", "import", str(bad), data_dir=cli_dir)
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert "UTF-8" in refused("case", "import", str(bad), data_dir=cli_dir)
    assert "找不到文件" in refused("case", "import", str(tmp_path / "nope.json"), data_dir=cli_dir)
    assert "JSON对象" in refused("case", "import", str(write(tmp_path, [1, 2])), data_dir=cli_dir)


def test_unwritable_data_dir_and_bad_arguments(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "数据目录不可写" in refused("case", "list", data_dir=blocker / "sub")
    assert "命令参数不对" in refused("catalog", "explode")
    assert "YYYY-MM-DD" in refused("case", "list", "--date", "2026-13-01", data_dir=tmp_path / "d")
    assert "找不到案件" in refused("case", "show", "nope", data_dir=tmp_path / "d")
    assert "区划代码" in refused("settings", "set", "county_code", "1", data_dir=tmp_path / "d")


def test_id_check(tmp_path):
    data = json.loads(run("id", "check", "11010519491231002x", "--json").stdout)
    assert data == {"valid": True, "number": "110105********002X", "kind": "resident", "birth_date": "1949-12-31",
                    "age": data["age"], "sex": "女", "converted_from_15": False, "warnings": []}
    assert "校验码应为X" in refused("id", "check", "110105194912310021")
    out = run("id", "check", "610104620927690").stdout
    assert "15位" in out


def test_catalog_show(tmp_path):
    assert "残疾人证新办" in run("catalog", "show", "3").stdout
    assert json.loads(run("catalog", "show", "9", "--json").stdout)["items"][0]["code"] == "432088010W00"
    assert "没有编号" in refused("catalog", "show", "42")


def test_demo_fills_all_services(tmp_path, monkeypatch):
    target = tmp_path / "演示 数据"
    out = run("demo", "--days", "20", data_dir=target).stdout
    assert "演示数据" in out
    monkeypatch.setenv("DESK_PASSWORD", demo.DEMO_PASSWORD)  # the demo has staff: listing cases needs a login
    listed = json.loads(run("case", "list", "--json", "--user", "lixiaolan", data_dir=target).stdout)
    assert len({c["service"] for c in listed}) >= 15
    assert {c["state"] for c in listed} >= {"accepted", "submitted", "completed"}


EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.json"))


def test_documented_examples_cover_every_service_and_import(cli_dir):
    assert [int(p.stem[:2]) for p in EXAMPLES] == list(range(1, 21))
    for path in EXAMPLES:
        created = json.loads(run("case", "import", str(path), "--json", data_dir=cli_dir).stdout)
        assert created["service"] == int(path.stem[:2]) and created["state"] == "accepted"


def test_every_command_is_documented_in_the_readme():
    from desktop.cli.main import build_parser

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        actions = next((a.choices for a in subparser._actions if a.dest == "action"), None) or [""]
        for action in actions:
            assert f"python -m desktop {name} {action}".strip() in readme or all(
                a in readme for a in (f"python -m desktop {name}", action)), (name, action)


def test_an_ivs_without_its_variant_is_imported_with_a_warning(cli_dir, tmp_path):
    """Printable, but as the base character: the clerk is told, as the wizard tells (issue 17)."""
    data = case_json(3, 3)
    data["applicant"]["name"] = "孙\U000e01ef"
    proc = run("case", "import", str(write(tmp_path, data)), data_dir=cli_dir)
    assert proc.stdout.startswith("已受理") and "提示：" in proc.stderr and "将打印为基本字“孙”" in proc.stderr


def test_screenshots_into_a_file_not_a_folder_is_one_chinese_line(data_dir, tmp_path):
    taken = tmp_path / "截图.png"
    taken.write_bytes(b"not a folder")
    line = refused("screenshots", str(taken), data_dir=data_dir)
    assert line == f"错误：无法写入截图文件夹“{taken}”：这是一个文件，请给出文件夹"
    assert taken.read_bytes() == b"not a folder"


def test_demo_sends_a_stale_font_cache_to_the_desks_log(tmp_path, monkeypatch):
    monkeypatch.delenv("DESK_PLAIN_DATA")  # a demo desk is encrypted like a real one: its recovery paper prints
    run("demo", "--days", "1", data_dir=tmp_path / "第一个")
    kept = list((tmp_path / "cache" / "fonts").glob("*.tables"))  # conftest's DESK_CACHE_DIR
    assert kept
    for path in kept:
        path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    target = tmp_path / "第二个"
    proc = run("demo", "--days", "1", data_dir=target)
    assert proc.stderr == "" and "已生成演示数据" in proc.stdout
    assert "font cache" in (target / "logs" / "desk.log").read_text(encoding="utf-8")
