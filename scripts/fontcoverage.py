"""Write resources/fonts/coverage.txt from the bundled faces, and print their coverage per CJK block.

The index is what the desk uses to pick a face per character without parsing the faces (desktop/forms/
fontindex.py); run this after changing a font, then paste the table into resources/fonts/README.md.

    python scripts/fontcoverage.py [--check]      (--check: exit 1 if the index no longer matches the faces)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.pdfbase.ttfonts import TTFont

from desktop.forms import fontindex, fonts

# (block, first, last, assigned characters as of Unicode 15.1)
BLOCKS = (
    ("CJK Unified Ideographs (URO)", 0x4E00, 0x9FFF, 20992),
    ("Extension A", 0x3400, 0x4DBF, 6592),
    ("Extension B", 0x20000, 0x2A6DF, 42720),
    ("Extension C", 0x2A700, 0x2B73F, 4154),
    ("Extension D", 0x2B740, 0x2B81F, 222),
    ("Extension E", 0x2B820, 0x2CEAF, 5762),
    ("Extension F", 0x2CEB0, 0x2EBEF, 7473),
    ("Extension G", 0x30000, 0x3134F, 4939),
    ("Extension H", 0x31350, 0x323AF, 4192),
    ("Extension I", 0x2EBF0, 0x2EE5F, 622),
    ("Compatibility Ideographs", 0xF900, 0xFAFF, 472),
    ("Compatibility Ideographs Supplement", 0x2F800, 0x2FA1F, 542),
)


def measured() -> list[tuple[str, frozenset[int]]]:
    chain = []
    for f in fonts.CHAIN:
        font = TTFont(f.name, str(fonts.font_dir() / f.file), subfontIndex=f.subfont)
        chain.append((f.name, fontindex.drawable(font)))
    return chain


def table(chain: list[tuple[str, frozenset[int]]]) -> str:
    names = [n for n, _ in chain]
    rows = ["| block | assigned | " + " | ".join(names) + " | the chain |", "|---" * (len(names) + 3) + "|"]
    for block, lo, hi, assigned in BLOCKS:
        per = [sum(lo <= c <= hi for c in codes) for _, codes in chain]
        union = len({c for _, codes in chain for c in codes if lo <= c <= hi})
        rows.append(f"| {block} | {assigned} | " + " | ".join(map(str, per)) + f" | {union} ({union / assigned:.1%}) |")
    return "\n".join(rows)


def main() -> int:
    chain = measured()
    text = fontindex.format_index(chain)
    path = fonts.font_dir() / fontindex.INDEX
    if "--check" in sys.argv:
        same = path.read_text(encoding="ascii") == text
        print("index matches the faces" if same else f"{path} is out of date: run scripts/fontcoverage.py")
        return 0 if same else 1
    path.write_text(text, encoding="ascii")
    print(table(chain))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
