"""A long ledger's full table pages drawn by two processes (desktop/forms/ledgerpages.py): the document is the
one a single process writes, byte for byte, and a child that dies or fails leaves the parent to draw them."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from pypdf import PdfReader
from reportlab import rl_config

from desktop.forms import ledger as ledger_pdf, ledgerpages, ledgertable, pdftext
from desktop.ledger import query as ledger
from tests import ledgerdata
from tests.ledgerdata import END, START, TODAY

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures
AT = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)
RARE = ["单䶮", "王𠈌明", "张\U00031350\U0002EBF0", "李\u9f8d\ufe00"]  # Ext A, B, the fallback faces, a variant


@pytest.fixture
def long_result(month, monkeypatch):
    """The month four times over (pages enough for several full ones), rare names spread through it (some on
    the child's pages), and a PDF that does not depend on the time it was made."""
    monkeypatch.setattr(rl_config, "invariant", 1)
    monkeypatch.setattr(ledgerpages, "MIN_PAGES", 2)
    result = ledger.query(month, ledger.Filters(START, END), today=TODAY)
    rows = result.rows * 4
    result.rows = [ledger.LedgerRow(**{**r.__dict__, "applicant": RARE[n // 7 % len(RARE)]}) if n % 7 == 0 else r
                   for n, r in enumerate(rows)]
    return result


@pytest.fixture
def helper():
    started = ledgerpages.Helper()
    yield started
    started.close()


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def fonts_of(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return sorted({font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()})


def test_two_processes_write_the_document_one_process_writes(long_result, helper):
    alone = ledger_pdf.render(long_result, printed_at=AT)
    shared = ledger_pdf.render(long_result, printed_at=AT, helper=helper)
    assert helper.drawn >= 3  # the child drew pages (the last share of the full ones)
    assert shared == alone
    assert texts(shared) == texts(alone) and fonts_of(shared) == fonts_of(alone)
    joined = "".join(texts(shared)).replace("\n", "")
    assert all(name.replace("\ufe00", "") in joined for name in RARE[:3]), joined[:200]


def test_a_child_that_died_leaves_its_pages_to_the_parent(long_result, helper, caplog):
    alone = ledger_pdf.render(long_result, printed_at=AT)
    helper._process.kill()
    helper._process.join()
    with caplog.at_level(logging.ERROR, logger="desktop.forms.ledgerpages"):
        shared = ledger_pdf.render(long_result, printed_at=AT, helper=helper)
    assert shared == alone and helper.drawn == 0
    assert "page helper failed" in caplog.text


def test_a_child_that_fails_leaves_its_pages_to_the_parent_and_the_log_names_no_one(long_result, helper, caplog,
                                                                                    monkeypatch):
    alone = ledger_pdf.render(long_result, printed_at=AT)
    state = pdftext.Encoder.state
    monkeypatch.setattr(pdftext.Encoder, "state", lambda self: ({}, state(self)[1]))  # no codes: the child raises
    with caplog.at_level(logging.ERROR, logger="desktop.forms.ledgerpages"):
        shared = ledger_pdf.render(long_result, printed_at=AT, helper=helper)
    assert shared == alone and helper.drawn == 0
    assert "page helper failed" in caplog.text and "LookupError" in caplog.text
    assert not any(ch in caplog.text for name in RARE for ch in name)


def test_one_core_or_a_forced_single_process_starts_no_child(monkeypatch):
    monkeypatch.setattr(ledgerpages, "cores", lambda: 1)
    assert ledgerpages.Helper.start() is None
    monkeypatch.setattr(ledgerpages, "cores", lambda: 4)
    monkeypatch.setenv("DESK_LEDGER_PROCESSES", "1")
    assert ledgerpages.Helper.start() is None


def test_a_job_that_cannot_be_made_leaves_the_pages_to_the_parent(long_result, helper, caplog, monkeypatch):
    alone = ledger_pdf.render(long_result, printed_at=AT)

    def broken(self, start, end):
        raise TypeError("not picklable")

    monkeypatch.setattr(ledgertable.Prepared, "state", broken)
    with caplog.at_level(logging.ERROR, logger="desktop.forms.ledgerpages"):
        shared = ledger_pdf.render(long_result, printed_at=AT, helper=helper)
    assert shared == alone and helper.drawn == 0
    assert "could not be made" in caplog.text and "TypeError" in caplog.text
