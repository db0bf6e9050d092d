"""A long ledger's PDF made by two processes that split the rows, not only the drawing (issue 16).

    helper = ledgerpages.Helper.start(warm=partial(pdfsplit.warm_child, data_dir))   # before the login: imports
    ...login...
    made = pdfsplit.render(store, filters, helper, hub=mode)  # (pdf, result), or None: not for these rows

The child (desktop/forms/ledgerpages.py) does nothing with the office's data until the parent asks, after the
login was accepted: it then opens the database read-only and reads the rows after `start` (the same query and
order, by OFFSET on the date index), makes their cells, wraps and measures them, and sends back small things:
each row's height and shading, the characters of each column in the order first met, and its rows' counts for
the totals. Meanwhile the parent reads, makes and wraps the rows before `start` (and SPAN rows on, and the last
SPAN rows: the pages it draws itself). The parent then lays out the whole table (it knows every height, so
第 x 页 共 y 页 is fixed), codes every character in the order one process would (ledgertable.Prepared.join),
and the child draws the full pages from `start` on with those codes while the parent draws the others; the
parent writes the one PDF. The document is byte for byte the one a single process writes.

Not split (None: the caller makes the ledger as before): a ledger from the hub, an overdue-only one (its
numbering is made after reading), an encrypted data dir (the child would need the key), fewer than MIN_ROWS
rows. When the child fails, dies, or its rows do not meet the parent's (the data changed between the two reads),
the parent logs it (no cell's text) and makes the whole ledger by itself: never a broken or mixed document.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import math
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from desktop.domain.errors import DeskError

log = logging.getLogger("desktop.ledger.pdfsplit")
# Of the rows, the child's (the last ones). The parent also logs in, lays out the first and last pages and
# writes the file, and the child makes a row's cells and draws a page about a seventh slower (its query skips
# the parent's rows; its parts arrive by pipe). With 0.53 the parent waited 0.7 s for the child's heights and
# 0.7 s for its pages (year's ledger, 2026-12-02 03:30, load 2.5); with 0.45 both phases end within 0.05-0.25 s
# of each other (docs/ledger.md). Once the child ran without the garbage collector (i16o) it drew its pages
# 0.25-0.5 s before the parent at 0.45; at 0.48 the phases end within ±0.4 s, either first (2026-12-02 05:40,
# load 2.6-4.3), at 0.50-0.51 the same.
SHARE = 0.48
MIN_ROWS = 4000  # fewer: one process is as fast; at least ledgertable.HEAD_ROWS must be the parent's


def warm(quietly: bool = False) -> None:
    """Imports and fonts only, no data: the child at its start and the parent during the login, both before
    the login is accepted. `quietly`: a failure is left to the work that needs it (it raises it again, with
    its own message), as a warm-up on a thread has no one to tell."""
    try:
        from desktop.forms import fonts, ledger  # noqa: F401 (imported for later)
        from desktop.ledger import query  # noqa: F401
        from desktop.storage import db  # noqa: F401

        fonts.ensure_registered()
        fonts.all_printable("")  # the coverage patterns compiled now (≈0.2 s), not when the rows come
        fonts.beyond_main()
    except Exception:
        if not quietly:
            raise


def warm_child(data_dir: str | None) -> None:
    """The child's warm-up: its log records first sent to the desk's log, as the parent's are (a stale font cache
    remade is logged there, never printed on the supervisor's terminal), then `warm`."""
    if data_dir:
        from desktop.storage import logs

        logs.setup(Path(data_dir), rotate=False)
    warm()


@dataclass(frozen=True)
class Rows:
    """The child's share: the rows of `filters` from `start` on, read from the database file `path`."""

    path: str
    catalog: str
    filters: Any  # query.Filters, checked
    names: dict[str, str]
    today: dt.date
    start: int
    overlap: int  # of its first rows, and of its last `tail`, the keys: the parent read those too
    tail: int


@dataclass(frozen=True)
class Pages:
    """Full table pages for the child to draw with the document's codes (DrawnParts.draw)."""

    parts: list[tuple[int, int]]
    codes: tuple[dict, dict]
    frame: Any  # page.StreamFrame
    page: tuple[float, float, float]
    header: str
    top: float  # the table's running height where the child's rows start
    stand_ins: dict[int, str]  # the parent's variant stand-ins, whose codes are among `codes` (fonts.adopt_stand_ins)


@dataclass(frozen=True)
class Numbers:
    """What the child's pages drawn (`Pages`) still need once the page count is known: their running header
    and footer (desktop.forms.ledger.decoration), the first one's page number, and the codes of the characters
    of 第 x 页 共 y 页 (given when the first page was decorated, after the child had the cells' codes)."""

    fixed: list[str]
    first: int
    total: int
    codes: dict[str, dict[str, tuple[str, str]]]


