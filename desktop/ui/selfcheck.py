"""The Qt half of `python -m desktop --self-check` (desktop/cli/selfcheck.py): the ui is the one room with Qt."""

from __future__ import annotations


def check_qt() -> None:
    """Qt starts, QtPdf loads, the bundled fonts register and draw rare characters (for `--self-check`)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QApplication, QLabel

    from desktop.ui.app import install_translations
    from desktop.ui.fonts import register_app_fonts

    app = QApplication.instance() or QApplication([])
    assert register_app_fonts(), "bundled fonts"
    assert install_translations(app), "Qt's Chinese translations (qtbase_zh_CN.qm)"
    label = QLabel("自检 䶮𠈌")
    label.grab()
    QPdfDocument()
    del label, app

