"""The ledger on paper: read back with pypdf (and pdftotext / pdffonts where poppler is installed)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zlib

import pytest
from pypdf import PdfReader

from desktop.forms import ledger as ledger_pdf
from desktop.ledger import query as ledger
from tests import ledgerdata
from tests.ledgerdata import END, START, TODAY

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def test_every_case_number_and_page_x_of_y_with_headers_on_every_page(month):
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    texts = pages(ledger.render_pdf(result))
    total = len(texts)
    assert total >= 3
    joined = "\n".join(texts)
    for row in result.rows:
        assert row.number in joined
    for n, text in enumerate(texts, start=1):
        assert re.search(rf"第\s*{n}\s*页\s*共\s*{total}\s*页", text), text[-200:]
        assert "演示县政务服务中心" in text and "2026年11月2日至2026年11月27日" in text and "数据范围" in text
        if n < total:  # the table runs over every page but the last, its headers repeated
            assert "受理编号" in text and "身份证号（脱敏）" in text
    assert "制表人" in texts[-1] and "负责人（签字）" in texts[-1] and "合计" in joined
    assert f"共受理 {result.totals.cases} 件" in joined.replace("\n", "")


def test_one_day_on_one_page_says_it_covers_this_device_only(month):
    day = dt.date(2026, 11, 18)
    result = ledger.query(month, ledger.Filters(day, day), today=TODAY)
    texts = pages(ledger.render_pdf(result))
    assert len(texts) == 1
    text = texts[0]
    assert "受理日期：2026年11月18日" in text and "仅本机" in text and "不含其他窗口和设备" in text.replace("\n", "")
    assert "第 1 页" in text and "共 1 页" in text
    for row in result.rows:
        assert row.applicant in text and row.id_number in text and row.id_number.count("*") == 8


def test_masked_ids_only_and_no_personal_data_in_the_metadata(month):
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    pdf = ledger.render_pdf(result)
    reader = PdfReader(io.BytesIO(pdf))
    full = {month.load(r.uuid).applicant.id_number for r in result.rows}
    text = "".join(p.extract_text() for p in reader.pages)
    assert not any(number in text for number in full)
    assert reader.metadata.title == "每日受理台账" and not reader.metadata.author


def test_a_rare_name_prints_from_the_fallback_face(month):
    day = dt.date(2026, 11, 18)
    result = ledger.query(month, ledger.Filters(day, day), today=TODAY)
    rows = [ledger.LedgerRow(**{**result.rows[0].__dict__, "applicant": "王𠈌明"}), *result.rows[1:]]
    result.rows = rows
    text = pages(ledger.render_pdf(result))[0]
    assert "王𠈌明" in text


def test_a_character_no_font_has_prints_as_its_code_point_and_names_the_case(month):
    """One name must not stop the whole ledger (or the day close): the cell prints the code point in
    brackets and the heading names the case."""
    day = dt.date(2026, 11, 18)
    result = ledger.query(month, ledger.Filters(day, day), today=TODAY)
    result.rows = [ledger.LedgerRow(**{**result.rows[0].__dict__, "applicant": "张\ue000"}), *result.rows[1:3]]
    text = "".join(pages(ledger.render_pdf(result))).replace("\n", "")
    assert "张[U+E000]" in text
    assert f"无法打印的字符，已以编码（如 [U+E000]）代替，请核对：{result.rows[0].number}" in text
    assert result.rows[1].number in text and result.rows[2].number in text


def test_an_empty_range_prints_a_ledger_that_says_so(store):
    result = ledger.query(store, ledger.Filters(START, START))
    text = pages(ledger.render_pdf(result))[0]
    assert "该日期范围内没有受理的案件" in text and "共受理 0 件" in text.replace("\n", "")


def test_long_cells_wrap_inside_their_column_without_splitting_case_numbers():
    from desktop.forms.ledgertable import _Widths, wrap

    widths = _Widths(7.5)
    lines = wrap("9 我要申请残疾人大学生、高中生及贫困残疾人家庭子女大学生、高中生资助（2项）", 110, widths)
    assert len(lines) >= 3 and all(sum(widths(ch) for ch in line) <= 110 for line in lines)
    assert lines[-1].endswith("（2项）") and not any(line.startswith(("、", "，", "）")) for line in lines)
    assert wrap("439901-W03-20261127-0001", 200, widths) == ["439901-W03-20261127-0001"]


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (pdffonts) not installed")
def test_every_font_is_embedded(month, tmp_path):
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    path = tmp_path / "ledger.pdf"
    path.write_bytes(ledger.render_pdf(result))
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines and all(" yes " in line for line in lines), lines


def test_columns_fill_the_landscape_page():
    assert abs(sum(c.width for c in ledger_pdf.COLUMNS) - ledger_pdf.CONTENT_W) < 0.5
    assert ledger_pdf.PAGE_W > ledger_pdf.PAGE_H


@pytest.mark.parametrize("stored", ["2026-11-18T09:41:00+08:00", "2026-11-18 09:41:07", "2026-11-18T09:41",
                                    "20261118T094100"])
def test_the_time_accepted_prints_the_same_whatever_form_it_was_stored_in(stored):
    at = dt.datetime.fromisoformat(stored)
    assert ledger_pdf.accepted(stored, one_day=True) == f"{at:%H:%M}" == "09:41"
    assert ledger_pdf.accepted(stored, one_day=False) == f"{at:%m-%d}\n{at:%H:%M}" == "11-18\n09:41"
    assert ledger_pdf.accepted("", one_day=False) == ""


def test_hundreds_of_distinct_names_and_rare_characters_read_back_from_every_subset(month):
    """More characters than one 256-glyph subset holds, a rare character of the main face and one from each
    fallback face, in the two-line applicant cell: every name reads back as written."""
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    common = [chr(c) for c in range(0x4E00, 0x4E00 + 900) if ledger_pdf.fonts.font_for(chr(c)) == "UMing"]
    names = [f"{common[3 * n % len(common)]}{common[(3 * n + 1) % len(common)]}{common[(3 * n + 2) % len(common)]}"
             for n in range(len(result.rows))]
    names[:3] = ["单䶮", "王𠈌明", "张\U00031350\U0002EBF0"]
    result.rows = [ledger.LedgerRow(**{**r.__dict__, "applicant": name}) for r, name in zip(result.rows, names, strict=True)]
    joined = "".join(pages(ledger.render_pdf(result))).replace("\n", "")
    assert all(name in joined for name in names), [name for name in names if name not in joined][:5]
    assert all(r.id_number in joined for r in result.rows)


def test_page_streams_are_compressed_fast(month):
    """zlib level 3: a year's thousands of pages compress three times faster than at reportlab's 6."""
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    reader = PdfReader(io.BytesIO(ledger.render_pdf(result)))
    for page in reader.pages:
        stream = page["/Contents"].get_object()
        assert stream["/Filter"] in ("/FlateDecode", ["/FlateDecode"])
        assert zlib.compress(stream.get_data(), 3) == stream._data


def test_a_line_never_starts_with_two_closing_marks_either():
    """'…1份）、' at the end of a full line: the 、 takes the 份） with it, not only the ）."""
    from desktop.forms.ledgertable import _Widths, wrap

    widths = _Widths(7.5)
    room = sum(widths(ch) for ch in "原件1份）")
    lines = wrap("原件1份）、儿童近期", room, widths)
    assert "".join(lines) == "原件1份）、儿童近期" and lines[1].startswith("份）、"), lines
    assert all(sum(widths(ch) for ch in line) <= room for line in lines), lines


def test_full_pages_are_written_drawn_with_the_operators_platypus_would_give_them(month, monkeypatch):
    """The table's full pages skip platypus and reportlab's page objects (a year's 3,700 pages): each page's
    content stream is still, operator for operator, the one platypus laying out every part would write."""
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    result.rows = result.rows * 4  # pages enough for several full ones between the first and the last
    at = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)
    drawn = PdfReader(io.BytesIO(ledger_pdf.render(result, printed_at=at)))
    table = ledger_pdf.LedgerTable
    monkeypatch.setattr(ledger_pdf, "LedgerTable", lambda prepared, page: table(prepared))
    laid_out = PdfReader(io.BytesIO(ledger_pdf.render(result, printed_at=at)))
    assert len(drawn.pages) == len(laid_out.pages) >= 6
    for ours, theirs in zip(drawn.pages, laid_out.pages, strict=True):
        assert ours["/Contents"].get_object().get_data() == theirs["/Contents"].get_object().get_data()
        assert ours.mediabox == theirs.mediabox
        fonts, procs = (sorted(page["/Resources"]["/Font"]) for page in (ours, theirs)), (
            page["/Resources"]["/ProcSet"] for page in (ours, theirs))
        assert next(fonts) == next(fonts) and next(procs) == next(procs)
    written_drawn = [n for n, page in enumerate(drawn.pages, start=1) if "/Trans" not in page]
    # all but the first page, the last full one (drawn where platypus put the flowable), and the table's end
    assert written_drawn == list(range(2, len(drawn.pages) - 2)), written_drawn
