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
    _check_camera_backend()
    _check_windows_pieces()
    del label, app


def _check_camera_backend() -> None:
    """QtMultimedia (the 高拍仪) loads with a media backend plugin; no camera need be attached."""
    from pathlib import Path

    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtMultimedia import QMediaDevices

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "multimedia"
    assert plugins.is_dir() and any(plugins.iterdir()), "plugins/multimedia (the 高拍仪's media backend) missing"
    QMediaDevices.videoInputs()


def _check_windows_pieces() -> None:
    """Qt's Chinese translations (its own dialogs), print support, and on Windows the real platform plugin and
    the default printer: the pieces a Windows bundle loses first."""
    import sys
    from pathlib import Path

    from PySide6.QtCore import QLibraryInfo, QTranslator
    from PySide6.QtPrintSupport import QPrinterInfo

    translator = QTranslator()
    assert translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), \
        "qtbase_zh_CN.qm (Qt's dialogs in Chinese) missing"
    printers = QPrinterInfo.availablePrinterNames()
    if sys.platform == "win32":
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
        assert (plugins / "platforms" / "qwindows.dll").is_file(), "qwindows.dll (the Windows platform plugin) missing"
        print(f"默认打印机：{QPrinterInfo.defaultPrinterName() or '（未设置）'}；共 {len(printers)} 台")

