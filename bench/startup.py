"""The real desk start, `python -m desktop` with the instance lock and a real login, to its first paint, as a ratio
against a bare PySide6 window painted the same way. Budget (issue 16): ≤ 1.5, the same at every size.

The desk logs in with --user and DESK_PASSWORD (argon2, the audit entry, the audit check at login) and quits
at its first paint (DESK_EXIT_AT_FIRST_PAINT); the bare window is a QMainWindow of the same size quitting at
its first paint. Each run is a fresh process; the two alternate.

    python bench/startup.py [--sizes 132,1000,10000,100000] [--runs 7]
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, data

BARE = """
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1366, 768)
class First(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.window() is w:
            app.removeEventFilter(self); print("first paint", flush=True); QTimer.singleShot(0, app.quit)
        return False
f = First(); app.installEventFilter(f); w.show(); app.exec()
"""


def measure(size: int, runs: int) -> tuple[float, float]:
    desk = common.python("-m", "desktop", "--data-dir", str(data.data_dir(size)), "--user", "lixiaolan")
    times = common.alternate({"bare": (common.python("-c", BARE), None),
                              "desk": (desk, common.env(DESK_PASSWORD=common.PASSWORD, DESK_EXIT_AT_FIRST_PAINT="1"))},
                             runs, timer=functools.partial(common.timed_to, b"first paint"))
    return times["desk"], times["bare"]


def main() -> None:
    args = common.arguments(sizes=(132, *common.SIZES), runs=7)
    for size in args.sizes:
        desk, bare = measure(size, args.runs)
        print(common.line(f"desk start to first paint, {size} cases", desk, bare, 1.5))


if __name__ == "__main__":
    main()
