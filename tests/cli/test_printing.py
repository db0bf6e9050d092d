"""`python -m desktop print`: real subprocesses writing PDFs, every print on the case's timeline."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.domain import catalog as catalog_mod
from tests.cli.test_cli import case_json, refused, run, write


@pytest.fixture
def cli_dir(data_dir: Path) -> Path:
    for key, value in (("county_code", "439901"), ("window_code", "W03"), ("office", "演示县政务服务中心"),
                       ("clerk", "李晓兰")):
        run("settings", "set", key, value, data_dir=data_dir)
    return data_dir


def text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def imported(cli_dir: Path, tmp_path: Path, number: int, *, seed: int = 0, missing: int = 0, name: str = "",
             proxy: bool = False) -> dict:
    data = case_json(number, seed, missing=missing)
    if missing:
        data["expect_state"] = "pending_materials"
    if name:
        data["applicant"]["name"] = name
    if proxy:
        data.update(applied_by="proxy", proxy_kind="village_agent", mandate_signed=True,
                    proxy={"name": "罗德明", "phone": "13907301234"})
    path = write(tmp_path, data, f"case-{number}-{seed}.json")
    return json.loads(run("case", "import", str(path), "--json", data_dir=cli_dir).stdout)


def printed_events(cli_dir: Path, number: str) -> list[dict]:
    shown = json.loads(run("case", "show", number, "--json", data_dir=cli_dir).stdout)
    return [e for e in shown["events"] if e["kind"] == "printed"]


def test_print_receipt_then_reprint_is_recorded_and_says_so(cli_dir, tmp_path):
    case = imported(cli_dir, tmp_path, 7, seed=1)
    first, second = tmp_path / "回执 1.pdf", tmp_path / "回执 2.pdf"
    assert "已生成受理回执" in run("print", "receipt", case["number"], "--out", str(first), data_dir=cli_dir).stdout
    out = json.loads(run("print", "receipt", case["uuid"], "--out", str(second), "--json", data_dir=cli_dir).stdout)
    assert out["reprint"] is True and out["case"] == case["number"]
    assert case["number"] in text(first) and "补打" not in text(first)
    assert "补打" in text(second) and case["applicant"]["name"] in text(second)
    events = printed_events(cli_dir, case["number"])
    assert [e["detail"] for e in events] == [{"kind": "receipt", "reprint": False, "paper": "受理回执"},
                                           {"kind": "receipt", "reprint": True, "paper": "受理回执"}]


def test_print_every_kind_a_case_has(cli_dir, tmp_path):
    case = imported(cli_dir, tmp_path, 13, seed=2, missing=1, proxy=True)
    for kind in ("consent", "notice", "cover"):
        target = tmp_path / f"{kind}.pdf"
        run("print", kind, case["number"], "--out", str(target), data_dir=cli_dir)
        assert case["number"] in text(target), kind
    received = [m for m in case["materials"] if m["received"]]
    assert len(PdfReader(tmp_path / "cover.pdf").pages) == len(received)
    one = received[0]["id"]
    run("print", "cover", case["number"], "--material", one, "--out", str(tmp_path / "one.pdf"), data_dir=cli_dir)
    assert len(PdfReader(tmp_path / "one.pdf").pages) == 1
    kinds = [e["detail"] for e in printed_events(cli_dir, case["number"])]
    assert kinds[-1] == {"kind": "cover", "reprint": False, "material": one}


def test_bad_input_is_one_chinese_line_and_no_file(cli_dir, tmp_path):
    case = imported(cli_dir, tmp_path, 1, seed=3)
    target = tmp_path / "x.pdf"
    assert "找不到案件" in refused("print", "receipt", "439901-W03-19990101-0001", "--out", str(target),
                                   data_dir=cli_dir)
    assert "无法写入文件" in refused("print", "receipt", case["number"], "--out",
                                     str(tmp_path / "没有这个文件夹" / "x.pdf"), data_dir=cli_dir)
    assert "无法写入文件" in refused("print", "receipt", case["number"], "--out", str(tmp_path), data_dir=cli_dir)
    assert "材料" in refused("print", "cover", case["number"], "--material", "no_such", "--out", str(target),
                             data_dir=cli_dir)
    assert "--material" in refused("print", "receipt", case["number"], "--material", "id_card", "--out",
                                   str(target), data_dir=cli_dir)
    assert "命令参数" in refused("print", "poster", case["number"], "--out", str(target), data_dir=cli_dir)
    assert refused("print", "receipt", case["number"], "--out", str(tmp_path / "回执"),
                   data_dir=cli_dir) == "错误：输出文件应以 .pdf 结尾：回执"  # a file Windows would not open as a PDF
    assert not (tmp_path / "回执").exists()
    assert not target.exists() and not list(tmp_path.glob("*.part"))
    assert printed_events(cli_dir, case["number"]) == []


def test_unprintable_character_is_refused_at_import_naming_it(cli_dir, tmp_path):
    """Refused at the door (desktop/forms/namecheck.py), before the case gets a number that no paper could
    ever print; the print path's own refusal is tested in tests/forms/test_fonts.py."""
    data = case_json(1, 4)
    data["applicant"]["name"] = "王\ue000英"
    line = refused("case", "import", str(write(tmp_path, data, "case.json")), data_dir=cli_dir)
    assert "U+E000" in line and "申请人姓名" in line and "造字" in line
    assert json.loads(run("case", "list", "--json", data_dir=cli_dir).stdout) == []


