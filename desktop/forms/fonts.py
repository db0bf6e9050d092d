"""The bundled CJK fonts: registered once per process, chosen per character, every glyph checked first.

reportlab draws one font per text run, so text is cut into runs by the first face of CHAIN that has a
drawable glyph for each character: AR PL UMing CN (a Song/Ming face for government paper), then
HanaMinA (CJK, Extension A, symbols) and HanaMinB (Extensions B–F). A character that no face has stops
the print with a ValidationError naming it: reportlab itself would print a blank without a word.
"""

from __future__ import annotations

import array
import re
import struct
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop.domain import paths
from desktop.domain.errors import ValidationError


@dataclass(frozen=True)
class FontFile:
    """One bundled face: the name forms use for it, its file in resources/fonts, its index in a collection."""

    name: str
    file: str
    subfont: int = 0


CHAIN = (FontFile("UMing", "uming.ttc"), FontFile("HanaMinA", "HanaMinA.ttf"), FontFile("HanaMinB", "HanaMinB.ttf"))
MAIN = CHAIN[0].name
_lock = threading.Lock()
_coverage: tuple[tuple[str, frozenset[int]], ...] | None = None
_font_of_char: dict[str, str | None] = {}
_ASTRAL = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")


def font_dir() -> Path:
    return paths.resources_dir() / "fonts"


def font_files() -> list[Path]:
    """The bundled font files, in fallback order (for Qt's QFontDatabase too)."""
    return list(dict.fromkeys(font_dir() / f.file for f in CHAIN))


class _Font(TTFont):
    """A TTFont whose ToUnicode CMaps give characters beyond the BMP as UTF-16 surrogate pairs.

    Works around reportlab 4–5 writing e.g. `<2020C>` (an odd-length hex string that pdftotext and pypdf
    reject), which makes 𠈌 vanish from extracted text and from search in PDF viewers.
    """

    def addObjects(self, doc) -> None:  # noqa: N802 (reportlab's name)
        super().addObjects(doc)
        for key, obj in doc.idToObject.items():
            if key.startswith("toUnicodeCMap:") and not getattr(obj, "_utf16_fixed", False):
                obj.content = _ASTRAL.sub(_surrogates, obj.content)
                obj._utf16_fixed = True


def _surrogates(match: re.Match[str]) -> str:
    units = chr(int(match[2], 16)).encode("utf-16-be").hex().upper()
    return f"<{match[1]}> <{units}>"


def _drawable(font: TTFont) -> frozenset[int]:
    """Code points mapped to a glyph with an outline (or whitespace, which has none by nature)."""
    face = font.face
    long_offsets = struct.unpack(">h", face.get_table("head")[50:52])[0]
    loca = array.array("I" if long_offsets else "H")
    loca.frombytes(face.get_table("loca"))
    if loca.itemsize > 1 and struct.pack("=H", 1) != struct.pack(">H", 1):
        loca.byteswap()
    last = len(loca) - 1
    return frozenset(
        code for code, glyph in face.charToGlyph.items()
        if 0 < glyph < last and (loca[glyph + 1] > loca[glyph] or chr(code).isspace())
    )


def ensure_registered() -> tuple[tuple[str, frozenset[int]], ...]:
    """Register the chain with reportlab and read its coverage, once per process (thread-safe)."""
    global _coverage
    with _lock:
        if _coverage is None:
            chain = []
            for f in CHAIN:
                font = _Font(f.name, str(font_dir() / f.file), subfontIndex=f.subfont)
                pdfmetrics.registerFont(font)
                chain.append((f.name, _drawable(font)))
            _coverage = tuple(chain)
        return _coverage


def font_for(ch: str) -> str | None:
    """The first face of the chain that can draw `ch`, or None."""
    if ch not in _font_of_char:
        code = ord(ch)
        _font_of_char[ch] = next((name for name, codes in ensure_registered() if code in codes), None)
    return _font_of_char[ch]


def unprintable(ch: str, where: str = "") -> ValidationError:
    """The clerk's message for a character no bundled font has."""
    shown = "（不可见字符）" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else f"“{ch}”"
    place = f"{where}中的" if where else ""
    return ValidationError(f"无法打印{place}字符{shown}（U+{ord(ch):04X}）：所有字体都没有该字形", field=where or None)


def runs(text: str, where: str = "") -> list[tuple[str, str]]:
    """`text` as (font name, substring) runs; raises ValidationError for a character no face can draw."""
    out: list[tuple[str, str]] = []
    for ch in text:
        name = font_for(ch)
        if name is None:
            raise unprintable(ch, where)
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


def check(text: str, where: str = "") -> None:
    """Raise ValidationError naming the first character of `text` that cannot be printed."""
    for line in _lines(text):
        runs(line, where)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")


def markup(text: str, where: str = "") -> str:
    """Paragraph markup for plain `text`: escaped, fallback runs in <font> tags, newlines as <br/>."""
    return "<br/>".join(
        "".join(escape(s) if name == MAIN else f'<font name="{name}">{escape(s)}</font>' for name, s in runs(line, where))
        for line in _lines(text)
    )


def fits_plain(text: str, size: float, room: float) -> bool:
    """Whether `text` is one line in the main face no wider than `room` (checked like everything else)."""
    if "\n" in text or "\r" in text:
        return False
    spans = runs(text)
    return len(spans) <= 1 and (not spans or spans[0][0] == MAIN) and pdfmetrics.stringWidth(text, MAIN, size) <= room


def width(text: str, size: float) -> float:
    """The drawn width of one line of `text` at `size` points."""
    return sum(pdfmetrics.stringWidth(s, name, size) for name, s in runs(text))


def draw(canvas, x: float, y: float, text: str, size: float, *, align: str = "left", bold: bool = False) -> None:
    """Draw one line on a reportlab canvas run by run; `bold` strokes the outlines (the faces have no bold)."""
    x -= {"left": 0, "center": width(text, size) / 2, "right": width(text, size)}[align]
    t = canvas.beginText(x, y)
    if bold:
        t.setTextRenderMode(2)
        canvas.setLineWidth(size / 32)
    for name, s in runs(text):
        t.setFont(name, size)
        t.textOut(s)
    canvas.drawText(t)
