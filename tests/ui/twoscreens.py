"""Two virtual screens (a desk and a citizen's monitor) on Qt's offscreen platform, for the citizen-facing windows.

`run(flow, data_dir, uuid, tmp_path)` starts a child process (one QApplication per process, and the platform's
screens are fixed when it starts) whose platform has both screens; there a clerk's window on the desk's screen
opens the flow, which goes through the real widgets and prints what it saw as one JSON line:

- `rating`: 请群众评价, then a 非常不满意 with a reason and a note, sent;
- `signing`: 屏上签名, then the three signatures of the round, confirmed.

    QT_QPA_PLATFORM=offscreen:configfile=SCREENS.json python -m tests.ui.twoscreens rating|signing DATA_DIR UUID
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENS = [{"name": "desk", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96},
           {"name": "citizen", "x": 1366, "y": 0, "width": 1280, "height": 800, "logicalDpi": 96}]


def run(flow: str, data_dir: Path, uuid: str, tmp_path: Path) -> dict:
    """What the child saw of `flow` on the case `uuid` in `data_dir` (the caller's store closed or idle)."""
    config = tmp_path / "screens.json"
    config.write_text(json.dumps({"screens": SCREENS}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "tests.ui.twoscreens", flow, str(data_dir), uuid], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rate(clerk, store, uuid: str) -> tuple[Any, Callable[[], dict]]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.ui import rating

    window = rating.ask(clerk, store, "lixiaolan", uuid).window

    def go() -> dict:
        QTest.mouseClick(window.level_buttons["very_dissatisfied"], Qt.MouseButton.LeftButton)
        window.reason_buttons["waiting"].click()
        window.note.setText("等了一个小时")
        QTest.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        return {"thanks_shown": window.pages.currentIndex() == 2}

    return window, go


def _sign(clerk, store, uuid: str) -> tuple[Any, Callable[[], dict]]:
    from PySide6.QtWidgets import QLabel

    from desktop.storage import esign
    from desktop.ui import signing
    from tests.ui.test_signing import STROKE, draw_with_mouse

    note, done = QLabel(clerk), []
    window = signing.start(clerk, store, "lixiaolan", uuid, note, lambda: done.append(True)).window

    def go() -> dict:
        seen = {"note": note.text()}
        for n in range(len(signing.ROUND)):
            draw_with_mouse(window.pad, [(x + 40 * n, y) for x, y in STROKE])
            window.ok_button.click()
        return {**seen, "done": done == [True],
                "stored": sorted(f"{p}/{s}" for p, s in esign.latest(store.events(uuid)))}

    return window, go


FLOWS = {"rating": _rate, "signing": _sign}


def main(flow: str, data_dir: str, uuid: str) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.storage.store import Store

    app = QApplication([])
    screens = {s.name(): s for s in app.screens()}
    clerk = QWidget()
    clerk.setScreen(screens["desk"])
    clerk.setGeometry(screens["desk"].geometry().adjusted(10, 10, -10, -10))
    clerk.show()
    store = Store.open(Path(data_dir))
    window, go = FLOWS[flow](clerk, store, uuid)
    QTest.qWaitForWindowExposed(window)
    seen = {"screens": sorted(screens), "clerk_screen": clerk.screen().name(), "window_screen": window.screen().name(),
            "full_screen": window.isFullScreen(), "geometry": list(window.geometry().getRect()),
            "citizen_geometry": list(screens["citizen"].geometry().getRect())}
    seen |= go()
    store.close()
    print(json.dumps(seen, ensure_ascii=False))
    app.quit()


if __name__ == "__main__":
    main(*sys.argv[1:4])
