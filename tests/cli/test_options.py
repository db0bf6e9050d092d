"""Common options (--data-dir, --json, --user) work before and after every subcommand, and the data dir is named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import build_parser

# every subcommand with the least it needs to parse
MINIMAL = {
    "catalog": ["list"], "id": ["check", "430521199001010011"], "case": ["list"], "settings": ["show"],
    "demo": [], "screenshots": ["out"], "user": ["list"], "audit": ["verify"], "scan": ["--once"],
    "print": ["receipt", "X", "--out", "r.pdf"], "sync": ["--once"], "hub": ["status"], "ledger": [],
    "rating": ["open"], "visit": ["list"], "db": ["check"], "key": ["status"], "backup": ["verify", "b.zip"],
    "handover": ["check"], "publicity": ["show", "X"],
}
COMMON = ["--data-dir", "/数据 目录", "--json", "--user", "wang"]


def test_every_subcommand_is_covered():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(MINIMAL)


@pytest.mark.parametrize("command", sorted(MINIMAL))
@pytest.mark.parametrize("place", ["before", "after", "split"])
def test_common_options_in_either_place(command, place):
    rest = [command, *MINIMAL[command]]
    argv = {"before": COMMON + rest, "after": rest + COMMON,
            "split": ["--data-dir", "/数据 目录", *rest, "--json", "--user", "wang"]}[place]
    args = build_parser().parse_args(argv)
    assert (args.data_dir, args.json, args.user) == ("/数据 目录", True, "wang")


def test_absent_options_keep_their_defaults():
    args = build_parser().parse_args(["case", "list"])
    assert (args.data_dir, args.json, args.user) == (None, False, None)


def run(*argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DESK_PASSWORD="demo2026")  # demo data has staff: listing cases needs a login
    proc = subprocess.run([sys.executable, "-m", "desktop", *argv], capture_output=True, text=True, encoding="utf-8",
                          env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_data_dir_before_the_subcommand_is_used_and_named(tmp_path: Path):
    before, after = tmp_path / "前 数据", tmp_path / "后 数据"
    shown = run("--data-dir", str(before), "demo", "--days", "2")
    assert (before / "desk.sqlite").exists() and not (tmp_path / "default-data").exists()
    assert shown.stdout.strip().splitlines()[-1] == f"数据目录：{before}"
    run("settings", "set", "office", "后置目录", "--data-dir", str(after))
    listed = run("--json", "--data-dir", str(before), "--user", "lixiaolan", "case", "list")
    assert json.loads(listed.stdout) and f"数据目录：{before}" in listed.stderr  # a list keeps its shape
    shown = json.loads(run("settings", "show", "--data-dir", str(after), "--json").stdout)
    assert shown["office"] == "后置目录" and shown["data_dir"] == str(after)
    human = run("--data-dir", str(after), "case", "list")  # no staff there: no login needed
    assert human.stdout.strip().splitlines()[-1] == f"数据目录：{after}"


def test_catalog_versions_names_the_data_dir_it_read(tmp_path: Path):
    desk = tmp_path / "本机 数据"
    human = run("catalog", "versions", "--data-dir", str(desk))
    assert "（现行）" in human.stdout and human.stdout.strip().splitlines()[-1] == f"数据目录：{desk}"
    assert json.loads(run("--json", "catalog", "versions", "--data-dir", str(desk)).stdout)["data_dir"] == str(desk)
    assert "数据目录" not in run("catalog", "list", "--data-dir", str(desk)).stdout  # package data: no data dir


def test_an_empty_data_dir_is_refused_not_swapped_for_the_default(tmp_path: Path):
    env = dict(os.environ, DESK_DATA_DIR=str(tmp_path / "环境变量的目录"))  # what an unset "$DIR" would fall to
    for argv in (["case", "list", "--data-dir", ""], ["--data-dir", "", "settings", "show"]):
        proc = subprocess.run([sys.executable, "-m", "desktop", *argv], capture_output=True, text=True,
                              encoding="utf-8", env=env)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.strip().splitlines() == ["错误：--data-dir 的数据目录为空：请给出文件夹路径，或不写 --data-dir"]
    assert not (tmp_path / "环境变量的目录").exists()
