"""Every name prints whole: the font chain covers Extensions A and B, text reads back exactly, fonts are
embedded, and a character no font has stops the print with its code point."""

from __future__ import annotations

import re

import pytest

from desktop.domain.errors import ValidationError
from desktop.forms import fonts
from tests.forms.conftest import accept, draft, poppler, pypdf_text, render


def _only_in(face: str, start: int, stop: int) -> str:
    fonts.ensure_registered()
    return next(chr(c) for c in range(start, stop) if fonts.font_for(chr(c)) == face)


def test_chain_covers_cjk_extensions_a_and_b():
    coverage = dict(fonts.ensure_registered())
    assert [f.name for f in fonts.CHAIN] == ["UMing", "HanaMinA", "HanaMinB"]
    ext_a = range(0x3400, 0x4DB6)  # Extension A as of Unicode 3.0, all assigned
    ext_b = range(0x20000, 0x2A6D7)  # Extension B as of Unicode 3.1
    union = set().union(*coverage.values())
    assert all(c in union for c in range(0x4E00, 0x9FA6)), "CJK Unified Ideographs"
    assert all(c in union for c in ext_a)
    assert sum(c in union for c in ext_b) >= len(ext_b) - 5
    assert fonts.font_for("王") == "UMing" and fonts.font_for("☑") == "HanaMinA"


def test_runs_split_a_name_by_font():
    b_only = _only_in("HanaMinB", 0x20000, 0x2A6D7)
    assert fonts.runs(f"王{b_only}明") == [("UMing", "王"), ("HanaMinB", b_only), ("UMing", "明")]


@pytest.mark.parametrize("ch", ["\ue000", "\u0378", "\U0010fffd"])
def test_a_character_no_font_has_is_named_with_its_code_point(ch):
    with pytest.raises(ValidationError) as caught:
        fonts.check(f"张{ch}三", "申请人姓名")
    message = caught.value.message
    assert f"U+{ord(ch):04X}" in message and "申请人姓名" in message and "所有字体都没有该字形" in message


def test_unprintable_name_stops_the_print_naming_the_field(module_store):
    case = accept(module_store, draft(module_store, 1, seed=7, name="王\ue000英"))
    for kind in ("receipt", "consent", "cover"):
        with pytest.raises(ValidationError, match=r"申请人姓名中的字符.*U\+E000"):
            render(module_store, kind, case)


def test_unprintable_character_anywhere_else_is_refused_too(module_store):
    case = draft(module_store, 1, seed=8)
    case.applicant.address = "白水乡\U000e0100石门村"  # a variation selector: no glyph in any face
    case = accept(module_store, case)
    with pytest.raises(ValidationError, match="U\\+E0100"):
        render(module_store, "receipt", case)


def test_extension_a_and_b_names_read_back_exactly(module_store, tmp_path):
    b_only = _only_in("HanaMinB", 0x20000, 0x2A6D7)
    names = ["张䶮", "李𠈌明", f"欧阳{b_only}"]
    for name in names:
        case = accept(module_store, draft(module_store, 7, seed=9, name=name))
        for kind in ("receipt", "consent", "cover"):
            pdf = render(module_store, kind, case)
            assert name in pypdf_text(pdf), (kind, name)
            assert name in poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8"), (kind, name)


def test_every_font_is_embedded(module_store, tmp_path):
    b_only = _only_in("HanaMinB", 0x20000, 0x2A6D7)
    case = accept(module_store, draft(module_store, 13, seed=10, name=f"䶮{b_only}"))
    seen = set()
    for kind in ("receipt", "consent"):
        listing = poppler("pdffonts", render(module_store, kind, case), tmp_path)
        rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        assert rows, listing
        seen |= {re.sub(r"^[A-Z]+\+", "", r[0]) for r in rows}
        for row in rows:
            emb = row[-5]  # name type [type] encoding emb sub uni object ID
            assert emb == "yes", listing
    assert seen == {"UMingCN-0", "HanaMinA", "HanaMinB"}  # and no unembedded Helvetica


def test_tounicode_gives_surrogate_pairs_beyond_the_bmp(module_store):
    import io
    import zlib

    from pypdf import PdfReader

    case = accept(module_store, draft(module_store, 7, seed=11, name="李𠈌明"))
    reader = PdfReader(io.BytesIO(render(module_store, "receipt", case)))
    cmaps = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            cmaps.append(font.get_object()["/ToUnicode"].get_object().get_data().decode())
    assert not any(re.search(r"<[0-9A-F]{2}> <[0-9A-F]{5,6}>", c) for c in cmaps)
    assert any("<D840DE0C>" in c for c in cmaps)
    assert zlib  # stream data came back decompressed through pypdf
