"""Render one of each paper from demo-like cases to docs/papers/*.png (70 dpi, first page) for the README.

Needs poppler's pdftoppm. Run: python scripts/make_papers.py
"""

import datetime as dt
import random
import subprocess
import tempfile
from pathlib import Path

from desktop import forms
from desktop.domain import catalog as catalog_mod
from desktop.domain.case import Person
from desktop.intake import demo
from desktop.storage import settings
from desktop.storage.store import Store

OUT = Path(__file__).resolve().parent.parent / "docs" / "papers"
DAY = dt.datetime(2026, 11, 27, 9, 41).astimezone()
OFFICE = forms.OfficeInfo(office="演示县政务服务中心", county_name="演示县", address="演示县人民路88号",
                          phone="0731-88886666", complaint_phone="12345")


def _case(store: Store, number: int, seed: int, *, missing: int = 0, proxy: bool = True):
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY.date())
    if proxy and "village_agent" in service.proxy.get("kinds", ["village_agent"]):
        case.applied_by, case.proxy_kind, case.mandate_signed = "proxy", "village_agent", True
        case.proxy = Person(name="罗德明", phone="13907301234", staff_no=demo.STAFF_NUMBERS["luodeming"])
    demo.receive_all(service, case, leave_missing=missing)
    case.clerk = "李晓兰"  # as the wizard sets it: the logged-in clerk's name (the actor is a username)
    return store.accept(case, actor="lixiaolan", now=DAY)


def _papers(store: Store):
    later = DAY + dt.timedelta(days=6)
    done = _case(store, 7, 1)
    yield "receipt", "receipt", done
    pending = _case(store, 3, 2, missing=1)
    yield "receipt", "intake-receipt", pending
    yield "notice", "notice", pending
    yield "consent", "consent", _case(store, 14, 3)
    yield "cover", "cover", done
    suspended = _case(store, 13, 4)
    store.transition(suspended.uuid, "suspend", actor="lixiaolan", reason="等待入户调查核实", now=later)
    yield "suspend", "suspend", suspended
    store.transition(done.uuid, "complete", actor="lixiaolan", now=later)
    yield "close", "close", done
    refused = _case(store, 19, 5, missing=1, proxy=False)
    store.transition(refused.uuid, "refuse", actor="lixiaolan", reason="申请人在本县居住未满半年，且无法提供连续就读证明", now=later)
    yield "refusal", "refusal", refused


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "data", catalog_mod.load())
        for key, value in {"county_code": "439901", "window_code": "W03", "office": OFFICE.office}.items():
            settings.set_value(store.db, key, value)
        demo.demo_staff(store.db)  # the accepting clerk's 工号 goes on the case, as at a real desk
        try:
            for kind, name, case in _papers(store):
                case = store.load(case.uuid)
                pdf = forms.render(kind, case, store.catalog, office_info=OFFICE, events=store.events(case.uuid),
                                   printed_at=DAY + dt.timedelta(days=7), material=None)
                src = Path(tmp) / "p.pdf"
                src.write_bytes(pdf)
                subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(src),
                                str(OUT / name)], check=True)
        finally:
            store.close()


if __name__ == "__main__":
    main()
