"""A long ledger's PDF made by two processes that split the rows (desktop/ledger/pdfsplit.py): the child reads its
own share from the database, and the document is the one a single process writes, byte for byte; a child that
fails, dies after sending its rows' heights, or reads other rows leaves the parent to make the whole ledger."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab import rl_config

from desktop.domain import catalog as catalog_mod
from desktop.forms import ledgerpages, ledgertable
from desktop.ledger import pdfsplit, query as ledger
from desktop.storage import settings
from desktop.storage.store import Store
from tests.ledgerdata import END, SETTINGS, START, TODAY, make_month

AT = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)
RARE = ["单䶮", "王𠈌明", "张\U00031350\U0002EBF0", "李\u9f8d\ufe00"]  # Ext A, B, the fallback faces, a variant
FILTERS = ledger.Filters(START, END)


@pytest.fixture(scope="module")
def busy_dir(tmp_path_factory) -> Path:
    """A month of seven cases a working day (≈130 rows, a dozen pages), rare names spread through it (on both
    processes' rows), built once."""
    path = tmp_path_factory.mktemp("split") / "month"
    store = Store.open(path, catalog_mod.load())
    for key, value in SETTINGS.items():
        settings.set_value(store.db, key, value)
    make_month(store, per_day=7, seed=5)
    uuids = [u for (u,) in store.db.execute("SELECT case_uuid FROM ledger_rows ORDER BY accepted_date, accepted_at, number")]
    with store.db.atomic():
        for n, uuid in enumerate(uuids[::9]):
            store.db.execute("UPDATE ledger_rows SET applicant = ? WHERE case_uuid = ?", [RARE[n % len(RARE)], uuid])
    store.close()
    return path


@pytest.fixture
def busy(busy_dir, tmp_path, monkeypatch):
    """A copy of the month, the split made for it (rows enough, a page's span the most rows a page holds: every
    row is at least two lines high), and a PDF that does not depend on the time it was made."""
    monkeypatch.setattr(rl_config, "invariant", 1)
    monkeypatch.setattr(pdfsplit, "MIN_ROWS", 50)
    monkeypatch.setattr(ledgertable, "HEAD_ROWS", 20)
    monkeypatch.setattr(pdfsplit, "_span", lambda: 23)
    path = tmp_path / "台账 数据"
    shutil.copytree(busy_dir, path)
    store = Store.open(path, catalog_mod.load())
    yield store
    store.close()


@pytest.fixture
def helper():
    started = ledgerpages.Helper(warm=pdfsplit.warm)
    yield started
    started.close()


def alone(store) -> bytes:
    return ledger.render_pdf(ledger.query(store, FILTERS, hub="local", today=TODAY), printed_at=AT)


def split(store, helper) -> tuple[bytes, ledger.LedgerResult]:
    made = pdfsplit.render(store, FILTERS, helper, hub="local", today=TODAY, printed_at=AT)
    assert made is not None
    return made


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_two_processes_splitting_the_rows_write_the_one_process_document(busy, helper, caplog):
    with caplog.at_level(logging.ERROR):
        pdf, result = split(busy, helper)
    assert not caplog.text
    whole = alone(busy)
    assert len(result.rows) < result.totals.cases == len(ledger.query(busy, FILTERS, hub="local").rows)
    assert result.totals == ledger.query(busy, FILTERS, hub="local", today=TODAY).totals
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 10
    assert pdf == whole
    joined = "".join(texts(pdf)).replace("\n", "")
    assert all(name.replace("\ufe00", "") in joined for name in RARE[:3]), joined[:200]


@pytest.fixture
def other_variant_first(monkeypatch):
    """This process has met another variant (in HanaMinA, as the rows' 龍︀) before the ledger, so it numbers its
    stand-ins unlike the fresh child; its own stand-ins, glyphs and widths are put back after."""
    from desktop.forms import fonts

    fonts.ensure_registered()
    faces = [fonts.face(f.name).face for f in fonts.CHAIN]
    kept = [({k: v for k, v in f.charToGlyph.items() if k >= 0x100000},
             {k: v for k, v in f.charWidths.items() if k >= 0x100000}) for f in faces]
    for name in ("_variants", "_stand_in_text", "_font_of_char"):
        monkeypatch.setattr(fonts, name, {})
    assert fonts.variant("\u349e", "\ufe00") == chr(0x100000)
    assert fonts.variant("\u9f8d", "\ufe00") == chr(0x100001)  # the child, fresh, gives 龍︀ 0x100000
    yield
    for f, (glyphs, widths) in zip(faces, kept, strict=True):
        f.charToGlyph.update(glyphs)
        f.charWidths.update(widths)


def test_a_parent_that_numbered_its_variants_otherwise_gets_the_one_process_document(busy, helper, caplog,
                                                                                    other_variant_first):
    """The child draws with the parent's codes, so it prints each variant with the parent's stand-in numbers
    (fonts.adopt_stand_ins): without that, the child's 龍︀ got the number of the parent's other variant (its
    glyph, silently), or no code at all."""
    with caplog.at_level(logging.ERROR):
        pdf, _ = split(busy, helper)
    assert not caplog.text
    assert pdf == alone(busy)


def test_the_child_gets_its_pages_before_the_last_pages_are_laid_out_and_numbers_them_itself(busy, helper,
                                                                                          caplog, monkeypatch):
    """The child is not kept waiting while the parent lays out and draws the last pages (totals, chart) and
    makes every page's 第 x 页 共 y 页: it is given its pages from the full pages' flowable, before the canvas
    numbers and writes the pages, and makes their running headers and footers itself; the same document."""
    from desktop.forms import ledger as paper

    events: list[str] = []
    numbered: list[int] = []
    begin: Any = getattr(pdfsplit._Drawer, "begin", None)  # (without it, the test fails on its order)
    decoration = paper._Canvas._decoration
    save = paper._Canvas.save

    def begun(self, drawn, frame):
        events.append("child given its pages")
        return begin(self, drawn, frame)

    def saved(self):
        events.append("pages numbered and written")
        return save(self)

    def decorated(self, number, total):
        numbered.append(number)
        return decoration(self, number, total)

    monkeypatch.setattr(pdfsplit._Drawer, "begin", begun, raising=False)
    monkeypatch.setattr(paper._Canvas, "_decoration", decorated)
    monkeypatch.setattr(paper._Canvas, "save", saved)
    with caplog.at_level(logging.ERROR):
        pdf, _ = split(busy, helper)
    assert not caplog.text
    assert events == ["child given its pages", "pages numbered and written"]
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert sorted(set(numbered)) == numbered and 1 in numbered and pages in numbered
    assert len(numbered) < pages  # the child's pages were numbered there
    assert pdf == alone(busy)  # (the wrappers above only note what happens)


def test_a_child_that_dies_after_sending_its_heights_leaves_the_whole_ledger_to_the_parent(busy, helper, caplog,
                                                                                         monkeypatch):
    join = ledgertable.Prepared.join

    def join_then_die(self, start, theirs):
        join(self, start, theirs)
        helper._process.kill()
        helper._process.join()

    monkeypatch.setattr(ledgertable.Prepared, "join", join_then_die)
    with caplog.at_level(logging.ERROR, logger="desktop.ledger.pdfsplit"):
        pdf, result = split(busy, helper)
    assert "split with its helper failed" in caplog.text
    monkeypatch.setattr(ledgertable.Prepared, "join", join)
    assert pdf == alone(busy) and len(result.rows) == result.totals.cases


def test_a_child_that_fails_leaves_the_ledger_to_the_parent_and_the_log_names_no_one(busy, helper, caplog,
                                                                                   monkeypatch):
    from desktop.storage import catalogs

    monkeypatch.setattr(catalogs, "active_path", lambda db, data_dir, today=None: Path(data_dir) / "王𠈌明.db")
    with caplog.at_level(logging.ERROR, logger="desktop.ledger.pdfsplit"):
        pdf, result = split(busy, helper)
    assert "split with its helper failed" in caplog.text and "Traceback" in caplog.text
    assert not any(ch in caplog.text for name in RARE for ch in name)
    assert pdf == alone(busy) and len(result.rows) == result.totals.cases


def test_rows_changed_between_the_two_reads_leave_the_ledger_to_the_parent(busy, helper, caplog, monkeypatch):
    counted = ledger.count_local
    monkeypatch.setattr(ledger, "count_local", lambda *a: counted(*a) - 1)  # as if a case came in meanwhile
    with caplog.at_level(logging.ERROR, logger="desktop.ledger.pdfsplit"):
        pdf, result = split(busy, helper)
    assert "split with its helper failed" in caplog.text and "rows" in caplog.text
    monkeypatch.setattr(ledger, "count_local", counted)
    assert pdf == alone(busy) and len(result.rows) == result.totals.cases


def test_short_overdue_only_or_hub_ledgers_are_not_split(busy, helper, monkeypatch):
    import dataclasses

    assert pdfsplit.render(busy, dataclasses.replace(FILTERS, overdue_only=True), helper, hub="local") is None
    settings.set_value(busy.db, "hub_url", "http://127.0.0.1:9")
    assert pdfsplit.render(busy, FILTERS, helper, hub="auto") is None
    monkeypatch.setattr(pdfsplit, "MIN_ROWS", 10_000)
    assert pdfsplit.render(busy, FILTERS, helper, hub="local") is None


def test_a_refused_login_ends_the_helper_before_it_is_given_any_rows(busy_dir, tmp_path, monkeypatch, capsys):
    """The CLI starts the helper before the login (its imports overlap argon2); a wrong password ends it
    without its having been asked for anything, and no file is written."""
    from desktop.cli.main import main

    started: list[ledgerpages.Helper] = []
    asked: list[tuple] = []
    real = ledgerpages.Helper.__init__

    def init(self, warm=None):
        real(self, warm)
        started.append(self)

    monkeypatch.setattr(ledgerpages.Helper, "__init__", init)
    monkeypatch.setattr(ledgerpages.Helper, "ask", lambda self, *args: asked.append(args))
    monkeypatch.setenv("DESK_LEDGER_PROCESSES", "2")
    monkeypatch.setenv("DESK_PASSWORD", "not-the-password")
    path, out = tmp_path / "data", tmp_path / "year.pdf"
    shutil.copytree(busy_dir, path)
    code = main(["ledger", "--from", START.isoformat(), "--to", END.isoformat(), "--local", "--out", str(out),
                 "--data-dir", str(path), "--user", "lixiaolan"])
    assert code != 0 and "密码" in capsys.readouterr().err
    assert len(started) == 1 and not asked and not started[0]._process.is_alive()
    assert not out.exists()


def test_a_case_changed_after_its_day_was_closed_is_marked_from_the_childs_rows_too(busy, helper):
    """The last day (the child's rows) closed, then one of its cases changed: its row is starred and the
    note that explains the star is printed, as by one process."""
    from desktop.ledger import close

    close.close_day(busy, END, actor="lixiaolan", today=TODAY)
    with busy.db.atomic():
        busy.db.execute("UPDATE ledger_rows SET applicant = '改过名' WHERE case_uuid = (SELECT case_uuid FROM"
                        " ledger_rows WHERE accepted_date = ? ORDER BY accepted_at LIMIT 1)", [END.isoformat()])
    pdf, result = split(busy, helper)
    assert not any(r.changed_after_close for r in result.rows[: len(result.rows) // 2])
    assert pdf == alone(busy)
    assert "序号前标“＊”的案件" in "".join(texts(pdf)).replace("\n", "")