def test_state_slips_from_the_command_line(cli_dir, tmp_path):
    case = imported(cli_dir, tmp_path, 3, seed=5)
    assert "没有“中止”" in refused("print", "suspend", case["number"], "--out", str(tmp_path / "s.pdf"),
                                   data_dir=cli_dir)
    assert "尚未办结或终止" in refused("print", "close", case["number"], "--out", str(tmp_path / "c.pdf"),
                                       data_dir=cli_dir)
    assert catalog_mod.load().service(3).name in case["service_name"]


def test_with_staff_accounts_printing_needs_a_login_within_the_area(data_dir, tmp_path):
    import os
    import subprocess
    import sys

    def call(*args: str, user: str | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ, DESK_PASSWORD="demo2026")
        cmd = [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir), *(["--user", user] if user else [])]
        return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              encoding="utf-8")

    assert call("demo", "--days", "1").returncode == 0
    cases = json.loads(call("case", "list", "--json", user="lixiaolan").stdout)
    elsewhere = next(c for c in cases if "白水乡" not in json.dumps(
        json.loads(call("case", "show", c["number"], "--json", user="lixiaolan").stdout)["applicant"],
        ensure_ascii=False))
    target = tmp_path / "r.pdf"
    no_login = call("print", "receipt", elsewhere["number"], "--out", str(target))
    assert no_login.returncode == 1 and "需要登录" in no_login.stderr
    agent = call("print", "receipt", elsewhere["number"], "--out", str(target), user="luodeming")
    assert agent.returncode == 1 and "服务区域" in agent.stderr and not target.exists()
    clerk = call("print", "receipt", elsewhere["number"], "--out", str(target), user="lixiaolan")
    assert clerk.returncode == 0, clerk.stderr
    shown = json.loads(call("case", "show", elsewhere["number"], "--json", user="lixiaolan").stdout)
    assert [e["actor"] for e in shown["events"] if e["kind"] == "printed"] == ["lixiaolan"]


def test_a_stale_font_cache_goes_to_the_desks_log_not_the_terminal(cli_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_CACHE_DIR", str(tmp_path / "cache"))
    case = imported(cli_dir, tmp_path, 3)
    run("print", "receipt", case["number"], "--out", str(tmp_path / "a.pdf"), data_dir=cli_dir)
    kept = list((tmp_path / "cache" / "fonts").glob("*.tables"))
    assert kept
    for path in kept:  # another install's font files (an upgrade) made these
        path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    proc = run("print", "receipt", case["number"], "--out", str(tmp_path / "b.pdf"), data_dir=cli_dir)
    assert proc.stderr == "" and "受理回执" in text(tmp_path / "b.pdf")
    assert "font cache" in (cli_dir / "logs" / "desk.log").read_text(encoding="utf-8")


def test_case_show_says_which_paper_each_print_was(cli_dir, tmp_path):
    case = imported(cli_dir, tmp_path, 3, seed=5, missing=1)
    for kind in ("receipt", "notice", "receipt"):
        run("print", kind, case["number"], "--out", str(tmp_path / f"{kind}.pdf"), data_dir=cli_dir)
    shown = [line for line in run("case", "show", case["number"], data_dir=cli_dir).stdout.splitlines()
             if "  打印  " in line]
    assert [line.split("  打印  ")[1].split("  ", 1)[1] for line in shown] == [
        "类别：收件凭证", "类别：一次性告知书", "类别：收件凭证；补打"]


def test_a_stale_font_cache_at_import_goes_to_the_desks_log(cli_dir, tmp_path):
    imported(cli_dir, tmp_path, 3)  # the import checks every name can be printed: the fonts are read
    kept = list((tmp_path / "cache" / "fonts").glob("*.tables"))  # conftest's DESK_CACHE_DIR
    assert kept
    for path in kept:
        path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    data = case_json(7, 1)
    proc = run("case", "import", str(write(tmp_path, data, "again.json")), data_dir=cli_dir)
    assert proc.stderr == "" and proc.stdout.startswith("已受理：")
    assert "font cache" in (cli_dir / "logs" / "desk.log").read_text(encoding="utf-8")
