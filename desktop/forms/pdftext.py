"""PDF text for pages of many small strings (the ledger), encoded with a dict per face instead of reportlab's
per-character `TTFont.splitString`, which took a third of a year's ledger.

    ops = Encoder(doc).show(fonts.runs(text), "7.5")   # '/F1+0 7.5 Tf <8182> Tj /F1+1 7.5 Tf (34) Tj'

A TrueType face is embedded as subsets of 256 glyphs, and the code of a character is its place in its subset.
Each character still gets its code from reportlab's own `splitString`, once per document and in the order
it is first drawn, so the subsets (and the fonts embedded at the end) are exactly those reportlab would make;
after that a line is a few C-speed dict lookups. Printable ASCII sits at its own code in the first subset
(reportlab's `asciiReadable`), so a case number or a date is only escaped.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

from reportlab.pdfbase import pdfmetrics

_ASCII = range(32, 127)
LITERAL = str.maketrans({"(": "\\(", ")": "\\)", "\\": "\\\\"})


class Encoder:
    """One document's character codes: face → character → (subset resource name, code as two hex digits)."""

    def __init__(self, doc):
        self.doc = doc
        self._codes: dict[str, dict[str, tuple[str, str]]] = {}
        self._ascii: dict[str, str | None] = {}  # face → its first subset's name when ASCII codes are ASCII

    @classmethod
    def frozen(cls, state: tuple[dict, dict]) -> Encoder:
        """An encoder that only knows the codes `state` (from `state()`) gives: a process drawing pages of a
        document it does not hold. A character without a code there is a bug (LookupError)."""
        found = cls(None)
        found._codes, found._ascii = state
        return found

    def state(self) -> tuple[dict, dict]:
        """The codes known so far, as plain dicts (picklable)."""
        return self._codes, self._ascii

    def learn(self, font: str, ch: str) -> None:
        """Give `ch` its code in `font` now, if it has none yet (the order of first use fixes the subsets)."""
        table = self._codes.get(font)
        if table is None:
            table = self._codes[font] = {}
        if ch not in table:
            self._learn(font, table, ch)

    @classmethod
    def of(cls, doc) -> Encoder:
        """The document's encoder, made on first use and kept with the document."""
        found = getattr(doc, "_pdftext_encoder", None)
        if found is None:
            found = doc._pdftext_encoder = cls(doc)
        return found

    def show(self, runs: list[tuple[str, str]], size: str) -> str:
        """The operators that show one line given as fonts.runs gives it, from the current text position;
        `size` as a PDF number (formatting a float costs more than the rest of a short line)."""
        return " ".join([f"{name} {size} Tf {shown} Tj" for name, shown in self.pieces(runs)])

    def pieces(self, runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """`(font resource, PDF string)` pieces of one line: printable ASCII as a literal string (readable,
        one byte a character), the rest as hex strings (two bytes a glyph where an escape takes four)."""
        out: list[tuple[str, str]] = []
        for font, text in runs:
            plain = self._ascii.get(font, "") if text.isascii() and text.isprintable() else None
            if plain == "":
                plain = self._ascii[font] = self._ascii_subset(font)
            if plain:
                out.append((plain, f"({text.translate(LITERAL)})"))
                continue
            table = self._codes.get(font)
            if table is None:
                table = self._codes[font] = {}
            try:
                codes = list(map(table.__getitem__, text))
            except KeyError:
                codes = [table.get(ch) or self._learn(font, table, ch) for ch in text]
            out += [(name, f"<{''.join(map(itemgetter(1), group))}>") for name, group in groupby(codes, itemgetter(0))]
        return out

    def literal_start(self, font: str, size: str) -> str | None:
        """`/F1+0 7.5 Tf (`: how `pieces` starts a line of printable ASCII in `font` (then the line translated
        with LITERAL, then `) Tj`), or None when that face's ASCII is not at its own codes."""
        name = self._ascii.get(font, "")
        if name == "":
            name = self._ascii[font] = self._ascii_subset(font)
        return f"{name} {size} Tf (" if name else None

    def _learn(self, font: str, table: dict[str, tuple[str, str]], ch: str) -> tuple[str, str]:
        if self.doc is None:
            raise LookupError(f"a character without a subset code in {font}")  # which one could be part of a name
        face = pdfmetrics.getFont(font)
        ((subset, code),) = face.splitString(ch, self.doc)
        found = table[ch] = (face.getSubsetInternalName(subset, self.doc), code.hex().upper())
        return found

    def _ascii_subset(self, font: str) -> str | None:
        """The first subset's name if every printable ASCII character has its own code there, else None."""
        face = pdfmetrics.getFont(font)
        if not hasattr(face, "splitString"):
            return None
        state = face._assignState(self.doc)
        if any(state.assignments.get(n) != n for n in _ASCII):
            return None
        return face.getSubsetInternalName(0, self.doc)
