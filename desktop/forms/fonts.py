"""The bundled CJK fonts: chosen per character from a coverage index, each face parsed only when needed.

reportlab draws one font per text run, so text is cut into runs by the first face of CHAIN that has a
drawable glyph for each character: AR PL UMing CN (a Song/Ming face for government paper), then
HanaMinA (CJK, Extension A, symbols), HanaMinB (Extensions B–F), BabelStone Han (Extensions G and H,
subset) and Jigmo (the rest of G and H, and Extension I; subset). Which face draws what comes from resources/fonts/coverage.txt (fontindex), so a face is parsed
and registered with reportlab only when a character needs it: the first receipt pays for UMing alone.
A character that no face has stops the print with a ValidationError naming it: reportlab itself would
print a blank without a word. A base character followed by a variation selector prints the variant
glyph where a face has the sequence (HanaMinA has ≈30,000), else the base.
"""

from __future__ import annotations

import logging
import marshal
import mmap
import os
import re
import sys
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from desktop.domain import paths
from desktop.domain.errors import ValidationError
from desktop.forms import fontindex


@dataclass(frozen=True)
class FontFile:
    """One bundled face: the name forms use for it, its file in resources/fonts, its index in a collection."""

    name: str
    file: str
    subfont: int = 0


log = logging.getLogger("desktop.forms.fonts")


CHAIN = (FontFile("UMing", "uming.ttc"), FontFile("HanaMinA", "HanaMinA.ttf"), FontFile("HanaMinB", "HanaMinB.ttf"),
         FontFile("BabelStoneHan", "BabelStoneHan-ExtGH.ttf"), FontFile("Jigmo", "Jigmo-ExtGHI.ttf"))
MAIN = CHAIN[0].name
_lock = threading.RLock()
_registered: dict[str, TTFont] = {}
_coverage: dict[str, fontindex.Ranges] | None = None
_unprintable_re: re.Pattern[str] | None = None
_beyond_main_re: re.Pattern[str] | None = None
_font_of_char: dict[str, str | None] = {}
_variants: dict[tuple[str, str], str | None] = {}  # (base, selector) → the stand-in character, or None
_stand_in_text: dict[int, str] = {}  # stand-in code point → the sequence it prints (for ToUnicode)
STAND_INS = 0x100000  # Supplementary Private Use Area-B: never typed by a clerk (the door refuses it)
_ASTRAL = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")


def font_dir() -> Path:
    return paths.resources_dir() / "fonts"


def font_files() -> list[Path]:
    """The bundled font files, in fallback order (for Qt's QFontDatabase too)."""
    return list(dict.fromkeys(font_dir() / f.file for f in CHAIN))


def coverage() -> dict[str, fontindex.Ranges]:
    """Face name → the code points it draws (from the index; nothing parsed), read once per process."""
    global _coverage
    if _coverage is None:
        _coverage = fontindex.load(font_dir())  # font_dir() resolves paths: not once per character
    return _coverage


class _Font(TTFont):
    """A TTFont whose ToUnicode CMaps give characters beyond the BMP as UTF-16 surrogate pairs.

    Works around reportlab 4–5 writing e.g. `<2020C>` (an odd-length hex string that pdftotext and pypdf
    reject), which makes 𠈌 vanish from extracted text and from search in PDF viewers. A variant glyph's
    stand-in code point reads back as the sequence it stands for (base and selector).
    """

    def __init__(self, name: str, source, **kw):
        # reportlab's TTFont makes its face by the module's name TTFontFace: ours (`_Face`, its character tables
        # cached) while this font is made (fonts are made under `_lock`)
        with _lock:
            ttfonts.TTFontFace = _Face
            try:
                super().__init__(name, source, **kw)
            finally:
                ttfonts.TTFontFace = _Face.__bases__[0]
        face, plain = self.face, self.face.get_table

        def get_table(tag: str):
            # reportlab's subsetting takes the whole glyf table (18 MB for UMing) to cut a few glyphs from it:
            # hand it a view that reads only those glyphs from the memory map
            return _TableView(face._ttf_data, face.get_table_pos(tag)[0]) if tag == "glyf" else plain(tag)

        face.get_table = get_table

    def addObjects(self, doc) -> None:  # noqa: N802 (reportlab's name)
        super().addObjects(doc)
        for key, obj in doc.idToObject.items():
            if key.startswith("toUnicodeCMap:") and not getattr(obj, "_utf16_fixed", False):
                obj.content = _ASTRAL.sub(_surrogates, obj.content)
                obj._utf16_fixed = True


