"""Cut resources/fonts/BabelStoneHan-ExtGH.ttf out of Debian's BabelStone Han: only the ideographs the other
faces of the chain do not draw (Extensions G and H, and a few newer ones), TrueType outlines kept.

    apt-get download fonts-babelstone-han && dpkg -x fonts-babelstone-han_*.deb /tmp/bs
    pip install fonttools      (the `fonts` extra: a maintainer's tool, not needed to run the desk)
    python scripts/subset_babelstone.py /tmp/bs/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf
    python scripts/fontcoverage.py     (then the coverage index and README table follow the new face)
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"
IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F), (0x30000, 0x323AF))
OTHERS = (("uming.ttc", 0), ("HanaMinA.ttf", -1), ("HanaMinB.ttf", -1))


def main(source: str) -> None:
    have = set()
    for name, number in OTHERS:
        have |= set(TTFont(FONTS / name, lazy=True, fontNumber=number).getBestCmap())
    wanted = sorted(c for c in TTFont(source, lazy=True).getBestCmap()
                    if c not in have and any(lo <= c <= hi for lo, hi in IDEOGRAPHS))
    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    options.name_IDs, options.name_languages = ["*"], ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    font.save(FONTS / "BabelStoneHan-ExtGH.ttf")
    print(f"{len(wanted)} ideographs kept")


if __name__ == "__main__":
    main(sys.argv[1])
