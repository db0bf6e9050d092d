"""Make resources/fonts/Jigmo-ExtGHI.ttf: the Extension G, H and I ideographs no other face of the chain draws,
from Jigmo (CC0, by Kamichikoichi, GlyphWiki-based), as served in 256-code-point WOFF2 slices by the
jigmo-webfonts project (github.com/frankslin/jigmo-webfonts, fonts/jigmo-XXXXXX.woff2; not its -sc/-tc variants).

    pip install fonttools brotli      (the `fonts` extra: a maintainer's tool, not needed to run the desk)
    python scripts/subset_jigmo.py SLICE.woff2 ...     (the slices 02eb00–02ee00 and 030000–032300)
    python scripts/fontcoverage.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"
BLOCKS = ((0x2EBF0, 0x2EE5F), (0x30000, 0x323AF))  # Extension I; Extensions G and H
OTHERS = (("uming.ttc", 0), ("HanaMinA.ttf", -1), ("HanaMinB.ttf", -1), ("BabelStoneHan-ExtGH.ttf", -1))


def main(slices: list[str]) -> None:
    have = set()
    for name, number in OTHERS:
        have |= set(TTFont(FONTS / name, lazy=True, fontNumber=number).getBestCmap())
    with tempfile.TemporaryDirectory() as tmp:
        plain = []
        for n, path in enumerate(slices):
            font = TTFont(path)
            font.flavor = None
            font.save(Path(tmp) / f"{n}.ttf")
            plain.append(str(Path(tmp) / f"{n}.ttf"))
        merged = Merger().merge(plain)
    wanted = sorted(c for c in merged.getBestCmap() if c not in have and any(a <= c <= b for a, b in BLOCKS))
    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    options.name_IDs, options.name_languages = ["*"], ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(merged)
    merged.save(FONTS / "Jigmo-ExtGHI.ttf")
    print(f"{len(wanted)} ideographs kept")


if __name__ == "__main__":
    main(sys.argv[1:])