class _Face(ttfonts.TTFontFace):
    """A face whose character tables (reportlab's cmap, widths and glyph positions: ≈0.1 s of Python for UMing,
    paid by every process that prints, both of a year's ledger among them) are read from the user's cache when
    the font file is the very one they were read from (`_cache_key`). Whatever reportlab's `extractInfo` sets
    for the characters is kept as it set it: nothing of its parsing is copied here."""

    def extractInfo(self, charInfo=1) -> None:  # noqa: N802, N803 (reportlab's names)
        super().extractInfo(0)  # names and metrics: cheap, and what a cache is checked against
        if not charInfo:
            return
        path, key = _cache_path(self), _cache_key(self)
        found = _cached(path, key)
        if found is not None:
            self.__dict__.update(found)
            return
        before = dict(self.__dict__)
        super().extractInfo(charInfo)
        made = {k: v for k, v in self.__dict__.items() if before.get(k, _cache_path) is not v}
        # a callable set again (the scale of the metrics) is the one just set by extractInfo(0)
        kept = {k: v for k, v in made.items() if not (k in before and callable(v))}
        if all(_plain(v) for v in kept.values()):
            _keep(path, key, kept)
        else:
            log.warning("the tables of font %s are not cached: reportlab set values that cannot be kept",
                        Path(self.filename).name)


FACE_CACHE = b"yijianshi-desk face tables 1\n"  # a cache file's first line; then crc32 (4 bytes), then marshal


def _cache_path(face) -> Path:
    """Where a face's tables are kept: one file per face of a font file (`uming.ttc--0.tables`)."""
    subfont = getattr(face, "subfontNameX", b"").decode()  # b"-0" in a collection
    return paths.cache_dir() / "fonts" / f"{Path(face.filename).name}-{subfont}.tables"


def _cache_key(face) -> tuple:
    """What must be the same for cached tables to be this face's: the font file (its name, size, modification
    time and every table's checksum), the face in it, and reportlab's, marshal's and Python's versions."""
    st = os.stat(face.filename)
    checksums = tuple((tag, t["checksum"], t["length"]) for tag, t in sorted(face.table.items()))
    return (Path(face.filename).name, st.st_size, st.st_mtime_ns, getattr(face, "subfontNameX", b""), checksums,
            reportlab.Version, marshal.version, tuple(sys.version_info[:2]))


