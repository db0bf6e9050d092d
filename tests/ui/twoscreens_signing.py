"""Run in a child process whose offscreen platform has two virtual screens (as tests/ui/twoscreens.py): the
signing round opened from a clerk's window on screen 1 must fill the citizen's screen; sign all three there.

    QT_QPA_PLATFORM=offscreen:configfile=SCREENS.json python -m tests.ui.twoscreens_signing DATA_DIR CASE_UUID
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop.storage import esign
from desktop.storage.store import Store
from desktop.ui import signing
from tests.ui.test_signing import STROKE, draw_with_mouse


def main(data_dir: str, uuid: str) -> None:
    app = QApplication([])
    screens = {s.name(): s for s in app.screens()}
    clerk = QWidget()
    clerk.setScreen(screens["desk"])
    clerk.setGeometry(screens["desk"].geometry().adjusted(10, 10, -10, -10))
    clerk.show()
    store = Store.open(Path(data_dir))
    note, done = QLabel(clerk), []
    desk = signing.start(clerk, store, "lixiaolan", uuid, note, lambda: done.append(True))
    window = desk.window
    QTest.qWaitForWindowExposed(window)
    seen = {"window_screen": window.screen().name(), "full_screen": window.isFullScreen(),
            "geometry": list(window.geometry().getRect()), "citizen_geometry": list(screens["citizen"].geometry().getRect()),
            "note": note.text()}
    for n in range(len(signing.ROUND)):
        draw_with_mouse(window.pad, [(x + 40 * n, y) for x, y in STROKE])
        window.ok_button.click()
    seen["done"] = done == [True]
    seen["stored"] = sorted(f"{p}/{s}" for p, s in esign.latest(store.events(uuid)))
    store.close()
    print(json.dumps(seen, ensure_ascii=False))
    app.quit()


if __name__ == "__main__":
    main(*sys.argv[1:3])
