"""The bundled print fonts registered with Qt, so names on screen use the same faces as on paper."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from desktop.domain.errors import DeskError
from desktop.forms.fonts import font_files

_families: list[str] = []


def register_app_fonts() -> list[str]:
    """Add resources/fonts to the application's font database once; the family names, main face first.

    Call after the QGuiApplication exists. Fallback order matches the PDF chain: AR PL UMing CN, HanaMinA,
    HanaMinB (use them with QFont.setFamilies, e.g. via app_font()).
    """
    if not _families:
        for path in font_files():
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                raise DeskError(f"无法加载字体文件：{path}")
            names = QFontDatabase.applicationFontFamilies(font_id)
            # uming.ttc holds CN, HK, TW faces; the forms use the CN one, so the screen does too
            _families.extend(n for n in names if "UMing" not in n or n.endswith("CN"))
    return list(_families)


def app_font(point_size: float = 10.5) -> QFont:
    """A QFont with the bundled chain as its families, so 䶮 and 𠈌 show on screen as on paper."""
    font = QFont()
    font.setFamilies(register_app_fonts())
    font.setPointSizeF(point_size)
    return font
