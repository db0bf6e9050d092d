"""Real accepted cases for the form tests, made through Store.accept as the wizard does, and PDF readers."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop import forms
from desktop.domain import catalog as catalog_mod, eligibility
from desktop.domain.case import Case, MaterialState, Person
from desktop.intake import demo
from desktop.storage import settings
from desktop.storage.store import Store

DAY = dt.date(2026, 11, 27)
ACCEPTED_AT = dt.datetime(2026, 11, 27, 9, 41).astimezone()
PRINTED_AT = dt.datetime(2026, 11, 27, 9, 45).astimezone()
OFFICE = forms.OfficeInfo(office="演示县政务服务中心", county_name="演示县", address="演示县人民路88号",
                          phone="0731-88886666")


def draft(store: Store, number: int, *, seed: int = 1, proxy: bool = True, name: str | None = None,
          missing: int = 0, all_materials: bool = False) -> Case:
    """A complete draft for service `number`: eligible applicant, optional proxy, materials received."""
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY)
    if name:
        case.applicant.name = name
    if proxy:
        case.applied_by, case.proxy_kind, case.mandate_signed = "proxy", "village_agent", True
        case.proxy = Person(name="罗德明", phone="13907301234")
        if "village_agent" not in service.proxy.get("kinds", ["village_agent"]):  # 居住证: a close relative only
            case.proxy_kind = "relative"
            case.proxy = Person(name="罗德明", phone="13907301234", relation="儿子",
                                id_number=demo.make_id(random.Random(seed), dt.date(1990, 3, 9)))
    else:
        case.applied_by, case.proxy_kind, case.proxy, case.mandate_signed = "self", "", None, False
    more = demo.satisfying_answers(service, store.catalog, eligibility.facts(service, case))
    assert more is not None, f"no answers fit service {number} with proxy={proxy}"
    case.answers.update(more)
    demo.receive_all(service, case, leave_missing=missing)
    if all_materials:
        case.materials = {m.id: MaterialState(received="original", count=max(m.copies, 1)) for m in service.materials}
    return case


def accept(store: Store, case: Case, when: dt.datetime = ACCEPTED_AT) -> Case:
    return store.accept(case, actor="lixiaolan", now=when)


def render(store: Store, kind: str, case: Case, **kw) -> bytes:
    case = store.load(case.uuid)
    return forms.render(kind, case, store.catalog, office_info=kw.pop("office_info", OFFICE),
                        events=store.events(case.uuid), printed_at=PRINTED_AT, **kw)


def pypdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    """Run a poppler tool on the PDF. A developer machine with only Python skips this half of a check (the
    pypdf half still runs); CI installs poppler-utils (.ci/run), so there a missing tool is a failure."""
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: .ci/run must install poppler-utils")
        pytest.skip(f"{tool} not installed (Debian: apt-get install poppler-utils)")
    path = tmp_path / f"{tool}-in.pdf"
    path.write_bytes(pdf)
    proc = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, encoding="utf-8", check=True)
    return proc.stdout


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Text without whitespace: a long name wrapped over two lines in a cell reads back whole."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def module_store(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("forms") / "帮代办 数据"
    store = Store.open(data_dir, catalog_mod.load())
    for key, value in {"county_code": "439901", "window_code": "W03", "office": "演示县政务服务中心"}.items():
        settings.set_value(store.db, key, value)
    yield store
    store.close()
