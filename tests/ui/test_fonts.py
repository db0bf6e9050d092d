"""The print fonts on screen: only the printer's faces registered with Qt, a label with 䶮 and 𠈌 draws their\nreal glyphs, and a character no face draws is found before it shows as a box."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QLabel

from desktop.ui.fonts import app_font, register_app_fonts, screen_missing


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
    assert families == ["AR PL UMing CN", "HanaMinA", "HanaMinB", "BabelStone Han", "Jigmo2"]
    assert register_app_fonts() == families  # once per process
    assert set(families) <= set(QFontDatabase.families())
    # only the printer's face of uming.ttc: its HK and TW faces draw some characters differently
    assert not [f for f in QFontDatabase.families() if "UMing" in f and not f.endswith("CN")]


def test_a_character_no_face_draws_on_screen_is_named_not_boxed(qapp):
    assert screen_missing("王𠈌䶮\U00030000\U0002ebf0葛\U000e0100") == []
    assert screen_missing("张\ue000三\U000323b0") == ["\ue000", "\U000323b0"]


def test_label_with_extension_a_and_b_draws_each_glyph(qtbot):
    families = register_app_fonts()
    for ch in ("䶮", "𠈌"):
        assert any(QRawFont.fromFont(QFont(f, 28)).supportsCharacter(ord(ch)) for f in families), ch
    ext_a, ext_b, missing = _ink(qtbot, "䶮"), _ink(qtbot, "𠈌"), _ink(qtbot, "\ue000")
    assert ext_a and ext_b, "nothing drawn"
    assert len({frozenset(ext_a), frozenset(ext_b), frozenset(missing)}) == 3  # two glyphs, not two boxes
    both = _ink(qtbot, "张䶮 李𠈌明")
    assert len(both) > len(ext_a) + len(ext_b)
