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
from collections.abc import Iterable, Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name

EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 in the 1900 date system (its 1900 leap-year bug included)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML: written as _xHHHH_, as Excel does


def excel_serial(value: dt.date) -> float:
    """A date or naive date-time as Excel's serial day number."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _CONTROL.search(text):
        text = text.replace("_x", "_x005F_x")
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


class RowWriter:
    """Cells as worksheet XML; `styles` are the columns' XlsxWriter xf indices (None: the default style)."""

    def __init__(self, styles: Sequence[int | None]):
        self.starts = [f'<c r="{xl_col_to_name(c)}' for c in range(len(styles))]  # + row number + a style's end
        self.styles = [f'" s="{s}"' if s is not None else '"' for s in styles]
        self._strings: dict[str, str] = {}

    def row(self, r: int, values: Sequence[Any]) -> str:
        """One row (`r` counted from 1) as `<row>` XML; None and '' leave the cell out unless it has a style."""
        n, strings, cells = str(r), self._strings, []
        for start, style, value in zip(self.starts, self.styles, values, strict=True):
            kind = type(value)
            if kind is str and value:
                body = strings.get(value) or self._string(value)
            elif value is None or value == "":
                if style == '"':
                    continue
                body = "/>"
            elif kind is int:
                body = f"><v>{value}</v></c>"
            elif isinstance(value, dt.date):
                body = f"><v>{excel_serial(value):.16G}</v></c>"
            else:
                body = f"><v>{value:.16G}</v></c>"
            cells.append(start + n + style + body)
        return f'<row r="{r}">{"".join(cells)}</row>'

    def _string(self, text: str) -> str:
        space = ' xml:space="preserve"' if text != text.strip() else ""
        body = self._strings[text] = f' t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'
        return body


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
    head, found, tail = xml.partition("</sheetData>")
    if not found:  # XlsxWriter writes the title and headings first, so the sheet data is never empty
        raise ValueError("the worksheet has no sheet data to add rows to")
    last = max(first + count - 1, 1)
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{xl_col_to_name(columns - 1)}{last}"/>',
                  head, count=1)
    return head, found + tail
