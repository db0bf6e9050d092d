"""`key setup|status|recover` as an administrator and a village agent use them: real subprocesses, a real PDF."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from desktop.storage import crypto
from desktop.storage.db import open_db


def run(*args: str, data_dir: Path, ok: bool = True, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_") or k == "DESK_DATA_DIR"} | env_vars
    proc = subprocess.run([sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8")
    assert "Traceback" not in proc.stderr
    assert (proc.returncode == 0) == ok, proc.stderr
    return proc


def test_setup_encrypts_prints_the_paper_once_and_the_paper_recovers_a_forgotten_password(tmp_path: Path):
    data = tmp_path / "村 笔记本"
    run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=data,
        DESK_NEW_PASSWORD="adminpass1", DESK_PLAIN_DATA="1")  # a plain data dir from before, converted here
    paper = tmp_path / "恢复密钥单.pdf"
    run("key", "setup", "--user", "admin", "--out", str(paper), data_dir=data, DESK_PASSWORD="adminpass1")
    text = "".join(p.extract_text() for p in PdfReader(paper).pages)
    code = " ".join(line for line in text.splitlines() if re.fullmatch(r"[A-Z2-7]{4}( +[A-Z2-7]{4}){3}", line))
    assert "恢复密钥单" in text and len(crypto.normalise_code(code)) == 32
    status = json.loads(run("key", "status", "--json", data_dir=data).stdout)
    assert {k: v for k, v in status.items() if k != "data_dir"} == {"encrypted": True, "accounts": 1, "recovery_key": True}
    again = run("key", "setup", "--user", "admin", "--out", str(tmp_path / "b.pdf"), data_dir=data, ok=False,
                DESK_PASSWORD="adminpass1")
    assert "已经加密" in again.stderr and not (tmp_path / "b.pdf").exists()
    assert "已加密" in run("case", "list", data_dir=data, ok=False).stderr
    assert "无法解锁" in run("case", "list", "--user", "admin", data_dir=data, ok=False,
                            DESK_PASSWORD="forgotten1").stderr
    run("key", "recover", "admin", data_dir=data, DESK_RECOVERY_KEY=code, DESK_NEW_PASSWORD="newpass123")
    run("user", "list", "--user", "admin", data_dir=data, DESK_PASSWORD="newpass123")
    crypto.unlock_password(data, "admin", "newpass123")
    db = open_db(data)
    actions = {r["action"] for r in db.query("SELECT action FROM audit")}
    db.close()
    crypto.forget(data)
    assert {"key.setup", "key.recovery_print", "key.recover"} <= actions
    archive = tmp_path / "备份.zip"
    run("backup", "create", "--out", str(archive), "--user", "admin", data_dir=data, DESK_PASSWORD="newpass123")
    assert "备份完好" in run("backup", "verify", str(archive), data_dir=data).stdout
    assert "空的" in run("backup", "restore", str(archive), data_dir=data, ok=False).stderr
    restored = tmp_path / "换的新电脑"
    run("backup", "restore", str(archive), data_dir=restored)
    run("user", "list", "--user", "admin", data_dir=restored, DESK_PASSWORD="newpass123")


def test_setup_needs_an_administrator_and_a_place_for_the_paper(tmp_path: Path):
    data = tmp_path / "data"
    assert "管理员" in run("key", "setup", "--out", str(tmp_path / "a.pdf"), data_dir=data, ok=False).stderr
    run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=data,
        DESK_NEW_PASSWORD="adminpass1", DESK_PLAIN_DATA="1")
    assert "--out" in run("key", "setup", "--user", "admin", data_dir=data, ok=False,
                          DESK_PASSWORD="adminpass1").stderr
    assert not crypto.is_encrypted(data)


def paper_code(paper: Path) -> str:
    text = "".join(p.extract_text() for p in PdfReader(paper).pages)
    assert "恢复密钥单" in text
    return " ".join(line for line in text.splitlines() if re.fullmatch(r"[A-Z2-7]{4}( +[A-Z2-7]{4}){3}", line))


def test_the_first_administrator_encrypts_a_new_data_dir_and_writes_the_recovery_paper(tmp_path: Path):
    data = tmp_path / "新 笔记本"
    refused = run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=data, ok=False,
                  DESK_NEW_PASSWORD="adminpass1")
    assert "--out" in refused.stderr and "加密" in refused.stderr
    assert "共 0 个账号" in run("user", "list", data_dir=data).stdout, "a refusal creates no account"
    paper = tmp_path / "恢复密钥单.pdf"
    made = run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", "--out", str(paper),
               data_dir=data, DESK_NEW_PASSWORD="adminpass1")
    assert "已加密" in made.stdout and "已创建管理员" in made.stdout
    assert crypto.is_encrypted(data) and not (data / "desk.sqlite").read_bytes().startswith(b"SQLite format 3")
    code = paper_code(paper)
    assert len(crypto.normalise_code(code)) == 32
    assert "已加密" in run("case", "list", data_dir=data, ok=False).stderr
    run("user", "add", "li", "--role", "窗口人员", "--display-name", "李晓兰", "--user", "admin", data_dir=data,
        DESK_PASSWORD="adminpass1", DESK_NEW_PASSWORD="clerkpass1")
    # her own wrap, made at creation, unlocks the data; the login then asks for her initial password's change
    assert "初始密码" in run("case", "list", "--user", "li", data_dir=data, ok=False, DESK_PASSWORD="clerkpass1").stderr
    crypto.unlock_recovery(data, code)
    db = open_db(data)
    actions = [r["action"] for r in db.query("SELECT action FROM audit ORDER BY id")]
    db.close()
    crypto.forget(data)
    assert actions[:3] == ["user.create_admin", "key.setup", "key.recovery_print"]


def test_the_first_administrator_with_json_names_the_paper_in_the_json(tmp_path: Path):
    paper = tmp_path / "恢复密钥单.pdf"
    made = run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", "--out", str(paper), "--json",
               data_dir=tmp_path / "d")
    answer = json.loads(made.stdout)
    assert answer["recovery_paper"] == str(paper) and answer["initial_password"] and paper.is_file()


def test_the_demo_data_dir_is_encrypted_like_a_real_desk_and_its_staff_log_in_with_their_own_password(tmp_path):
    data = tmp_path / "演示"
    made = run("demo", "--days", "1", data_dir=data)
    assert "已加密" in made.stdout and crypto.is_encrypted(data)
    assert (tmp_path / "演示-恢复密钥单.pdf").is_file()
    assert "已加密" in run("case", "list", data_dir=data, ok=False).stderr
    listed = run("case", "list", "--user", "lixiaolan", "--json", data_dir=data, DESK_PASSWORD="demo2026")
    assert json.loads(listed.stdout)  # a clerk made before the key: her pending wrap, then her own
    keys = json.loads((data / "keys.json").read_text(encoding="utf-8"))
    assert sum(1 for w in keys["wraps"] if w.get("pending")) == 6  # the other demo staff, until their login


def test_db_check_unlocks_an_encrypted_data_dir_with_the_user_given(tmp_path: Path):
    data = tmp_path / "desk"
    run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=data,
        DESK_NEW_PASSWORD="adminpass1", DESK_PLAIN_DATA="1")
    run("key", "setup", "--user", "admin", "--out", str(tmp_path / "paper.pdf"), data_dir=data,
        DESK_PASSWORD="adminpass1")
    assert "数据库完整性检查通过" in run("db", "check", "--user", "admin", data_dir=data,
                                     DESK_PASSWORD="adminpass1").stdout
    refused = run("db", "check", data_dir=data, ok=False).stderr.strip().splitlines()
    assert len(refused) == 1 and "--user" in refused[0]


def test_the_recovery_paper_with_a_stale_font_cache_keeps_the_terminal_clean(tmp_path: Path):
    cache = tmp_path / "cache"
    first, data = tmp_path / "first", tmp_path / "desk"
    for where in (first, data):
        run("user", "add", "admin", "--role", "管理员", "--display-name", "黄建华", data_dir=where,
            DESK_NEW_PASSWORD="adminpass1", DESK_PLAIN_DATA="1", DESK_CACHE_DIR=str(cache))
    run("key", "setup", "--user", "admin", "--out", str(tmp_path / "a.pdf"), data_dir=first,
        DESK_PASSWORD="adminpass1", DESK_CACHE_DIR=str(cache))
    kept = list((cache / "fonts").glob("*.tables"))
    assert kept
    for path in kept:
        path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    proc = run("key", "setup", "--user", "admin", "--out", str(tmp_path / "b.pdf"), data_dir=data,
               DESK_PASSWORD="adminpass1", DESK_CACHE_DIR=str(cache))
    assert proc.stderr == "" and "恢复密钥单已写到" in proc.stdout
    assert "font cache" in (data / "logs" / "desk.log").read_text(encoding="utf-8")
