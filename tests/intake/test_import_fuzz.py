"""`case import` against a corpus of 250+ malformed files: each refused by field with exit 1 and nothing
written, never 内部错误; special files (directory, FIFO, /dev/zero) refused at once by a real subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.domain import idnumber
from tests.intake import importcorpus

CORPUS = list(importcorpus.cases())


def table_counts(data_dir: Path) -> dict[str, int]:
    conn = sqlite3.connect(data_dir / "desk.sqlite")
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


@pytest.fixture
def desk(data_dir: Path) -> Path:
    for key, value in (("county_code", "439901"), ("window_code", "W03")):
        assert main(["settings", "set", key, value, "--data-dir", str(data_dir)]) == 0
    # the first command that opens the store registers the bundled catalog (desktop/storage/catalogs.py): part
    # of setting the desk up, not something a refused import wrote
    assert main(["case", "list", "--data-dir", str(data_dir)]) == 0
    return data_dir


def run_import(path: Path, data_dir: Path, capsys) -> tuple[int, str, str]:
    code = main(["case", "import", str(path), "--json", "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 250
    assert len({name for name, _, _ in CORPUS}) == len(CORPUS)


def test_every_malformed_file_is_refused_by_field_with_nothing_written(desk, tmp_path, capsys):
    problems = []
    for name, raw, words in CORPUS:
        before = table_counts(desk)
        path = tmp_path / f"{name}.json"
        path.write_bytes(raw)
        code, _out, err = run_import(path, desk, capsys)
        lines = err.strip().splitlines()
        if code != 1 or len(lines) != 1 or not lines[0].startswith("错误：") or "内部错误" in err:
            problems.append(f"{name}: exit {code}: {err.strip()[:200]!r}")
        elif not any(w in lines[0] for w in words):
            problems.append(f"{name}: field not named: {lines[0][:200]!r}")
        elif table_counts(desk) != before:
            problems.append(f"{name}: something was written")
    assert not problems, "\n".join(problems)


def test_the_base_file_and_harmless_variants_are_accepted(desk, tmp_path, capsys):
    """The corpus mutates a valid file: the file itself, and variants the desk normalises, are accepted."""
    base = importcorpus.BASE
    variants = {
        "base": base,
        "zero-width-in-name": importcorpus.with_value("applicant.name", "\u200b罗䶮\ufeff"),
        "count-2": importcorpus.with_value("materials.id_card", {"received": "copy", "count": 2, "note": "正反面"}),
        "one-link": importcorpus.with_value("linked_services", [6]),
    }
    for name, data in variants.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(importcorpus.dump(data))
        code, out, err = run_import(path, desk, capsys)
        assert code == 0, (name, err)
        assert json.loads(out)["state"] == "accepted"
    shown = json.loads(out)
    assert len(shown["linked_cases"]) == 1


@pytest.mark.parametrize("typed", ["４３０６８２２０１００５１８４８８０", "430682 20100518 4880", "430682-2010-0518-4880"])
def test_id_numbers_are_stored_normalised_and_found_by_the_18_digit_number(desk, tmp_path, capsys, typed):
    path = tmp_path / "case.json"
    path.write_bytes(importcorpus.dump(importcorpus.with_value("applicant.id_number", typed)))
    code, out, err = run_import(path, desk, capsys)
    assert code == 0, err
    from desktop.storage.store import Store

    store = Store.open(desk)
    try:
        row = store.load(json.loads(out)["uuid"])
        assert row.applicant.id_number == "430682201005184880"
        assert [r["uuid"] for r in store.search("430682201005184880")] == [row.uuid]
        assert store.rows("uuid = ?", [row.uuid])[0]["id_number"] == "430682201005184880"
    finally:
        store.close()


def test_a_15_digit_number_is_stored_as_its_18_digit_form(desk, tmp_path, capsys):
    legacy = "430682730122044"
    full = idnumber.parse(legacy).number
    data = importcorpus.with_value("guardian.id_number", legacy)
    path = tmp_path / "case.json"
    path.write_bytes(importcorpus.dump(data))
    code, out, err = run_import(path, desk, capsys)
    assert code == 0, err
    from desktop.storage.store import Store

    store = Store.open(desk)
    try:
        assert store.load(json.loads(out)["uuid"]).guardian.id_number == full and len(full) == 18
    finally:
        store.close()


def _subprocess_import(target: str, data_dir: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "desktop", "case", "import", target, "--data-dir", str(data_dir)]
    # The timeout is the test's: a FIFO opened for reading without O_NONBLOCK would wait for ever.
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
def test_a_directory_a_fifo_and_dev_zero_are_refused_unread(desk, tmp_path):
    fifo = tmp_path / "case.fifo"
    os.mkfifo(fifo)
    before = table_counts(desk)
    for target in (str(tmp_path), str(fifo), "/dev/zero"):
        proc = _subprocess_import(target, desk)
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and ("文件夹" in lines[0] or "不是普通文件" in lines[0]), proc.stderr
    assert table_counts(desk) == before
