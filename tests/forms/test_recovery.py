"""The recovery paper: the key in groups to type and as a QR code that scans back to the same key."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader

from desktop.forms import recovery
from desktop.storage import crypto


def test_the_paper_carries_the_key_twice_and_a_rare_name_prints(tmp_path):
    code = crypto.new_recovery_code()
    pdf = recovery.render(code, device="演示县政务服务中心 W03", made_at="2026-12-01 15:50", by="欧阳䶮𠈌")
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    text = PdfReader(path).pages[0].extract_text()
    assert "欧阳䶮𠈌" in text and "  ".join(code.split("-")[:4]) in text
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=2).to_pil()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [code]
    assert crypto.normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