def _plain(value) -> bool:
    if isinstance(value, (bool, int, float, str, bytes, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(map(_plain, value))
    if isinstance(value, dict):
        return all(map(_plain, value)) and all(map(_plain, value.values()))
    return False


def _cached(path: Path, key: tuple) -> dict | None:  # logs name the file only: its folder holds the account name
    """The tables kept in `path` for `key`; None (and a warning) when the file is corrupt or was made from
    another font file; None when there is none yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("the font cache %s cannot be read (%s); the font is read instead", path.name, type(exc).__name__)
        return None
    head = len(FACE_CACHE)
    body = data[head + 4:]
    try:
        if data[:head] != FACE_CACHE or int.from_bytes(data[head:head + 4], "big") != zlib.crc32(body):
            raise ValueError("not whole")
        kept_key, tables = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        log.warning("the font cache %s is corrupt; the font is read instead and the cache made again", path.name)
        return None
    if kept_key != key:
        log.warning("the font cache %s was made from another version of the font file; made again", path.name)
        return None
    return tables


def _keep(path: Path, key: tuple, tables: dict) -> None:
    """Write the cache (whole or not at all: a temporary file renamed); a failure only costs the next process
    the parsing."""
    body = marshal.dumps((key, tables))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(FACE_CACHE + zlib.crc32(body).to_bytes(4, "big") + body)
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("the font cache %s cannot be written (%s)", path.name, type(exc).__name__)
        temporary.unlink(missing_ok=True)


def _surrogates(match: re.Match[str]) -> str:
    code = int(match[2], 16)
    units = _stand_in_text.get(code, chr(code)).encode("utf-16-be").hex().upper()
    return f"<{match[1]}> <{units}>"


class _TableView:
    """Slices of one table of a mapped font file, read on demand."""

    def __init__(self, data, start: int):
        self.data, self.start = data, start

    def __getitem__(self, part: slice) -> bytes:
        return bytes(self.data[self.start + part.start:self.start + part.stop])


class _Mapped:
    """A font file reportlab reads as a read-only memory map instead of a 21 MB bytes copy: only the tables
    and glyphs it touches count against the process's memory (and they are shared with other processes)."""

    def __init__(self, path: Path):
        self.name = str(path)

    def read(self) -> mmap.mmap:
        with open(self.name, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # the map keeps its own handle


def face(name: str) -> TTFont:
    """The reportlab font `name`, parsed and registered on first use (thread-safe)."""
    font = _registered.get(name)
    if font is None:
        with _lock:
            font = _registered.get(name)
            if font is None:
                f = next(f for f in CHAIN if f.name == name)
                font = _Font(f.name, _Mapped(font_dir() / f.file), subfontIndex=f.subfont)
                pdfmetrics.registerFont(font)
                _registered[name] = font
    return font


def ensure_registered() -> None:
    """Register the main face, which every page uses by name; the others follow when a character needs them."""
    face(MAIN)


def font_for(ch: str) -> str | None:
    """The first face of the chain that can draw `ch` (registered by then), or None."""
    if ch not in _font_of_char:
        code = ord(ch)
        name = next((n for n, codes in coverage().items() if code in codes), None)
        if name is not None:
            face(name)
        _font_of_char[ch] = name
    return _font_of_char[ch]


def variant(base: str, selector: str) -> str | None:
    """The stand-in character that prints `base` + `selector` as the face's variant glyph, or None."""
    key = (base, selector)
    if key not in _variants:
        with _lock:
            if key not in _variants:
                _variants[key] = _find_variant(base, selector)
    return _variants[key]


def stand_ins() -> dict[int, str]:
    """This process's stand-ins: code point → the sequence it prints (for another process drawing with codes
    learnt here, `adopt_stand_ins`)."""
    with _lock:
        return dict(_stand_in_text)


def adopt_stand_ins(table: dict[int, str]) -> bool:
    """Print each sequence of `table` with its code point there, as the process that made `table` does: a
    stand-in's number is given in the order sequences are first met, so two processes that met different ones
    number them differently, and a ledger's child drawing with its parent's codes would print another
    variant's glyph for a number (desktop/ledger/pdfsplit.py). Sequences this process met and `table` lacks get
    numbers after the table's. True when a stand-in here changed its number (what was measured with it is
    stale)."""
    with _lock:
        if all(_stand_in_text.get(code) == text for code, text in table.items()):
            return False
        own = [text for code, text in sorted(_stand_in_text.items()) if text not in table.values()]
        _variants.clear()
        _stand_in_text.clear()
        for code, text in sorted(table.items()):
            _variants[(text[0], text[1:])] = _find_variant(text[0], text[1:], code)
        for text in own:
            _variants[(text[0], text[1:])] = _find_variant(text[0], text[1:])
        return True


def _find_variant(base: str, selector: str, stand_in: int | None = None) -> str | None:
    """The sequence's stand-in, numbered `stand_in` or else the next free number, its glyph given to it."""
    if stand_in is None:
        stand_in = max(_stand_in_text, default=STAND_INS - 1) + 1
    for f in CHAIN:
        table = fontindex.sequences(font_dir() / f.file, f.subfont).get(ord(selector))
        if table is None or ord(base) not in coverage()[f.name]:
            continue
        defaults, glyphs = table
        font = face(f.name)
        glyph = glyphs.get(ord(base)) or (font.face.charToGlyph.get(ord(base)) if ord(base) in defaults else None)
        if glyph:
            font.face.charToGlyph[stand_in] = glyph
            font.face.charWidths[stand_in] = font.face.charWidths.get(ord(base), font.face.defaultWidth)
            _stand_in_text[stand_in] = base + selector
            _font_of_char[chr(stand_in)] = f.name
            return chr(stand_in)
    return None


def unprintable(ch: str, where: str = "") -> ValidationError:
    """The clerk's message for a character no bundled font has: its code point, never the character itself
    (it would show as a box, or as nothing between the quotes)."""
    place = f"{where}中的" if where else ""
    return ValidationError(f"无法打印{place}字符（U+{ord(ch):04X}）：所有字体都没有该字形", field=where or None)


def runs(text: str, where: str = "") -> list[tuple[str, str]]:
    """`text` as (font name, substring) runs; raises ValidationError for a character no face can draw.

    A variation selector after a base makes the base its variant glyph where a face has the sequence;
    otherwise the selector is left out and the base prints (the door has warned about it).
    """
    if not text:
        return []
    if not beyond_main().search(text):  # the common case, one C-speed scan: the main face draws it all
        face(MAIN)
        return [(MAIN, text)]
    out: list[tuple[str, str]] = []
    for i, ch in enumerate(text):
        if fontindex.is_selector(ch):
            stand_in = variant(text[i - 1], ch) if i and out else None
            if stand_in is not None:
                _drop_last(out)
                _append(out, font_for(stand_in) or MAIN, stand_in)
            continue
        name = font_for(ch)
        if name is None:
            raise unprintable(ch, where)
        _append(out, name, ch)
    return out


def _append(out: list[tuple[str, str]], name: str, ch: str) -> None:
    if out and out[-1][0] == name:
        out[-1] = (name, out[-1][1] + ch)
    else:
        out.append((name, ch))


def _drop_last(out: list[tuple[str, str]]) -> None:
    name, s = out[-1]
    if len(s) > 1:
        out[-1] = (name, s[:-1])
    else:
        out.pop()


def _unprintable() -> re.Pattern[str]:
    """A pattern matching any character no face draws (line breaks, tabs and variation selectors aside)."""
    global _unprintable_re
    if _unprintable_re is None:
        spans = [(9, 10), (13, 13), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF)]
        _unprintable_re = _outside(spans + [s for r in coverage().values() for s in zip(r.starts, r.ends, strict=True)])
    return _unprintable_re


def beyond_main() -> re.Pattern[str]:
    """A pattern matching any character the main face does not draw, variation selectors included (they
    may pick a variant glyph from another face): text without one is a single run in the main face."""
    global _beyond_main_re
    if _beyond_main_re is None:
        main = coverage()[MAIN]
        _beyond_main_re = _outside([s for s in zip(main.starts, main.ends, strict=True)
                                    if not (s[0] <= 0xFE0F and s[1] >= 0xFE00)])
    return _beyond_main_re


def _outside(spans: list[tuple[int, int]]) -> re.Pattern[str]:
    """A character class matching every code point outside the given (first, last) spans."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    ranges = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in merged)
    return re.compile(f"[^{ranges}]")


def all_printable(text: str) -> bool:
    """Whether every character of `text` is drawn by some face (one regex search: for whole ledger rows)."""
    return not _unprintable().search(text)


def printable(text: str) -> tuple[str, list[str]]:
    """`text` with every character no face draws replaced by its code point in brackets ([U+E000]), and the
    code points replaced: for tables (the ledger) that must print whatever one name holds."""
    if not _unprintable().search(text):  # the common case, at C speed: a year's ledger has 800,000 cells
        return text, []
    missing: list[str] = []
    out = []
    for ch in text:
        if font_for(ch) is None and not fontindex.is_selector(ch) and ch not in "\r\n\t":
            missing.append(f"U+{ord(ch):04X}")
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out), missing


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
