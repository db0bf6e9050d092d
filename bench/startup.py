"""Start to a usable main window, as a ratio against a bare PySide6 window started the same way.

Each run is a fresh process that exits right after the first paint; both kinds alternate so machine noise
falls on both. Budget (DESIGN.md §7): ratio ≤ 1.5.   python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1366, 768); w.show(); app.processEvents()
"""
DESK = """
import sys
from desktop.storage.store import Store
from desktop.ui.app import make_app
from desktop.ui.mainwindow import MainWindow
from desktop.accounts.roles import Session
app = make_app([], bundled_fonts=False)  # as the desk starts: the print fonts are added after the first paint
w = MainWindow(Store.open(sys.argv[1]), Session("lixiaolan", "李晓兰", "clerk")); w.show(); app.processEvents()
"""


def timed(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--days", "30", "--data-dir", str(data)],
                       check=True, capture_output=True)
        timed(BARE), timed(DESK, str(data))  # warm the OS file cache for both
        bare, desk = [], []
        for _ in range(args.runs):
            bare.append(timed(BARE))
            desk.append(timed(DESK, str(data)))
    b, d = statistics.median(bare), statistics.median(desk)
    print(f"bare PySide6 window: {b * 1000:.0f} ms   desk main window (demo data): {d * 1000:.0f} ms")
    print(f"ratio {d / b:.2f}  (budget ≤ 1.5)")


if __name__ == "__main__":
    main()
