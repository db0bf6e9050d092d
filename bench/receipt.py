"""Receipt PDF time against a bare reportlab page with the same text and font, in the same run.

Budget (DESIGN.md §7): the receipt takes at most 2× the bare page and under 100 ms. Font registration is
paid once per process (desktop.forms.fonts.ensure_registered) and excluded from both sides, as the desk
pays it once at the first print.

    .venv/bin/python bench/receipt.py [--rounds N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from desktop import forms
from desktop.domain import catalog as catalog_mod
from desktop.domain.case import Person
from desktop.forms import fonts
from desktop.intake import demo
from desktop.storage import settings
from desktop.storage.store import Store


def real_case(data_dir: Path):
    """An accepted proxy case of service 7 (3 items, 7 materials): a typical, full receipt."""
    catalog = catalog_mod.load()
    store = Store.open(data_dir, catalog)
    for key, value in demo.DEMO_SETTINGS.items():
        settings.set_value(store.db, key, value)
    service = catalog.service(7)
    case = demo.eligible_case(service, catalog, random.Random(3), dt.date(2026, 11, 27))
    case.applicant.name = "王秀英"
    case.applied_by, case.proxy_kind, case.mandate_signed = "proxy", "village_agent", True
    case.proxy = Person(name="罗德明", phone="13907301234")
    demo.receive_all(service, case)
    case = store.accept(case, actor="李晓兰", now=dt.datetime(2026, 11, 27, 9, 41).astimezone())
    office = forms.OfficeInfo.from_settings(settings.get_all(store.db))
    store.close()
    return case, catalog, office


def text_lines(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [line for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()]


def bare_page(lines: list[str]) -> bytes:
    """The same text, line by line, in the same font on one canvas: no layout, tables or QR."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=fonts.MAIN)
    y = A4[1] - 40
    for line in lines:
        canvas.setFont(fonts.MAIN, 9)
        canvas.drawString(40, y, line)
        y -= 11
        if y < 40:
            canvas.showPage()
            y = A4[1] - 40
    canvas.save()
    return buffer.getvalue()


def timed(first, second, rounds: int) -> tuple[float, float]:
    """Median seconds of each, run alternately so that a busy machine weighs on both alike."""
    a, b = [], []
    for _ in range(rounds):
        for fn, samples in ((first, a), (second, b)):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    fonts.ensure_registered()
    with tempfile.TemporaryDirectory() as tmp:
        case, catalog, office = real_case(Path(tmp))

    def receipt() -> bytes:
        return forms.render("receipt", case, catalog, office_info=office)

    lines = text_lines(receipt())
    assert all(fonts.font_for(ch) == fonts.MAIN for line in lines for ch in line), "bare page needs one font"
    receipt_s, bare_s = timed(receipt, lambda: bare_page(lines), rounds)
    ratio = receipt_s / bare_s
    print(f"receipt: {receipt_s * 1000:.1f} ms (median of {rounds})")
    print(f"bare reportlab page, same {sum(map(len, lines))} characters, same font: {bare_s * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f}× (budget ≤ 2×, and < 100 ms)")
    ok = ratio <= 2 and receipt_s < 0.1
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
