"""Run in a child process whose offscreen platform has two virtual screens (a desk and a citizen's monitor):
open the rating from a clerk's window on screen 1 and rate through the real widgets; print what happened.

    QT_QPA_PLATFORM=offscreen:configfile=SCREENS.json python -m tests.ui.twoscreens DATA_DIR CASE_UUID
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.storage.store import Store
from desktop.ui import rating


def main(data_dir: str, uuid: str) -> None:
    app = QApplication([])
    screens = {s.name(): s for s in app.screens()}
    clerk = QWidget()
    clerk.setScreen(screens["desk"])
    clerk.setGeometry(screens["desk"].geometry().adjusted(10, 10, -10, -10))
    clerk.show()
    store = Store.open(Path(data_dir))
    desk = rating.ask(clerk, store, "lixiaolan", uuid)
    window = desk.window
    QTest.qWaitForWindowExposed(window)
    seen = {"screens": sorted(screens), "clerk_screen": clerk.screen().name(), "window_screen": window.screen().name(),
            "geometry": list(window.geometry().getRect()),
            "citizen_geometry": list(screens["citizen"].geometry().getRect()),
            "full_screen": window.isFullScreen()}
    QTest.mouseClick(window.level_buttons["very_dissatisfied"], Qt.MouseButton.LeftButton)
    window.reason_buttons["waiting"].click()
    window.note.setText("等了一个小时")
    QTest.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    seen["thanks_shown"] = window.pages.currentIndex() == 2
    store.close()
    print(json.dumps(seen))
    app.quit()


if __name__ == "__main__":
    main(*sys.argv[1:3])
