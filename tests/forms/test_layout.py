"""Long names, long addresses and many materials wrap and flow onto more pages; nothing leaves the margins;
the QR codes decode to what they promise."""

from __future__ import annotations

import io

import pytest

from desktop.forms import coversheet, layout
from tests.forms.conftest import accept, draft, pages, pypdf_text, render, squeeze

NAME_30 = ("阿卜杜热合曼·艾则孜·买买提依明·吐尔逊·𠈌䶮古丽娜尔罕阿依")[:30]
ADDRESS_100 = ("湖南省怀化市麻阳苗族自治县高村镇某某村第十二村民小组" * 5)[:100]
EPS = 0.6  # points: glyph boxes are measured from font metrics


@pytest.fixture(scope="module")
def long_case(module_store):
    case = draft(module_store, 12, seed=12, name=NAME_30, all_materials=True)  # service 12 has 15 materials
    case.applicant.address = ADDRESS_100
    assert len(NAME_30) == 30 and len(ADDRESS_100) == 100 and len(case.materials) == 15
    return accept(module_store, case)


@pytest.fixture(scope="module")
def long_notice_case(module_store):
    case = draft(module_store, 12, seed=13, name=NAME_30)
    case.applicant.address = ADDRESS_100
    case.materials = {}
    return accept(module_store, case)


def _outside(pdf: bytes) -> list[str]:
    """Every character or drawn object past the side margins or off the page, read back with PDFium.
    (The footer and the 补打 stamp are drawn in the top and bottom margins on purpose; platypus never
    flows text there.)"""
    import pypdfium2 as pdfium

    bad = []
    left, right = layout.MARGIN_X - EPS, layout.PAGE_W - layout.MARGIN_X + EPS
    doc = pdfium.PdfDocument(pdf)
    try:
        for number, page in enumerate(doc, start=1):
            text = page.get_textpage()
            boxes = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
            boxes += [(f"object type {o.type}", o.get_bounds()) for o in page.get_objects(max_depth=5)]
            for what, (x0, y0, x1, y1) in boxes:
                if what.strip() and (x0 < left or x1 > right or y0 < 5 or y1 > layout.PAGE_H - 5):
                    bad.append(f"p{number} {what!r} at ({x0:.1f}, {y0:.1f})")
    finally:
        doc.close()
    return bad


@pytest.mark.parametrize("kind", ["receipt", "consent", "cover"])
def test_long_content_flows_to_more_pages_and_stays_inside_the_margins(module_store, long_case, kind):
    pdf = render(module_store, kind, long_case, reprint=True)
    assert pages(pdf) >= 2
    assert _outside(pdf) == []
    text = squeeze(pypdf_text(pdf))
    assert NAME_30 in text
    if kind != "cover":
        assert ADDRESS_100 in text
    for m in module_store.catalog.service(12).materials:
        if kind == "consent" and m.id == "proxy_docs":  # the agent's own ID is not handed over to the agent
            assert squeeze(m.name) not in text
            continue
        assert squeeze(m.name) in text, m.name


def test_long_notice_stays_inside_the_margins(module_store, long_notice_case):
    pdf = render(module_store, "notice", long_notice_case)
    assert _outside(pdf) == []
    text = squeeze(pypdf_text(pdf))
    assert NAME_30 in text
    for mid in long_notice_case.missing:
        assert squeeze(module_store.catalog.service(12).material(mid).name) in text


def test_the_margin_check_can_fail():
    from reportlab.pdfgen.canvas import Canvas

    from desktop.forms import fonts

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(layout.PAGE_W, layout.PAGE_H), initialFontName=fonts.MAIN)
    fonts.draw(canvas, layout.PAGE_W - layout.MARGIN_X - 5, 400, "出界", 10)
    canvas.save()
    assert _outside(buffer.getvalue())


def _decode(pdf: bytes, page: int = 0) -> list[str]:
    """The QR codes on a page, rendered at 100 dpi by PDFium and read by zxing-cpp (as the scanner intake does)."""
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=100 / 72).to_pil()
    finally:
        doc.close()
    return [hit.text for hit in zxingcpp.read_barcodes(image)]


def test_receipt_qr_decodes_to_the_case_number(module_store, long_case):
    assert _decode(render(module_store, "receipt", long_case)) == [long_case.number]


def test_cover_qr_decodes_to_the_payload_the_scanner_parses(module_store, long_case):
    material = module_store.catalog.service(12).materials[3]
    pdf = render(module_store, "cover", long_case, material=material.id)
    assert pages(pdf) == 1
    [text] = _decode(pdf)
    assert text == f"YJS1|{long_case.number}|{material.id}"
    assert coversheet.parse_cover_payload(text) == (long_case.number, material.id)
    words = pypdf_text(pdf)
    assert material.name in squeeze(words) and long_case.number in words


def test_cover_payload_round_trip_and_refusals():
    payload = coversheet.cover_payload("439901-W03-20261127-0001", "hukou_book")
    assert payload == "YJS1|439901-W03-20261127-0001|hukou_book"
    assert coversheet.parse_cover_payload(payload + "\n") == ("439901-W03-20261127-0001", "hukou_book")
    for junk in ("439901-W03-20261127-0001", "YJS2|439901-W03-20261127-0001|hukou_book",
                 "YJS1|439901-W03-20261127-0001|Hukou", "YJS1||hukou_book", "YJS1|a|b|c"):
        assert coversheet.parse_cover_payload(junk) is None, junk
    with pytest.raises(ValueError):
        coversheet.cover_payload("439901-W03-20261127-0001", "bad|id")


def test_scanner_intake_finds_every_printed_cover_sheet(module_store, long_case, tmp_path):
    from desktop.intake import coverbatch

    path = tmp_path / "covers.pdf"
    path.write_bytes(render(module_store, "cover", long_case))
    found = coverbatch.find_covers(path)
    assert [(c.page, c.case_number) for c in found] == [(n, long_case.number) for n in range(15)]
    assert [c.material_id for c in found] == [m.id for m in module_store.catalog.service(12).materials]


def test_no_line_starts_with_a_chinese_comma_or_closing_mark():
    text = "【温馨提示】①请妥善保管本回执，查询进度、补交材料和领取结果时请出示本回执及有效身份证件。②帮代办服务免费，" * 6
    for style in (layout.SMALL, layout.BODY, layout.CELL):
        for width, lead in ((w, lead) for w in range(200, 480, 7) for lead in ("", "☑")):  # one font, two
            para = layout.para(lead + text, style)  # reportlab breaks one-font and mixed-font text apart
            para.wrap(width, 1000)
            starts = ["".join(getattr(w, "text", w) for w in line[1]) if isinstance(line, tuple)
                      else "".join(w.text for w in line.words) for line in para.blPara.lines]
            assert not [s for s in starts if s[:1] in "，；：！？》”）。、"], (style.name, width)
