"""日结: the closed day's PDF archived with its hash; a later change listed as a revision, never silently."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader

from desktop.domain.errors import ValidationError
from desktop.intake import demo
from desktop.ledger import close as ledger_close, query as ledger
from desktop.storage import audit
from desktop.storage.blobs import BlobStore
from tests import ledgerdata
from tests.ledgerdata import TODAY, at

month_dir, month = ledgerdata.month_dir, ledgerdata.month  # fixtures

DAY = dt.date(2026, 11, 18)
CLOSED_AT = at(dt.date(2026, 11, 18), 18, 0)


def text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def close(store, when=CLOSED_AT):
    return ledger_close.close_day(store, DAY, actor="zhangli", now=when, today=TODAY)


def test_closing_archives_the_ledger_pdf_with_its_hash_and_is_audited(month):
    closure = close(month)
    rows = ledger.query(month, ledger.Filters(DAY, DAY), today=TODAY).rows
    assert (closure.day, closure.revision, closure.case_count, closure.source) == ("2026-11-18", 1, len(rows), "local")
    pdf = ledger_close.closure_pdf(month, closure)
    assert hashlib.sha256(pdf).hexdigest() == closure.pdf_sha256 and len(pdf) == closure.pdf_size
    assert BlobStore.of(month.data_dir).has(closure.pdf_sha256)
    body = text(pdf)
    assert "每日受理台账（日结 第 1 版）" in body and "日结人：张丽" in body and all(r.number in body for r in rows)
    entry = audit.export(month.db)[-1]
    assert entry["action"] == "day.close" and entry["username"] == "zhangli"
    assert entry["detail"] == {"day": "2026-11-18", "revision": 1, "cases": len(rows), "changes": 0,
                               "source": "local", "sha256": closure.pdf_sha256}
    assert ledger_close.closures(month) == [closure]
    status = ledger_close.revisions(month, DAY, today=TODAY)
    assert status.closures == (closure,) and status.changes == ()


def test_a_change_after_closing_is_listed_and_closed_as_the_next_version(month):
    first = close(month)
    row = ledger.query(month, ledger.Filters(DAY, DAY), today=TODAY).rows[0]
    changed_at = at(dt.date(2026, 11, 19), 9, 30)
    before = month.load(row.uuid)
    action = "terminate" if before.state != "completed" else None
    assert action, "the sample case must still be open"
    month.transition(row.uuid, action, actor="zhangli", reason="申请人撤回", now=changed_at)
    status = ledger_close.revisions(month, DAY, today=TODAY)
    assert [(c.number, c.kind) for c in status.changes] == [(row.number, "changed")]
    change = status.changes[0]
    assert change.fields == (f"状态：{row.state_label} → 已终止",) and change.changed_at == changed_at.isoformat()
    assert (change.revision_then, change.revision_now) == (before.revision, before.revision + 1)
    flagged = ledger.query(month, ledger.Filters(DAY, DAY), today=TODAY).rows
    assert [r.changed_after_close for r in flagged] == [r.uuid == row.uuid for r in flagged]
    second = close(month, at(dt.date(2026, 11, 19), 18, 0))
    assert second.revision == 2 and [c.number for c in second.changes] == [row.number]
    assert second.pdf_sha256 != first.pdf_sha256
    body = text(ledger_close.closure_pdf(month, second)).replace("\n", "")
    assert "日结 第 2 版" in body and "修订说明" in body and "状态：" in body and "已终止" in body
    assert ledger_close.revisions(month, DAY, today=TODAY).changes == ()
    assert [c.revision for c in ledger_close.closures(month)] == [2, 1]


def test_a_case_accepted_on_the_day_after_it_was_closed_is_listed_as_added(month):
    close(month)
    service = month.catalog.service(3)
    import random

    case = demo.eligible_case(service, month.catalog, random.Random(5), DAY)
    demo.receive_all(service, case)
    late = month.accept(case, actor="lixiaolan", now=at(DAY, 19, 45))
    changes = ledger_close.revisions(month, DAY, today=TODAY).changes
    assert [(c.number, c.kind, c.text) for c in changes] == [(late.number, "added", "日结后新增")]


def test_closing_again_without_changes_or_a_future_day_is_refused(month):
    close(month)
    with pytest.raises(ValidationError, match="已日结（第 1 版），之后没有变动"):
        close(month, at(dt.date(2026, 11, 20), 9, 0))
    with pytest.raises(ValidationError, match="未来"):
        ledger_close.close_day(month, dt.date(2026, 11, 30), actor="zhangli", now=CLOSED_AT)
    assert [c.revision for c in ledger_close.closures(month)] == [1]


def test_what_a_change_lists_never_holds_the_applicants_name():
    row = ledger.LedgerRow(1, "u", "N", "2026-11-18T09:00:00+08:00", "张三", "4399**", "残疾人", 3, "办理残疾人证",
                           ("残疾人证新办",), "就近办", "self", "", "", True, 0, "accepted", "已受理", "2026-12-30",
                           False, "pending", "李晓兰", "W03", "城关镇", "东门社区")
    then = ledger.snapshot(row)
    now = ledger.snapshot(dataclasses.replace(row, applicant="李四", state_label="已提交"))
    assert ledger_close.diff(then, now) == ("状态：已受理 → 已提交", "申请人：已更改")