PAGE_NUMBER = "第页共 0123456789"  # the characters of any 第 x 页 共 y 页


class MismatchError(Exception):
    """The child's rows are not the ones after the parent's (the data changed between the two reads)."""


def render(store, filters, helper, *, hub: str = "auto", today: dt.date | None = None,
           **kw: Any) -> tuple[bytes, Any] | None:
    """The ledger's PDF and its result (whose `rows` are only the parent's; the totals are all of them's),
    made by this process and `helper`; None when the rows are not split (see the module's docstring). A
    failure of the helper is logged and the ledger made by this process alone. Keyword arguments pass to
    desktop.forms.ledger.render (printed_at); `today` decides what is overdue (the date's by default)."""
    from desktop.forms.ledgerpages import HelperError
    from desktop.ledger import query

    try:
        return _render(store, filters, helper, hub, today or dt.date.today(), kw)
    except DeskError:
        raise
    except (HelperError, MismatchError) as exc:
        log.error("bug: the ledger's split with its helper failed; this process made the whole ledger\n%s", exc)
    except Exception:  # a bug in the split: the one-process ledger all the same
        from desktop.storage.logs import redacted_report

        log.error("bug: the ledger's split failed; this process made the whole ledger\n%s",
                  redacted_report(*sys.exc_info()))
    result = query.query(store, filters, hub=hub, today=today)
    return query.render_pdf(result, **kw), result


def _render(store, filters, helper, hub: str, today: dt.date, kw: dict[str, Any]) -> tuple[bytes, Any] | None:
    from desktop.accounts.staff import Accounts
    from desktop.forms import fonts, ledger as paper
    from desktop.ledger import query
    from desktop.storage import catalogs, crypto, settings

    filters = filters.checked(store.catalog)
    values = settings.get_all(store.db)
    if filters.overdue_only or (hub != "local" and values.get("hub_url")) or store.data_dir is None \
            or crypto.is_encrypted(store.data_dir):
        return None
    names = Accounts(store.db).names()
    count = query.count_local(store, filters, names)
    if count < MIN_ROWS:
        return None
    start, span = count - round(count * SHARE), _span()
    mine = min(count, start + span)  # the rows of the pages that start before `start`
    tail = max(mine, count - span)  # the last page's rows, drawn on the canvas here
    path = Path(store.db.path or Path(store.data_dir) / "desk.sqlite")
    helper.ask(child_rows, Rows(str(path), str(catalogs.active_path(store.db, store.data_dir, today)), filters,
                                names, today, start, mine - start, count - tail))
    with query.bulk():
        head = query.mark_changed(store, query.local_rows(store, filters, names, today, limit=mine))
        last = query.mark_changed(store, query.local_rows(store, filters, names, today, offset=tail,
                                                          limit=count - tail)) if tail < count else []
        fonts.ensure_registered()
        columns, unprintable = paper.printed_columns(SimpleNamespace(rows=head, filters=filters))
        if unprintable:  # only those of this process's share
            unprintable = paper.printed_columns(SimpleNamespace(rows=head[:start], filters=filters))[1]
        ends, _ = paper.printed_columns(SimpleNamespace(rows=last, filters=filters))
        table = paper.prepared(columns, [r.overdue for r in head])  # the child's rows' places: `join`
        own = table.heights[start:mine]
        # what does not need the child's answer, made before waiting for it: this process's share's counts
        counted, changed = query.counts(head[:start]), any(r.changed_after_close for r in head[:start])
        result = query.result_of(store, filters, head + last, counted, values=values, names=names, today=today)
        theirs = helper.answer()
        if theirs["rows"] != count - start or theirs["keys"] != [(r.uuid, r.revision) for r in head[start:] + last]:
            raise MismatchError(f"the helper read {theirs['rows']} rows of {count - start}, or others")
        table.join(start, theirs)
        if table.heights[start:mine] != own or (last and table.fill(tail, ends) != table.heights[tail:]):
            raise MismatchError("the helper's rows are not as high as this process's")
        result.totals = query.totals_of(query.added(counted, theirs["counts"]), store.catalog)  # all the rows'
        made = paper.Made(table, unprintable + theirs["unprintable"],
                          changed or theirs["changed"])
        drawer = _Drawer(helper, start, mine, tail)
        return query.render_pdf(result, helper=drawer, made=made, **kw), result


def _span() -> int:
    """The most rows a page holds (each at least one line high), with one to spare: a page this process draws
    ends within so many rows of its start."""
    from desktop.forms import ledger as paper
    from desktop.forms.ledgertable import PAD_Y

    return math.ceil(paper.FRAME_H / (paper.LEADING + 2 * PAD_Y)) + 1


