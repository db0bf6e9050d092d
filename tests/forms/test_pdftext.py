"""pdftext: the ledger's own text encoding gives every character the code reportlab's subsets give it."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from desktop.forms import fonts, pdftext

# 600 common ideographs (three 256-glyph subsets), digits and brackets, rare characters of the main face
# (䶮 Extension A, 𠈌 Extension B) and two only the fallback faces draw (Extension G: BabelStone Han;
# Extension I: Jigmo)
COMMON = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 600) if fonts.font_for(chr(c)) == fonts.MAIN)
LINES = [COMMON[i:i + 37] + f"（{i}）" for i in range(0, len(COMMON), 37)] + ["单䶮", "王𠈌明", "张\U00031350", "李\U0002EBF0",
                                                                      "(a)\\b", "430521********1595"]


def reportlab_codes(line: str, doc) -> list[tuple[str, bytes]]:
    out = []
    for font, run in fonts.runs(line):
        face = fonts.face(font)
        out += [(face.getSubsetInternalName(s, doc), chunk) for s, chunk in face.splitString(run, doc)]
    return merged(out)


def merged(pieces: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Neighbours in one subset joined (the ASCII fast path may end a piece where reportlab's run goes on)."""
    out: list[tuple[str, bytes]] = []
    for name, chunk in pieces:
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + chunk)
        else:
            out.append((name, chunk))
    return out


def decoded(shown: str) -> bytes:
    """A PDF string operand back to its bytes: <hex> or a literal with backslash escapes."""
    if shown.startswith("<"):
        return bytes.fromhex(shown[1:-1])
    text, out, i = shown[1:-1], bytearray(), 0
    while i < len(text):
        if text[i] == "\\":
            out.append(ord(text[i + 1]))
            i += 2
        else:
            out.append(ord(text[i]))
            i += 1
    return bytes(out)


def test_codes_and_subsets_are_those_reportlab_assigns():
    ours, theirs = Canvas(io.BytesIO())._doc, Canvas(io.BytesIO())._doc
    encoder = pdftext.Encoder(ours)
    names = set()
    for line in LINES:
        shown = merged([(name, decoded(s)) for name, s in encoder.pieces(fonts.runs(line))])
        assert shown == reportlab_codes(line, theirs), line
        names |= {name for name, _ in shown}
    assert {"+0", "+1", "+2"} <= {name[-2:] for name in names}  # three subsets of the main face
    assert len({name.split("+")[0] for name in names}) == 3  # and the two fallback faces


def test_ascii_is_a_readable_literal_and_the_rest_hex():
    encoder = pdftext.Encoder(Canvas(io.BytesIO())._doc)
    assert encoder.show(fonts.runs("(a)\\b"), "7.5").endswith("+0 7.5 Tf (\\(a\\)\\\\b) Tj")  # /F<n>: the doc's nth face
    [(name, shown)] = encoder.pieces(fonts.runs("张"))
    assert name.endswith("+0") and shown.startswith("<") and len(shown) == 4
