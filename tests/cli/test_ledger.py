"""`python -m desktop ledger …` as real subprocesses: files by extension, one Chinese line on bad input, logins."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop.domain import catalog as catalog_mod
from desktop.intake import demo
from desktop.storage import settings
from desktop.storage.store import Store
from tests.ledgerdata import at

DAY = "2026-11-27"
SETTINGS = {"county_code": "439901", "window_code": "W03", "office": "演示县政务服务中心", "clerk": "李晓兰"}


def run(data_dir: Path, *args: str, user: str | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)]
    env = dict(os.environ)
    if user:
        cmd += ["--user", user]
        env["DESK_PASSWORD"] = demo.DEMO_PASSWORD
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def refused(data_dir: Path, *args: str, user: str | None = None) -> str:
    proc = run(data_dir, *args, user=user, ok=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


def make(data_dir: Path, *, staff: bool) -> list[str]:
    """Four cases accepted on DAY (one lacking a material); demo staff if asked. Returns the case numbers."""
    store = Store.open(data_dir, catalog_mod.load())
    for key, value in SETTINGS.items():
        settings.set_value(store.db, key, value)
    if staff:
        demo.demo_staff(store.db)
    rng, numbers = random.Random(3), []
    for n, service_number in enumerate((3, 7, 13, 19)):
        service = store.catalog.service(service_number)
        case = demo.eligible_case(service, store.catalog, rng, dt.date.fromisoformat(DAY))
        demo.receive_all(service, case, leave_missing=1 if n == 1 else 0)
        numbers.append(store.accept(case, actor="lixiaolan", now=at(dt.date.fromisoformat(DAY), 9 + n, 5)).number)
    store.close()
    return numbers


@pytest.fixture
def desk(data_dir: Path) -> Path:
    make(data_dir, staff=False)
    return data_dir


@pytest.fixture
def staffed(data_dir: Path) -> Path:
    make(data_dir, staff=True)
    return data_dir


def test_pdf_and_xlsx_by_extension_on_a_device_without_accounts(desk, tmp_path):
    pdf, xlsx = tmp_path / "台账.pdf", tmp_path / "台账.XLSX"
    proc = run(desk, "ledger", "--from", DAY, "--out", str(pdf))
    assert "已生成每日受理台账（PDF）" in proc.stdout and "共 4 件" in proc.stdout and "仅本机" in proc.stdout
    body = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "2026年11月27日" in body and "第 1 页" in body
    data = json.loads(run(desk, "ledger", "--from", DAY, "--to", DAY, "--out", str(xlsx), "--json").stdout)
    assert data["rows"] == 4 and data["source"] == "local" and data["path"] == str(xlsx)
    assert load_workbook(xlsx)["台账"].max_row == 2 + 4
    listed = json.loads(run(desk, "ledger", "--from", DAY, "--state", "补正中", "--json").stdout)
    assert [r["state"] for r in listed["rows"]] == ["pending_materials"]


def test_a_pdf_drawn_with_the_page_helper_then_a_quick_exit_is_whole_and_says_everything(desk, tmp_path, monkeypatch):
    """The process ends by os._exit once the file is fsynced and the store closed (common.quick_exit): every
    line is still printed, the file whole; the page helper's child is started and told to end."""
    monkeypatch.setenv("DESK_LEDGER_PROCESSES", "2")
    pdf = tmp_path / "台账.pdf"
    proc = run(desk, "ledger", "--from", DAY, "--out", str(pdf))
    assert "已生成每日受理台账（PDF）" in proc.stdout and f"数据目录：{desk}" in proc.stdout
    assert "第 1 页" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)


def test_called_in_process_the_command_resumes_the_garbage_collector(desk, tmp_path):
    from desktop.cli.main import main

    assert main(["ledger", "--from", DAY, "--out", str(tmp_path / "a.pdf"), "--data-dir", str(desk)]) == 0
    assert gc.isenabled()


@pytest.mark.parametrize(("args", "needle"), [
    (["--from", DAY, "--out", "{tmp}/台账.doc"], "应以 .pdf 或 .xlsx 结尾"),
    (["--from", "2026-11-31", "--out", "{tmp}/a.pdf"], "--from 的日期“2026-11-31”格式不对"),
    (["--from", DAY, "--to", "2026-11-01", "--out", "{tmp}/a.pdf"], "结束日期不能早于开始日期"),
    (["--from", DAY, "--out", "{tmp}/没有这个文件夹/a.pdf"], "所在文件夹不存在"),
    (["--from", DAY, "--out", "{tmp}"], "应以 .pdf 或 .xlsx 结尾"),
    (["--from", DAY, "--state", "办完了", "--out", "{tmp}/a.pdf"], "状态应为"),
    (["--from", DAY, "--service", "二十", "--out", "{tmp}/a.pdf"], "--service 应为一件事编号"),
    (["--from", DAY, "--personal", "--out", "{tmp}/a.pdf"], "--personal 只用于 XLSX"),
    (["--out", "{tmp}/a.pdf"], "缺少--from"),
    (["--from", DAY], "请用 --out 指定输出文件"),
    (["close"], "ledger close 需要日期"),
    (["close", "2026/11/27"], "错误：日期“2026/11/27”格式不对"),
])
def test_bad_input_is_one_chinese_line_and_writes_nothing(desk, tmp_path, args, needle):
    out = tmp_path / "out"
    out.mkdir()
    line = refused(desk, "ledger", *[a.replace("{tmp}", str(out)) for a in args])
    assert needle in line
    assert list(out.iterdir()) == []


