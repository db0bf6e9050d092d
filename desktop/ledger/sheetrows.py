"""The ledger's case rows written straight into an XlsxWriter-made worksheet's XML.

XlsxWriter costs about 12 µs of Python per cell (argument checks, a cell object, then an XML writer call per
attribute): 1.1 million cells for a year's 50,000 cases took 11–14 s. The workbook — styles, column widths,
frozen headings, the title and heading rows, the totals sheets — is still made by XlsxWriter; only the case rows
are added here, one f-string per cell with each distinct string escaped once, as inline strings (as XlsxWriter's
own constant_memory mode writes them). docs/decisions.md, "The ledger's XLSX rows".
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 in the 1900 date system (its 1900 leap-year bug included)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML: written as _xHHHH_, as Excel does
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")  # what _escape changes


def excel_serial(value: dt.date) -> float:
    """A date or naive date-time as Excel's serial day number."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _CONTROL.search(text):
        text = text.replace("_x", "_x005F_x")
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def serial_of(iso: str) -> float:
    """An ISO date-time's wall-clock time as Excel's serial day number (excel_serial of it without its zone),
    from its fields: no naive copy and no timedelta for each of a year's 50,000 acceptance times."""
    t = dt.datetime.fromisoformat(iso)
    return t.toordinal() - _EPOCH_DAY + (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400


_EPOCH_DAY = EPOCH.toordinal()


class RowWriter:
    """Cells as worksheet XML; `styles` are the columns' XlsxWriter xf indices (None: the default style).

    A row is its cells joined by its row number: each cell's XML after the number, followed by the start of the
    next cell up to its number (`…</c><c r="C`), is what a column writes for a value, made once per distinct
    value and then looked up (a year's columns repeat their states, services, places, clerks and dates), all of
    a row's lookups in one `map`. Numbers are made each time: they are every row's own."""

    def __init__(self, styles: Sequence[int | None]):
        # with the export, not with the module (xlsx.values uses it)
        from xlsxwriter.utility import xl_col_to_name

        starts = [f'<c r="{xl_col_to_name(c)}' for c in range(len(styles))]  # + row number + the rest
        self._first = starts[0]
        self._next = starts[1:] + [""]
        self.styles = [f'" s="{s}"' if s is not None else '"' for s in styles]
        self._seen: list[dict[Any, str]] = [{} for _ in styles]  # per column: value → its XML after the number
        self._keyed: list[dict[Hashable, str]] = [{} for _ in styles]  # keyed_row's: key → that XML
        # the XML after the row number of a plain text and of a number, as _part writes them ('%' formats)
        cells = list(zip(self.styles, self._next, strict=True))
        self._text = [f'{s} t="inlineStr"><is><t>%s</t></is></c>{n}' for s, n in cells]
        self._int = [f"{s}><v>%d</v></c>{n}" for s, n in cells]
        self._float = [f"{s}><v>%.16G</v></c>{n}" for s, n in cells]

    def row(self, r: int, values: Sequence[Any]) -> str:
        """One row (`r` counted from 1) as `<row>` XML; None and '' are empty cells (keeping a column's style)."""
        if len(values) != len(self._seen):
            raise ValueError(f"{len(values)} values for {len(self._seen)} columns")
        parts: list[Any] = list(map(dict.get, self._seen, values))  # TypeError for an unhashable value: a bug
        if None in parts:  # the columns not seen with this value yet, and the numbers
            for column, part in enumerate(parts):
                if part is None:
                    parts[column] = self._part(column, values[column])
        n = str(r)
        return f'<row r="{n}">{self._first}{n}{n.join(parts)}</row>'

    def keyed_row(self, r: int, own: Sequence[Any], keys: Sequence[Hashable], make: Callable[[], Sequence[Any]]
                  ) -> str:
        """The same `<row>` as `row(r, [*own, *make()])`, made from keys: `own` are the first cells' values (each
        row's own: numbers, names, ID numbers; never kept), `keys` one per further column, equal keys meaning equal
        values in that column (an item tuple for its joined names, a due date's ISO text for its serial). Only a key
        not seen before costs `make()`, those columns' values; a year's rows repeat their keys, so a row is mostly
        its own cells and one `map` of lookups (issue 16)."""
        skip = len(own)
        if skip + len(keys) != len(self._seen):
            raise ValueError(f"{skip} + {len(keys)} values for {len(self._seen)} columns")
        parts: list[Any] = [None] * skip
        for column, value in enumerate(own):  # _part(column, value, keep=False), inline for the usual cases
            kind = type(value)
            if kind is str and value and value == value.strip() and not _SPECIAL.search(value):
                parts[column] = self._text[column] % value
            elif kind is int:
                parts[column] = self._int[column] % value
            elif kind is float:
                parts[column] = self._float[column] % value
            else:
                parts[column] = self._part(column, value, keep=False)
        found = list(map(dict.get, self._keyed[skip:], keys))
        if None in found:
            values = make()
            for column, part in enumerate(found):
                if part is None:
                    found[column] = self._keyed[skip + column][keys[column]] = self._part(skip + column, values[column],
                                                                                        keep=False)
        n = str(r)
        return f'<row r="{n}">{self._first}{n}{n.join(parts + found)}</row>'

    def _part(self, column: int, value: Any, keep: bool = True) -> str:
        """The column's XML for a value after the row number, up to the next cell's row number; kept for the
        column's next row of that value (unless `keep` is false), unless it is a number (every row's own)."""
        style, kind = self.styles[column], type(value)
        if kind is str and value:
            space = ' xml:space="preserve"' if value != value.strip() else ""
            cell = f'{style} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
        elif value is None or value == "":
            cell = style + "/>"
        elif kind is int or kind is bool:
            return f"{style}><v>{int(value)}</v></c>{self._next[column]}"
        elif isinstance(value, dt.date):
            cell = f"{style}><v>{excel_serial(value):.16G}</v></c>"
        else:
            return f"{style}><v>{value:.16G}</v></c>{self._next[column]}"
        part = cell + self._next[column]
        if keep:
            self._seen[column][value] = part  # row() found the value hashable
        return part


def add_rows(workbook: bytes, sheet: str, first: int, rows: Iterable[str], count: int, columns: int) -> bytes:
    """`workbook` (XlsxWriter's bytes) with `rows` (XML of rows `first`.. in order) appended to the sheet data of
    the part `sheet` (e.g. xl/worksheets/sheet1.xml), and its dimension widened to cover them. The rows are
    streamed into the zip in chunks, compressed at level 1: for 60 MB of XML a third of level 6's time, for a
    file a quarter larger."""
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(workbook)) as src,
          zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst):
        for info in src.infolist():
            if info.filename != sheet:
                dst.writestr(info.filename, src.read(info))
                continue
            head, tail = _split(src.read(info).decode(), first, count, columns)
            with dst.open(info.filename, "w") as part:
                part.write(head.encode())
                for chunk in _chunks(rows):
                    part.write(chunk.encode())
                part.write(tail.encode())
    return out.getvalue()


def _chunks(rows: Iterable[str], size: int = 2000) -> Iterable[str]:
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def _split(xml: str, first: int, count: int, columns: int) -> tuple[str, str]:
    """The sheet's XML before and after where the rows go, its dimension covering them."""
    from xlsxwriter.utility import xl_col_to_name

    head, found, tail = xml.partition("</sheetData>")
    if not found:  # XlsxWriter writes the title and headings first, so the sheet data is never empty
        raise ValueError("the worksheet has no sheet data to add rows to")
    last = max(first + count - 1, 1)
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{xl_col_to_name(columns - 1)}{last}"/>',
                  head, count=1)
    return head, found + tail
