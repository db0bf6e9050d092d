"""The ledger's first and last pages as PNG, to look at: yesterday's ledger of a demo desk, the demo month, and
a day closed, changed and closed again (its second version). Needs poppler's pdftoppm.

    python scripts/ledger_pngs.py OUTDIR
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.domain import (
    catalog as catalog_mod,
    states,
)
from desktop.intake import demo
from desktop.ledger import close as ledger_close, query as ledger
from desktop.storage.store import Store


def pngs(pdf: bytes, folder: Path, stem: str) -> None:
    """Page 1 and the last page of `pdf` as OUTDIR/stem-first.png and stem-last.png (and the PDF itself)."""
    source = folder / f"{stem}.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, text=True, check=True).stdout
    last = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    for page, name in ((1, "first"), (last, "last")):
        subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(source),
                        str(folder / f"{stem}-{name}")], check=True)
    print(f"{stem}: {last} 页")


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "demo", catalog_mod.load())
        demo.fill(store, days=30)
        today = dt.date.today()
        yesterday = max(dt.date.fromisoformat(r["accepted_date"]) for r in store.rows("accepted_date < ?",
                                                                                        [today.isoformat()]))
        pngs(ledger.render_pdf(ledger.query(store, ledger.Filters(yesterday, yesterday))), outdir, "day")
        month = ledger.query(store, ledger.Filters(today - dt.timedelta(days=30), today))
        pngs(ledger.render_pdf(month), outdir, "month")
        ledger_close.close_day(store, yesterday, actor="zhangli")
        row = next(r for r in store.cases_on(yesterday) if states.allowed_actions(r["state"]))
        store.transition(row["uuid"], states.allowed_actions(row["state"])[0].name, actor="zhangli", reason="演示")
        second = ledger_close.close_day(store, yesterday, actor="zhangli")
        pngs(ledger_close.closure_pdf(store, second), outdir, "closed-v2")
        store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "ledger-png"))