class _Drawer:
    """The canvas's helper (ledgertable.DrawnParts.streams): the full pages from row `start` on drawn by the
    child, the others here; this process holds rows before `mine` and from `tail` on. The child is given its
    pages as soon as they are laid out (`begin`, while platypus lays out and draws the last pages here) and
    their page numbers once the page count is known (`streams`)."""

    def __init__(self, helper, start: int, mine: int, tail: int):
        self.helper, self.start, self.mine, self.tail = helper, start, mine, tail
        self.drawn = 0
        self.begun: tuple[Any, int, Any] | None = None

    def begin(self, drawn, frame) -> None:
        from desktop.forms import fonts

        parts = drawn.parts
        cut = bisect.bisect_left([a for a, _ in parts], self.start)
        if any(end > self.mine for _, end in parts[:cut]) or parts[-1][1] < self.tail:
            raise MismatchError("a page this process draws has rows it did not read")  # SPAN too small: a bug
        self.helper.ask(child_pages, Pages(parts[cut:], drawn.p.encoder().state(), frame, drawn.page,
                                           drawn.p.header_row(drawn.p._doc), drawn.p.ends[self.start],
                                           fonts.stand_ins()))
        self.begun = (drawn, cut, frame)

    def streams(self, drawn, decorations, frame) -> list[bytes]:
        """`decorations`: page.Decorations, of which the child makes its pages' own."""
        if self.begun is None or self.begun[0] is not drawn or self.begun[2] != frame:
            raise MismatchError("the pages drawn are not the ones the helper was given")
        cut, parts = self.begun[1], drawn.parts
        known = drawn.p.encoder().state()[0]
        codes = {font: {ch: table[ch] for ch in PAGE_NUMBER if ch in table} for font, table in known.items()}
        self.helper.ask(child_numbers, Numbers(decorations.canvas.fixed(), decorations.first + cut,
                                               decorations.total, codes))
        mine = drawn.draw(parts[:cut], decorations[:cut], frame)
        self.helper.answer()  # its pages' operators made (begin)
        got = self.helper.answer()
        if len(got) != len(parts) - cut:
            raise MismatchError(f"the helper drew {len(got)} pages of {len(parts) - cut}")
        self.drawn = len(got)
        return mine + got


def child_rows(memory: dict, job: Rows) -> dict:
    """In the child: its share of the rows read, made into cells, wrapped and measured (kept for
    `child_pages`); what the parent needs of them."""
    from desktop.domain import catalog as catalog_mod
    from desktop.forms import ledger as paper
    from desktop.ledger import query
    from desktop.storage.db import Database

    conn = sqlite3.connect(f"{Path(job.path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        store = SimpleNamespace(db=Database(conn, Path(job.path)), catalog=catalog_mod.load(Path(job.catalog)))
        with query.bulk():
            rows = query.mark_changed(store, query.local_rows(store, job.filters, job.names, job.today,
                                                              offset=job.start))
    finally:
        conn.close()
    with query.bulk():
        columns, unprintable = paper.printed_columns(SimpleNamespace(rows=rows, filters=job.filters))
        table = paper.prepared(columns, [r.overdue for r in rows])
        memory["table"], memory["start"] = table, job.start
        keys = [(r.uuid, r.revision) for r in rows[:job.overlap] + (rows[len(rows) - job.tail:] if job.tail else [])]
        return table.part() | {"rows": len(rows), "keys": keys, "unprintable": unprintable,
                               "counts": query.counts(rows), "changed": any(r.changed_after_close for r in rows)}


def child_pages(memory: dict, job: Pages) -> None:
    """In the child: the operators of full pages of its rows, made with the document's codes (as the parent
    would make them), kept for `child_numbers`."""
    from desktop.forms import fonts, pdftext
    from desktop.forms.ledgertable import DrawnParts

    table = memory["table"]
    if fonts.adopt_stand_ins(job.stand_ins):  # a variant's code means the parent's glyph here too
        table.widths.forget_variants()
    if not memory.get("shifted"):
        table.shifted(memory["start"], job.top)
        memory["shifted"] = True
    encoder = pdftext.Encoder.frozen(job.codes)
    table._use(encoder)
    table._doc, table._header = encoder, job.header
    memory["pages"] = (job, encoder, DrawnParts(table, job.parts, job.page).codes(job.parts))


def child_numbers(memory: dict, job: Numbers) -> list[bytes]:
    """In the child: the pages of `child_pages` with their running header and footer, compressed."""
    from desktop.forms import ledger as paper
    from desktop.forms.page import stream

    pages, encoder, codes = memory.pop("pages")
    for font, more in job.codes.items():
        encoder.state()[0].setdefault(font, {}).update(more)
    numbers = range(job.first, job.first + len(codes))
    return [stream(pages.frame, code, paper.decoration(job.fixed, encoder, n, job.total))
            for code, n in zip(codes, numbers, strict=True)]
