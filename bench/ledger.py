"""A year's ledger at 1k / 10k / 100k cases (the last: 49,732 cases in the year), to PDF and to XLSX, through the
CLI as a supervisor runs it. Budget (issue 16): ≤ 5 s each for a year's 50,000 cases. The PDF is run with one
process and with two, which split the rows (desktop/ledger/pdfsplit.py); the child's CPU is counted with the
command's.

Each format is timed as the real command (`python -m desktop ledger --from … --to … --local --out FILE`, login
included; wall and CPU time) and in-process by phase (query, render) in CPU seconds, which the shared machine's load distorts
less than wall time. The baseline, in the same run, is the same cells written by Python's csv module: the
least any export of these rows can cost, so the ratio says what the format itself costs.

    python bench/ledger.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, data

YEAR_END = dt.date.today() - dt.timedelta(days=31)  # the generated year, before the demo's own 30 days


def cpu(fn):
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def in_process(size: int) -> dict[str, float]:
    from desktop.ledger import query as ledger, xlsx
    from desktop.storage.store import Store

    store = Store.open(data.data_dir(size))
    try:
        filters = ledger.Filters(YEAR_END - dt.timedelta(days=364), YEAR_END)
        result, query_s = cpu(lambda: ledger.query(store, filters, hub="local"))
        _, pdf_s = cpu(lambda: ledger.render_pdf(result))
        _, xlsx_s = cpu(lambda: xlsx.write(result))
        _, csv_s = cpu(lambda: csv.writer(io.StringIO()).writerows(xlsx.values(r) for r in result.rows))
    finally:
        store.close()
    return {"rows": len(result.rows), "query": query_s, "pdf": pdf_s, "xlsx": xlsx_s, "csv": csv_s}


def through_cli(size: int, suffix: str, processes: str = "") -> tuple[float, float]:
    """Wall and CPU seconds (user + system, from wait4: a page helper's too) of the command; `processes`
    forces the PDF's page helper off ("1") or on ("2"), else the command decides (docs/ledger.md)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = common.python("-m", "desktop", "ledger", "--from", (YEAR_END - dt.timedelta(days=364)).isoformat(),
                            "--to", YEAR_END.isoformat(), "--local", "--out", str(Path(tmp) / f"ledger.{suffix}"),
                            "--data-dir", str(data.data_dir(size)), "--user", "zhangli")
        start = time.perf_counter()
        used = common.cpu_timed(cmd, common.env(DESK_PASSWORD=common.PASSWORD, DESK_LEDGER_PROCESSES=processes))
        return time.perf_counter() - start, used


def main() -> None:
    args = common.arguments()
    for size in args.sizes:
        t = in_process(size)
        base = t["query"] + t["csv"]
        for fmt, processes in (("pdf", "1"), ("pdf", "2"), ("xlsx", "")):
            wall, used = through_cli(size, fmt, processes)
            ours = t["query"] + t[fmt]
            verdict = "ok" if wall <= 5 else "OVER"
            how = f"{processes} process{'es' if processes == '2' else ''}" if processes else ""
            print(f"ledger {fmt.upper():<4} {size:>6} cases ({t['rows']} in the year): CLI {how:<11}{wall:5.1f} s wall "
                  f"{used:4.1f} s CPU (load {os.getloadavg()[0]:.1f}); "
                  f"query {t['query']:.1f} + render {t[fmt]:.1f} s CPU / query + csv {base:.1f} s   "
                  f"ratio {ours / base:4.1f}   (budget ≤ 5 s)  {verdict}")


if __name__ == "__main__":
    main()
