"""The PySide6 6.12.0 None-reference leak is real, and the desk survives it (desktop/ui/immortal.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtWidgets import QCheckBox, QWidget

SCRIPT = textwrap.dedent(
    """
    {prelude}
    from PySide6.QtWidgets import QApplication, QCheckBox, QWidget
    app = QApplication([])
    class W(QWidget):
        def slot(self, *_):
            pass
    w, box = W(), QCheckBox()
    box.toggled.connect(w.slot)
    for _ in range(20000):
        box.setChecked(not box.isChecked())
    """
)


def test_pyside_still_drops_a_none_reference_per_slot_call(qtbot):
    """When this fails, PySide6 has fixed the leak: remove desktop/ui/immortal.py."""

    class Receiver(QWidget):
        def slot(self, *_):
            pass

    receiver, box = Receiver(), QCheckBox()
    qtbot.addWidget(receiver)
    qtbot.addWidget(box)
    box.toggled.connect(receiver.slot)
    before = sys.getrefcount(None)
    for _ in range(100):
        box.setChecked(not box.isChecked())
    assert before - sys.getrefcount(None) >= 90


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
@pytest.mark.parametrize(("prelude", "survives"), [("", False), ("import desktop.ui", True)])
def test_a_process_survives_the_leak_only_with_the_workaround(prelude, survives):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(prelude=prelude)], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=120)
    assert (proc.returncode == 0) is survives, proc.stderr[-300:]
