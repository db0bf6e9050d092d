"""Bench: the ledger of 10,000 cases to PDF (budget DESIGN.md §7: < 5 s), against a plain reportlab table.

The cases are made the way the desk makes them (desktop.intake.demo: eligible applicants for every service, some
by proxy, some with materials missing) and written into a real store in one transaction; the ledger is then
queried from it and rendered. The baseline, measured in the same run, is the same cells as a plain reportlab
Table (Helvetica, no font chain, no chart) with its header repeated on every page.

    python bench/ledger.py [--cases 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.domain import catalog as catalog_mod
from desktop.forms import ledger as ledger_pdf
from desktop.intake import demo
from desktop.ledger import query as ledger
from desktop.storage import settings
from desktop.storage.store import Store

DAY = dt.date(2026, 11, 2)


def fill(store: Store, count: int, rng: random.Random) -> None:
    """`count` accepted cases over 30 days (as accept would write them), in one transaction."""
    templates = []
    for number in sorted(store.catalog.services):
        service = store.catalog.service(number)
        for _ in range(3):
            case = demo.eligible_case(service, store.catalog, rng, DAY)
            demo.receive_all(service, case, leave_missing=1 if rng.random() < 0.15 else 0)
            templates.append(store.accept(case, actor="lixiaolan", now=_at(DAY, rng)))
    store.audit = None  # the audit chain is not what is measured
    with store.db.atomic():
        for n in range(count - len(templates)):
            case = rng.choice(templates)
            day = DAY + dt.timedelta(days=n % 30)
            clone = type(case).from_dict(case.to_dict() | {"uuid": f"00000000-0000-4000-8000-{n:012d}"})
            clone.number = f"439901-W03-{day:%Y%m%d}-{n // 30 + 100:04d}"  # after the templates
            clone.accepted_at = _at(day, rng).isoformat()
            store._write(clone, dt.datetime.fromisoformat(clone.accepted_at), outbox=True)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59))).astimezone()


def baseline(result: ledger.LedgerResult) -> bytes:
    """The same cells in a plain reportlab Table on landscape A4 (Helvetica, header repeated)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    rows = [[c.title for c in ledger_pdf.COLUMNS]]
    rows += [ledger_pdf.cells(r, one_day=False) for r in result.rows]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4))
    doc.build([Table(rows, repeatRows=1, style=TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                                                           ("FONTSIZE", (0, 0), (-1, -1), 7)]))])
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "data", catalog_mod.load())
        for key, value in demo.DEMO_SETTINGS.items():
            settings.set_value(store.db, key, value)
        start = time.perf_counter()
        fill(store, args.cases, rng)
        print(f"filled {args.cases} cases in {time.perf_counter() - start:.1f} s")
        filters = ledger.Filters(DAY, DAY + dt.timedelta(days=29))
        ledger.render_pdf(ledger.query(store, ledger.Filters(DAY, DAY)))  # fonts registered, caches warm
        start = time.perf_counter()
        result = ledger.query(store, filters, today=DAY + dt.timedelta(days=30))
        queried = time.perf_counter() - start
        pdf = ledger.render_pdf(result)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        plain = baseline(result)
        base = time.perf_counter() - start
        store.close()
    print(f"ledger of {len(result.rows)} cases: query {queried:.2f} s, query + PDF {ours:.2f} s "
          f"({len(pdf) // 1024} KB); plain reportlab table {base:.2f} s ({len(plain) // 1024} KB); "
          f"ratio {ours / base:.2f} (budget: < 5 s)")
    return 0 if ours < 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
