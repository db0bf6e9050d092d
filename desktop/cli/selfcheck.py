"""`--self-check`: prove a build or install is whole, and exit 0.

It walks one real path through every library the desk loads at run time, so a frozen bundle that lost a
hidden import, a data file or a font fails here, in CI, the day it happens: the catalog, a data dir with a
Chinese name, the working-day calendar, pinyin, a case accepted as the wizard does, its receipt rendered
with the bundled fonts, read back with PDFium, its QR decoded with zxing, argon2 hashing, and Qt.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path


def run() -> int:
    from desktop.domain import catalog, workdays
    from desktop.storage import searchkeys, settings
    from desktop.storage.store import Store

    cat = catalog.load()
    assert len(cat.services) >= 20, "catalog incomplete"
    assert workdays.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert "sdf" in searchkeys.initials("单德发")
    with tempfile.TemporaryDirectory(prefix="desk-selfcheck-") as tmp:
        store = Store.open(Path(tmp) / "数据 目录", cat)
        try:
            settings.set_value(store.db, "county_code", "439901")
            settings.set_value(store.db, "window_code", "SELF")
            case = _accept(store)
            _check_receipt(store, case)
        finally:
            store.close()
    _check_passwords()
    _check_environment()
    from desktop.ui.selfcheck import check_qt  # Qt only once the core checks passed

    check_qt()
    print(f"自检通过：{len(cat.services)} 件一件事；数据库、工作日历、拼音、受理、回执（字体、PDF、二维码）、密码、Qt与高拍仪后端均可用")
    return 0


def _check_environment() -> None:
    """A frozen build runs in UTF-8 mode (build.spec) and carries the CA bundle its HTTPS client needs."""
    import sys

    import certifi

    if getattr(sys, "frozen", False):
        assert sys.flags.utf8_mode, "the bundle must run in Python's UTF-8 mode (build.spec OPTIONS)"
    assert Path(certifi.where()).is_file(), "CA bundle (certifi) missing"


def _accept(store):
    from desktop.intake import demo

    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(1), dt.date.today())
    case.applicant.name = "欧阳䶮𠈌"
    demo.receive_all(service, case)
    return store.accept(case, actor="selfcheck")


def _check_receipt(store, case) -> None:
    import io

    import pypdfium2
    import zxingcpp

    from desktop.forms import printing

    job = printing.prepare(store, case.uuid, "receipt")
    pdf = pypdfium2.PdfDocument(io.BytesIO(job.pdf))
    try:
        text = pdf[0].get_textpage().get_text_range()
        assert case.number in text and "欧阳䶮𠈌" in text, "receipt text"
        image = pdf[0].render(scale=2).to_pil()
    finally:
        pdf.close()
    codes = [c.text for c in zxingcpp.read_barcodes(image)]
    assert any(case.number in c for c in codes), "receipt QR"


def _check_passwords() -> None:
    from desktop.accounts import passwords

    hasher = passwords.default_hasher()
    assert passwords.matches(hasher, hasher.hash("selfcheck-密码"), "selfcheck-密码")
