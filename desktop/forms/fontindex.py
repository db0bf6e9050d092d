"""Which bundled face draws which character, known without parsing the faces: the coverage index.

Parsing the four faces (≈80 MB) costs ≈0.8 s and ≈200 MB, so the chain's coverage is kept in
resources/fonts/coverage.txt (code point ranges per face, drawable glyphs only) and a face is parsed only
when a character needs it. `scripts/fontcoverage.py` writes the index from the faces themselves with
`drawable`; tests/forms/test_fonts.py checks that it still matches them. Variation sequences (IVS) are read
from the face's cmap format 14 subtable on first use, without parsing anything else.
"""

from __future__ import annotations

import array
import bisect
import struct
from functools import cache
from pathlib import Path

INDEX = "coverage.txt"


class Ranges:
    """A set of code points held as sorted, disjoint, inclusive ranges."""

    def __init__(self, pairs: list[tuple[int, int]]):
        self.starts = [a for a, _ in pairs]
        self.ends = [b for _, b in pairs]

    def __contains__(self, code: int) -> bool:
        i = bisect.bisect_right(self.starts, code) - 1
        return i >= 0 and code <= self.ends[i]

    def count(self, lo: int, hi: int) -> int:
        """How many code points of lo..hi (inclusive) are in the set."""
        return sum(max(0, min(b, hi) - max(a, lo) + 1) for a, b in zip(self.starts, self.ends, strict=True))


def to_ranges(codes: set[int] | frozenset[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for code in sorted(codes):
        if out and out[-1][1] == code - 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return [(a, b) for a, b in out]


def format_index(chain: list[tuple[str, set[int] | frozenset[int]]]) -> str:
    lines = ["# drawable code points per bundled face (hex ranges); written by scripts/fontcoverage.py"]
    for name, codes in chain:
        lines.append(name + " " + " ".join(f"{a:X}-{b:X}" if a != b else f"{a:X}" for a, b in to_ranges(codes)))
    return "\n".join(lines) + "\n"


@cache
def load(font_dir: Path) -> dict[str, Ranges]:
    """The index: face name → its drawable code points."""
    out: dict[str, Ranges] = {}
    for line in (font_dir / INDEX).read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            name, *spans = line.split()
            pairs = [tuple(int(x, 16) for x in (s.split("-") * 2)[:2]) for s in spans]
            out[name] = Ranges(pairs)  # type: ignore[arg-type]
    return out


def drawable(font) -> frozenset[int]:
    """Code points a reportlab TTFont maps to a glyph with an outline (or whitespace, which has none by nature)."""
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


def is_selector(ch: str) -> bool:
    """A variation selector: VS1–16 (U+FE00–FE0F) or an ideographic one, VS17–256 (U+E0100–E01EF)."""
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


@cache
def sequences(path: Path, subfont: int = 0) -> dict[int, tuple[Ranges, dict[int, int]]]:
    """A face's variation sequences: selector → (bases drawn with their default glyph, base → variant glyph)."""
    with open(path, "rb") as f:
        cmap = _table(f, subfont, b"cmap")
    if cmap is None:
        return {}
    count = struct.unpack_from(">H", cmap, 2)[0]
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        if (platform, encoding) == (0, 5) and struct.unpack_from(">H", cmap, offset)[0] == 14:
            return _format14(cmap, offset)
    return {}


def _table(f, subfont: int, tag: bytes) -> bytes | None:
    head = f.read(12)
    base = 0
    if head[:4] == b"ttcf":
        f.seek(12 + 4 * subfont)
        base = struct.unpack(">I", f.read(4))[0]
        f.seek(base)
        head = f.read(12)
    for i in range(struct.unpack_from(">H", head, 4)[0]):
        f.seek(base + 12 + 16 * i)
        name, _, offset, length = struct.unpack(">4sIII", f.read(16))
        if name == tag:
            f.seek(offset)
            return f.read(length)
    return None


def _u24(data: bytes, at: int) -> int:
    return int.from_bytes(data[at:at + 3], "big")


def _format14(cmap: bytes, at: int) -> dict[int, tuple[Ranges, dict[int, int]]]:
    out = {}
    for i in range(struct.unpack_from(">I", cmap, at + 6)[0]):
        rec = at + 10 + 11 * i
        selector = _u24(cmap, rec)
        default_at, special_at = struct.unpack_from(">II", cmap, rec + 3)
        pairs: list[tuple[int, int]] = []
        if default_at:
            n = struct.unpack_from(">I", cmap, at + default_at)[0]
            for j in range(n):
                start = _u24(cmap, at + default_at + 4 + 4 * j)
                pairs.append((start, start + cmap[at + default_at + 7 + 4 * j]))
        glyphs = {}
        if special_at:
            n = struct.unpack_from(">I", cmap, at + special_at)[0]
            for j in range(n):
                entry = at + special_at + 4 + 5 * j
                glyphs[_u24(cmap, entry)] = struct.unpack_from(">H", cmap, entry + 3)[0]
        out[selector] = (Ranges(pairs), glyphs)
    return out
