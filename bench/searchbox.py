"""The home screen's search box at 1k / 10k / 100k cases, as the clerk waits for it: from the typing pause (the
debounce firing `run_search`) to the results painted: the query on the worker's own connection, the model and the
paint (DESIGN.md §7: < 50 ms; issue 16). bench/search.py times the query alone; bench/stalls.py how long the GUI
thread is blocked meanwhile.

The real main window on a copy of the cached data dir (bench/data.py). Baseline in the same run and the same
window: the same round trip for a search that queries nothing (the worker and its connection, an empty result,
the model, the paint): what any search costs the desk before its query. Rounds alternate between the searches.

    python bench/searchbox.py [--sizes 1000,10000,100000] [--runs 9]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import common, data
from bench.stalls import spin

BUDGET_MS = 50


def round_trip(window, text: str | None) -> float:
    """Seconds from `run_search` to the results view's next paint; `text` None: a search that queries nothing."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject

    from desktop.storage.store import Store

    home = window.home
    viewport = home.search_view.viewport()
    loop, marks = QEventLoop(), {}

    class Painted(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and "searched" in marks and "painted" not in marks:
                marks["painted"] = time.perf_counter()
                loop.quit()
            return False

    spy = Painted()
    viewport.installEventFilter(spy)
    searched = lambda: marks.setdefault("searched", time.perf_counter())  # noqa: E731
    home.searched.connect(searched)
    real = Store.search
    if text is None:  # on the class: the worker searches on a store (a connection) of its own
        Store.search = lambda self, *a, **k: []
    home.search.blockSignals(True)  # the box's text without its debounce timer: the pause is when we say
    home.search.setText(text or "查无")
    home.search.blockSignals(False)
    spin(30)
    start = time.perf_counter()
    home.run_search()
    loop.exec()
    home.searched.disconnect(searched)
    viewport.removeEventFilter(spy)
    Store.search = real
    found[text] = home.search_model.rowCount()
    return marks["painted"] - start


found: dict[str | None, int] = {}  # rows shown by each search, printed beside its time


def run(size: int, runs: int) -> tuple[dict[str, list[float]], dict[str, str | None]]:
    from desktop.accounts.roles import Session
    from desktop.storage.store import Store
    from desktop.ui.app import make_app
    from desktop.ui.mainwindow import MainWindow

    make_app([], bundled_fonts=False)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data.data_dir(size), copy)
        store = Store.open(copy)
        number = store.db.execute("SELECT number FROM cases WHERE number IS NOT NULL ORDER BY accepted_at DESC"
                                  ).fetchone()[0]
        window = MainWindow(store, Session("zhangli", "张丽", "supervisor"))
        window._start_intake = window._start_sync = lambda: None
        window.resize(1366, 768)
        window.show()
        spin(3000)  # past the start of the background work, as a clerk's first search is
        searches = {"nothing queried (baseline)": None, "a name (王秀英)": "王秀英", "pinyin initials (wxy)": "wxy",
                    "an ID tail (1234)": "1234", "a case number": number}
        times: dict[str, list[float]] = {name: [] for name in searches}
        for _ in range(runs):
            for name, text in searches.items():
                times[name].append(round_trip(window, text))
        window.close()
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone()
        store.close()
    return times, searches


def main() -> None:
    args = common.arguments(runs=9)
    for size in args.sizes:
        times, texts = run(size, args.runs)
        base = statistics.median(times.pop("nothing queried (baseline)"))
        for name, samples in times.items():
            ours = statistics.median(samples)
            verdict = "ok" if ours * 1000 < BUDGET_MS else "OVER"
            print(f"search box, {size:>6} cases: {name:<24} {ours * 1000:5.1f} ms to the paint / baseline "
                  f"{base * 1000:5.1f} ms   ratio {ours / base:5.2f}   (budget < {BUDGET_MS} ms)  {verdict}"
                  f"   {found[texts[name]]} rows")


if __name__ == "__main__":
    main()
