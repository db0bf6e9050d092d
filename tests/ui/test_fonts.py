"""The print fonts on screen: registered with Qt, and a label with 䶮 and 𠈌 draws their real glyphs."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QLabel

from desktop.ui.fonts import app_font, register_app_fonts


def _ink(qtbot, text: str) -> set[tuple[int, int]]:
    label = QLabel(text)
    label.setFont(app_font(28))
    qtbot.addWidget(label)
    label.adjustSize()
    image = label.grab().toImage()
    return {(x, y) for y in range(image.height()) for x in range(image.width())
            if QColor(image.pixel(x, y)).lightness() < 128}


def test_register_app_fonts_gives_the_print_chain(qapp):
    families = register_app_fonts()
    assert families == ["AR PL UMing CN", "HanaMinA", "HanaMinB"]
    assert register_app_fonts() == families  # once per process
    assert set(families) <= set(QFontDatabase.families())


def test_label_with_extension_a_and_b_draws_each_glyph(qtbot):
    families = register_app_fonts()
    for ch in ("䶮", "𠈌"):
        assert any(QRawFont.fromFont(QFont(f, 28)).supportsCharacter(ord(ch)) for f in families), ch
    ext_a, ext_b, missing = _ink(qtbot, "䶮"), _ink(qtbot, "𠈌"), _ink(qtbot, "\ue000")
    assert ext_a and ext_b, "nothing drawn"
    assert len({frozenset(ext_a), frozenset(ext_b), frozenset(missing)}) == 3  # two glyphs, not two boxes
    both = _ink(qtbot, "张䶮 李𠈌明")
    assert len(both) > len(ext_a) + len(ext_b)
