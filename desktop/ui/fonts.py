"""The bundled print fonts registered with Qt, so names on screen use the same faces as on paper.

Only the faces the printer uses are registered: the CN face of uming.ttc (the printer's subfont 0), not its
HK and TW faces, whose glyphs for the same code points differ; so a name looks on screen as it prints.
"""

from __future__ import annotations

import struct
import threading

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QFontDatabase, QRawFont

from desktop.domain.errors import DeskError
from desktop.forms.fontindex import is_selector
from desktop.forms.fonts import CHAIN, font_dir

_families: list[str] = []
_raw: list[QRawFont] = []


def register_app_fonts() -> list[str]:
    """Add the print chain's faces to the application's font database once; the family names, main face first.

    Call after the QGuiApplication exists. Fallback order matches the PDF chain: AR PL UMing CN, HanaMinA,
    HanaMinB, BabelStone Han, Jigmo2 (use them with QFont.setFamilies, e.g. via app_font()).
    """
    if not _families:
        for f in CHAIN:
            path = font_dir() / f.file
            if path.suffix.lower() == ".ttc":
                font_id = QFontDatabase.addApplicationFontFromData(QByteArray(one_face(path.read_bytes(), f.subfont)))
            else:
                font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                raise DeskError(f"无法加载字体文件：{path}")
            _families.extend(QFontDatabase.applicationFontFamilies(font_id))
        warm_printer()
    return list(_families)


def warm_printer() -> None:
    """Parse the printer's main face and load the papers' code on a background thread, once the screen's fonts
    are in: the first receipt after start then pays only its own layout (issue 16: < 300 ms). A plain daemon
    thread, not worker.run: nothing comes back to the GUI, and a job still running when a short-lived app
    quits would find its Qt relay deleted. A failure here is not reported: the first print meets the same
    error and shows it."""
    threading.Thread(target=_warm, name="warm-printer", daemon=True).start()


def _warm() -> None:
    import contextlib

    from desktop import forms

    with contextlib.suppress(Exception):  # the first print raises the same error, where the clerk sees it
        forms.warm()


def one_face(ttc: bytes, index: int) -> bytes:
    """Face `index` of a TrueType collection as a standalone font file (its tables copied, unchanged)."""
    offset = struct.unpack_from(">I", ttc, 12 + 4 * index)[0]
    count = struct.unpack_from(">H", ttc, offset + 4)[0]
    records = [struct.unpack_from(">4sIII", ttc, offset + 12 + 16 * i) for i in range(count)]
    head = bytearray(ttc[offset:offset + 12])
    directory, body = bytearray(), bytearray()
    start = 12 + 16 * count
    for tag, checksum, at, length in records:
        directory += struct.pack(">4sIII", tag, checksum, start + len(body), length)
        body += ttc[at:at + length] + b"\0" * (-length % 4)
    return bytes(head + directory + body)


def app_font(point_size: float = 10.5) -> QFont:
    """A QFont with the bundled chain as its families, so 䶮 and 𠈌 show on screen as on paper."""
    font = QFont()
    font.setFamilies(register_app_fonts())
    font.setPointSizeF(point_size)
    return font


def screen_missing(text: str) -> list[str]:
    """The characters of `text` that none of the registered faces draws on screen (Qt would show a box)."""
    if not _raw:
        _raw.extend(QRawFont.fromFont(QFont(family, 12)) for family in register_app_fonts())
    return [ch for ch in dict.fromkeys(text)
            if not ch.isspace() and not is_selector(ch) and not any(raw.supportsCharacter(ord(ch)) for raw in _raw)]
