"""Every name prints whole: the font chain covers URO through Extension I, text reads back exactly, fonts are
embedded, faces are parsed only when a character needs them, variation sequences print their variant glyph,
and a character no font has stops the print with its code point."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys

import pytest
from reportlab.pdfbase import ttfonts

from desktop.domain.errors import ValidationError
from desktop.forms import fontindex, fonts
from tests.forms.conftest import accept, draft, poppler, pypdf_text, render


def _only_in(face: str, start: int, stop: int) -> str:
    return next(chr(c) for c in range(start, stop) if fonts.font_for(chr(c)) == face)


def _chain_has(lo: int, hi: int) -> int:
    return len({c for ranges in fonts.coverage().values() for c in range(lo, hi + 1) if c in ranges})


def test_chain_covers_every_assigned_ideograph_from_uro_through_extension_i():
    assert [f.name for f in fonts.CHAIN] == ["UMing", "HanaMinA", "HanaMinB", "BabelStoneHan", "Jigmo"]
    # (first, last, assigned in Unicode 15.1): every assigned character of URO, Extensions A–F, compatibility
    for lo, hi, assigned in ((0x4E00, 0x9FFF, 20992), (0x3400, 0x4DBF, 6592), (0x20000, 0x2A6DF, 42720),
                             (0x2A700, 0x2B73F, 4154), (0x2B740, 0x2B81F, 222), (0x2B820, 0x2CEAF, 5762),
                             (0x2CEB0, 0x2EBEF, 7473), (0xF900, 0xFAFF, 472), (0x2F800, 0x2FA1F, 542)):
        assert _chain_has(lo, hi) == assigned, hex(lo)
    assert _chain_has(0x30000, 0x3134F) == 4939  # Extension G: BabelStone Han 3,045, Jigmo the rest
    assert _chain_has(0x31350, 0x323AF) == 4192  # Extension H: BabelStone Han 2,271, Jigmo the rest
    assert _chain_has(0x2EBF0, 0x2EE5F) == 622  # Extension I: Jigmo
    assert _chain_has(0x323B0, 0x3347F) == 0  # Extension J (Unicode 17): no face yet
    assert fonts.font_for("王") == "UMing" and fonts.font_for("☑") == "HanaMinA"
    assert fonts.font_for("\U00030000") == "BabelStoneHan" and fonts.font_for("\U0002ebf0") == "Jigmo"


def test_the_coverage_index_matches_the_faces():
    """The index the desk reads instead of parsing the faces is what the faces really draw."""
    from reportlab.pdfbase.ttfonts import TTFont

    measured = [(f.name, fontindex.drawable(TTFont(f.name, str(fonts.font_dir() / f.file), subfontIndex=f.subfont)))
                for f in fonts.CHAIN]
    assert (fonts.font_dir() / fontindex.INDEX).read_text(encoding="ascii") == fontindex.format_index(measured)


def test_a_face_is_parsed_only_when_a_character_needs_it():
    b_only = _only_in("HanaMinB", 0x20000, 0x2A6D7)
    code = ("from desktop.forms import fonts; fonts.runs('王秀英 白水乡'); a = sorted(fonts._registered); "
            f"fonts.runs('李{b_only}明'); print(a, sorted(fonts._registered))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("] [") == ["['UMing'", "'HanaMinB', 'UMing']\n"]


def test_runs_split_a_name_by_font():
    b_only = _only_in("HanaMinB", 0x20000, 0x2A6D7)
    assert fonts.runs(f"王{b_only}明") == [("UMing", "王"), ("HanaMinB", b_only), ("UMing", "明")]
    assert fonts.runs("王\U00030000") == [("UMing", "王"), ("BabelStoneHan", "\U00030000")]


def test_a_variation_sequence_prints_the_variant_glyph_or_else_the_base():
    [(face, stand_in)] = fonts.runs("葛\U000e0100")
    assert face == "HanaMinA" and stand_in != "葛"  # HanaMinA's own glyph for the sequence
    font = fonts.face("HanaMinA").face
    assert font.charToGlyph[ord(stand_in)] != font.charToGlyph[ord("葛")]  #葛 has two IVS glyphs in Hanazono
    assert fonts.runs("王\U000e01ef") == [("UMing", "王")]  # no face has this sequence: the base prints


def test_a_variant_reads_back_as_its_sequence(module_store, tmp_path):
    case = accept(module_store, draft(module_store, 7, seed=12, name="葛\U000e0100明"))
    pdf = render(module_store, "receipt", case)
    assert "葛\U000e0100明" in pypdf_text(pdf)
    assert "葛\U000e0100明" in poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8")


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
    case.applicant.address = "白水乡\U000323b0石门村"  # Extension J (Unicode 17): no glyph in any face
    case = accept(module_store, case)
    with pytest.raises(ValidationError, match="U\\+323B0"):
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
    assert seen == {"UMingCN-0", "HanaMinA", "HanaMinB"}  # and no unembedded Helvetica (nor an unused face)  # and no unembedded Helvetica


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


def test_printable_puts_the_code_point_where_no_face_draws_the_character():
    assert fonts.printable("张\ue000\U000323b0\n葛\U000e0100") == ("张[U+E000][U+323B0]\n葛\U000e0100", ["U+E000", "U+323B0"])
    assert fonts.printable("王𠈌\U0002ebf0\t明") == ("王𠈌\U0002ebf0\t明", [])
    assert fonts.all_printable("王𠈌\n\U00030000") and not fonts.all_printable("王\ue000")


TABLES = ("charToGlyph", "glyphToChar", "charWidths", "hmetrics", "glyphPos", "defaultWidth")


def _tables(font) -> dict:
    return {name: getattr(font.face, name) for name in TABLES}


def test_a_faces_character_tables_are_cached_and_a_stale_or_corrupt_cache_is_read_again(tmp_path, monkeypatch,
                                                                                         caplog):
    """The cmap, widths and glyph positions reportlab reads from a face (≈0.1 s for UMing, in each process that
    prints) come from the user's cache while the font file is the one they were read from; a cache corrupted,
    or made from another font file at the same path, is noticed (a warning), read again and rewritten."""
    monkeypatch.setenv("DESK_CACHE_DIR", str(tmp_path / "cache"))
    parsed = []
    plain = ttfonts.TTFontFile.extractInfo

    def extract(face, charInfo=1):  # noqa: N803 (reportlab's name)
        parsed.append(charInfo)
        return plain(face, charInfo)

    monkeypatch.setattr(ttfonts.TTFontFile, "extractInfo", extract)
    path = tmp_path / "face.ttf"
    shutil.copy(fonts.font_dir() / "Jigmo-ExtGHI.ttf", path)
    expected = _tables(ttfonts.TTFont("Reportlab", str(path)))  # reportlab's own parse, no cache
    assert ttfonts.TTFontFace is not fonts._Face  # only while our fonts are made

    def made(name: str) -> tuple[dict, list]:
        parsed.clear()
        font = fonts._Font(name, fonts._Mapped(path))
        return _tables(font), [c for c in parsed if c]

    assert made("First") == (expected, [1])  # read from the font, kept
    (cache,) = (tmp_path / "cache" / "fonts").iterdir()
    assert made("Cached") == (expected, [])  # nothing read but names and metrics
    assert ttfonts.TTFontFace is not fonts._Face

    data = bytearray(cache.read_bytes())
    data[-2] ^= 0x40  # the last glyph position's top byte (before the dict's end): a wrong number, read without a word
    cache.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="desktop.forms.fonts"):
        assert made("Corrupt") == (expected, [1])
    assert "corrupt" in caplog.text
    assert made("Rewritten") == (expected, [])

    shutil.copy(fonts.font_dir() / "BabelStoneHan-ExtGH.ttf", path)  # another font file at the same path
    other = _tables(ttfonts.TTFont("Other", str(path)))
    assert other != expected
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="desktop.forms.fonts"):
        assert made("Changed") == (other, [1])
    assert "another version of the font file" in caplog.text
    assert made("Again") == (other, [])


def test_a_font_cache_that_cannot_be_written_is_logged_and_the_font_still_prints(tmp_path, monkeypatch, caplog):
    """On Windows an antivirus or a second desk may hold the cache file while it is replaced: the replace fails
    (PermissionError). The face is read from the font as without a cache, the warning names the file and not
    its folder (the account's name is in it), and no temporary file is left behind."""
    cache = tmp_path / "缓存" / "张丽"
    monkeypatch.setenv("DESK_CACHE_DIR", str(cache))
    path = tmp_path / "face.ttf"
    shutil.copy(fonts.font_dir() / "Jigmo-ExtGHI.ttf", path)
    expected = _tables(ttfonts.TTFont("Plain", str(path)))

    def held(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(fonts.os, "replace", held)
    with caplog.at_level(logging.WARNING, logger="desktop.forms.fonts"):
        assert _tables(fonts._Font("Held", fonts._Mapped(path))) == expected
    assert "cannot be written (PermissionError)" in caplog.text and "face.ttf" in caplog.text
    assert "张丽" not in caplog.text and str(tmp_path) not in caplog.text
    assert list((cache / "fonts").iterdir()) == []  # the temporary file removed