def test_with_staff_each_output_needs_its_permission(staffed, tmp_path):
    pdf, xlsx = tmp_path / "a.pdf", tmp_path / "a.xlsx"
    assert "此操作需要登录" in refused(staffed, "ledger", "--from", DAY, "--out", str(pdf))
    assert "村级代办员无权查看台账" in refused(staffed, "ledger", "--from", DAY, "--out", str(pdf), user="luodeming")
    run(staffed, "ledger", "--from", DAY, "--out", str(pdf), user="lixiaolan")
    assert "窗口人员无权导出台账" in refused(staffed, "ledger", "--from", DAY, "--out", str(xlsx), user="lixiaolan")
    assert "窗口人员无权批量导出完整个人信息" in refused(staffed, "ledger", "--from", DAY, "--personal", "--out", str(xlsx),
                                                      user="lixiaolan")
    assert not xlsx.exists()
    run(staffed, "ledger", "--from", DAY, "--out", str(xlsx), user="zhangli")
    assert all("*" in row[4] for row in load_workbook(xlsx)["台账"].iter_rows(min_row=3, values_only=True))
    run(staffed, "ledger", "--from", DAY, "--personal", "--out", str(xlsx), user="zhangli")
    assert not any("*" in row[4] for row in load_workbook(xlsx)["台账"].iter_rows(min_row=3, values_only=True))
    assert "窗口人员无权日结" in refused(staffed, "ledger", "close", DAY, user="lixiaolan")


def test_close_then_revisions_from_the_command_line(staffed, tmp_path):
    copy = tmp_path / "closed.pdf"
    proc = run(staffed, "ledger", "close", DAY, "--out", str(copy), user="zhangli")
    assert f"已日结 {DAY}（第 1 版，4 件" in proc.stdout and "sha256" in proc.stdout
    closure = json.loads(run(staffed, "ledger", "closures", "--json", user="lixiaolan").stdout)[0]
    import hashlib

    assert hashlib.sha256(copy.read_bytes()).hexdigest() == closure["pdf_sha256"]
    assert "日结后没有变动" in run(staffed, "ledger", "revisions", DAY, user="lixiaolan").stdout
    assert "之后没有变动，无需再次日结" in refused(staffed, "ledger", "close", DAY, user="zhangli")
    store = Store.open(staffed, catalog_mod.load())
    number = store.cases_on(dt.date.fromisoformat(DAY))[0]["number"]
    store.transition(number, "submit", actor="lixiaolan")
    store.close()
    listed = run(staffed, "ledger", "revisions", DAY, user="lixiaolan").stdout
    assert "日结后的变动 1 件（再次日结即形成第 2 版）" in listed and number in listed and "状态：已受理 → 已提交" in listed
    status = json.loads(run(staffed, "ledger", "revisions", DAY, "--json", user="lixiaolan").stdout)
    assert [c["number"] for c in status["changes"]] == [number]
    proc = run(staffed, "ledger", "close", DAY, user="zhangli")
    assert "第 2 版" in proc.stdout and f"变动：{number}" in proc.stdout


@pytest.mark.parametrize("processes", ["1", "2"])  # 2: the second process's warm-up meets the stale cache too
def test_a_stale_font_cache_goes_to_the_desks_log_not_the_supervisors_terminal(desk, tmp_path, monkeypatch, processes):
    monkeypatch.setenv("DESK_LEDGER_PROCESSES", processes)
    run(desk, "ledger", "--from", DAY, "--out", str(tmp_path / "a.pdf"))
    kept = list((tmp_path / "cache" / "fonts").glob("*.tables"))  # conftest's DESK_CACHE_DIR
    assert kept
    for path in kept:  # another install's font files (an upgrade) made these
        path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    proc = run(desk, "ledger", "--from", DAY, "--out", str(tmp_path / "b.pdf"))
    assert proc.stderr == "" and "共 4 件" in proc.stdout
    assert "font cache" in (desk / "logs" / "desk.log").read_text(encoding="utf-8")


def test_closures_and_revisions_say_the_halls_time_and_the_supervisors_name(staffed, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # the hall's clock
    run(staffed, "ledger", "close", DAY, user="zhangli")
    closed_at = json.loads(run(staffed, "ledger", "closures", "--json", user="zhangli").stdout)[0]["closed_at"]
    hall = dt.datetime.fromisoformat(closed_at).astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    store = Store.open(staffed, catalog_mod.load())
    store.transition(store.cases_on(dt.date.fromisoformat(DAY))[0]["number"], "submit", actor="lixiaolan")
    store.close()
    for args in (["closures"], ["revisions", DAY]):
        shown = run(staffed, "ledger", *args, user="zhangli").stdout
        assert f"第 1 版  {hall}  张丽  4 件" in shown and "+08:00" not in shown and "zhangli" not in shown
