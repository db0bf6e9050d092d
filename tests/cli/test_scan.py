"""`python -m desktop scan --once` as an admin runs it: real subprocesses, Chinese output, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.scanfiles import image_bytes, pdf_bytes


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_scan_once_reports_accepted_and_quarantined_as_json(tmp_path: Path, data_dir: Path):
    folder = tmp_path / "扫描仪"
    folder.mkdir()
    (folder / "户口本 首页.pdf").write_bytes(pdf_bytes(["hukou", "page 2"]))
    (folder / "照片.jpg").write_bytes(image_bytes("JPEG", 1))
    (folder / "坏文件.pdf").write_bytes(b"not a pdf at all")
    (folder / "Thumbs.db").write_bytes(b"x")
    proc = run("scan", "--once", "--folder", str(folder), "--stability-delay", "0.3", "--json", data_dir=data_dir)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert sorted((a["name"], a["pages"]) for a in report["accepted"]) == [("户口本 首页.pdf", 2), ("照片.jpg", 1)]
    assert [(q["name"], q["reason"]) for q in report["quarantined"]] == [("坏文件.pdf", "unsupported")]
    assert report["waiting"] == [] and not report["busy"]
    assert [p.name for p in folder.iterdir()] == ["Thumbs.db"]


def test_scan_once_prints_chinese_lines_and_uses_the_setting(tmp_path: Path, data_dir: Path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "a.png").write_bytes(image_bytes("PNG", 2))
    assert run("settings", "set", "scanner_folder", str(folder), data_dir=data_dir).returncode == 0
    proc = run("scan", "--once", "--stability-delay", "0.2", data_dir=data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "已收取：a.png  1页" in proc.stdout and "共收取 1 个" in proc.stdout


def test_scan_without_a_folder_names_the_setting(data_dir: Path):
    proc = run("scan", "--once", data_dir=data_dir)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and "scanner_folder" in proc.stderr
    assert proc.stderr.startswith("错误：尚未设置扫描文件夹")


def test_scan_of_a_missing_folder_or_without_once_is_refused(tmp_path: Path, data_dir: Path):
    proc = run("scan", "--once", "--folder", str(tmp_path / "无此目录"), data_dir=data_dir)
    assert proc.returncode == 1 and proc.stderr.startswith("错误：扫描文件夹不存在")
    proc = run("scan", "--folder", str(tmp_path), data_dir=data_dir)
    assert proc.returncode == 1 and "--once" in proc.stderr
