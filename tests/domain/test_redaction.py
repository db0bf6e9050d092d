"""Masking never misses: an ID or phone number is masked wherever it stands in a message, a log line or a
file name, and the command line masks every error it prints and every file name `scan` echoes."""

from __future__ import annotations

import json

import pytest

from desktop.cli.main import main
from desktop.domain.redaction import redact

ID = "430682201005184880"
BIRTH = "20100518"


@pytest.mark.parametrize("text", [
    f"{ID}abc", f"ID{ID}", f"身份证{ID}号", f"x{ID}y", f"{ID}_身份证.pdf", f"scan-{ID}-2.jpg", f"{ID[:17]}X补正",
    f"{ID[:17]}x", "４３０６８２２０１００５１８４８８０", f"{ID}\n", f"({ID})", f"{ID}{ID}"[:19] + "z",
    "430682100518488A", f"a{ID[:6]}{ID[8:]}b", "430682100518488x",
])
def test_an_id_number_is_masked_wherever_it_stands(text):
    masked = redact(text)
    assert BIRTH not in masked and "２０１００５１８" not in masked and "100518" not in masked, masked
    assert "*" in masked


@pytest.mark.parametrize("text", ["电话13812345678abc", "tel13812345678", "13812345678号", "a13812345678b"])
def test_a_mobile_number_is_masked_next_to_letters(text):
    assert "12345678" not in redact(text) and "138****5678" in redact(text)


def test_ordinary_text_is_left_alone():
    for text in ("439901-W03-20261127-0001", "2026-11-27", "第7–14位", "12345678-1234-4234-8234-123456789012"):
        assert redact(text) == text


def test_every_error_the_command_line_prints_is_masked(data_dir, capsys):
    assert main(["case", "list", "--date", f"{ID}x", "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "格式不对" in err and ID not in err and BIRTH not in err


def test_file_names_echoed_by_scan_are_masked(tmp_path, data_dir, capsys):
    folder = tmp_path / "scanner"
    folder.mkdir()
    for extra in ([], ["--json"]):
        (folder / f"{ID}_身份证.txt").write_bytes(b"not a scan")
        (folder / f"{ID}abc.pdf").write_bytes(b"%PDF-1.4 truncated")
        code = main(["scan", "--once", "--folder", str(folder), "--stability-delay", "0", "--data-dir",
                     str(data_dir), *extra])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert ID not in captured.out and BIRTH not in captured.out, captured.out
        assert captured.out.count("430682********4880") >= 2, captured.out
        if extra:
            assert len(json.loads(captured.out)["quarantined"]) + len(json.loads(captured.out)["accepted"]) == 2


def test_every_known_error_is_masked_where_it_is_made_so_screens_show_it_masked_too():
    from desktop.domain.errors import DeskError, ValidationError

    for error in (DeskError(f"找不到案件“{ID}abc”"), ValidationError(f"电话13812345678x与{ID}", field="phone")):
        assert ID not in error.message and ID not in str(error) and BIRTH not in error.message
        assert "12345678" not in error.message
