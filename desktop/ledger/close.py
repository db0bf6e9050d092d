"""日结 (day close): a supervisor closes a day's ledger; its PDF is archived with its hash, and any later change
to one of that day's cases shows as a revision of the closed ledger, listed, never silently.

    closure = ledger_close.close_day(store, day, actor=session.username)   # version 1, then 2, 3 … after changes
    ledger_close.closures(store, date_from, date_to)                       # every version, newest first
    status = ledger_close.revisions(store, day)                             # versions + changes since the last
    pdf = ledger_close.closure_pdf(store, closure)                          # the archived PDF, hash checked

What a case looked like on the closed ledger is kept per case (closure_cases); a change is a new revision of
the case, or a different state, due date, materials, items, method, proxy, clerk, window or place.
With a hub configured a day is closed over the whole office (hub-wide ledger) and checked against it later.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop.domain.errors import ValidationError
from desktop.ledger import hub as ledger_hub, query as ledger
from desktop.storage import audit
from desktop.storage.blobs import BlobStore

FIELDS = {"service": "一件事", "state": "状态", "due_date": "预计办结", "materials": "材料", "items": "事项",
          "method": "办理方式", "applied_by": "申请方式", "applicant": "申请人", "clerk": "经办人",
          "window": "窗口/设备", "place": "乡镇（村）"}
QUIET = ("applicant",)  # personal: a change is named, its values are not


@dataclass(frozen=True)
class Change:
    """One case that differs from the closed ledger: added, changed (with what), or no longer on it."""

    uuid: str
    number: str
    kind: str
    fields: tuple[str, ...] = ()
    changed_at: str = ""
    revision_then: int | None = None
    revision_now: int | None = None

    @property
    def text(self) -> str:
        if self.kind == "added":
            return "日结后新增"
        if self.kind == "gone":
            return "已不在台账中"
        return "；".join(self.fields) or f"案件修订 {self.revision_then} → {self.revision_now}"


@dataclass(frozen=True)
class Closure:
    """One version of a closed day: who closed it when, from where, the PDF's hash, the changes it records."""

    id: int
    day: str
    revision: int
    closed_at: str
    closed_by: str
    source: str
    pdf_sha256: str
    pdf_size: int
    case_count: int
    overdue: int
    unsynced: int
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"changes": [asdict(c) | {"text": c.text} for c in self.changes]}


@dataclass(frozen=True)
class DayStatus:
    """A day's closures (oldest first) and the changes since the latest one: a revision waiting to be closed."""

    day: str
    closures: tuple[Closure, ...]
    changes: tuple[Change, ...] = field(default_factory=tuple)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "closed": bool(self.closures), "source": self.source,
                "closures": [c.to_dict() for c in self.closures],
                "changes": [asdict(c) | {"text": c.text} for c in self.changes]}


def diff(then: dict[str, Any], now: dict[str, Any]) -> tuple[str, ...]:
    """'状态：已受理 → 已办结' for each field that differs ('申请人：已更改' for personal ones)."""
    out = []
    for key, label in FIELDS.items():
        if then.get(key) != now.get(key):
            out.append(f"{label}：已更改" if key in QUIET else f"{label}：{then.get(key) or '—'} → {now.get(key) or '—'}")
    return tuple(out)


def compare(closed: dict[str, tuple[str, int, dict]], rows: list[ledger.LedgerRow]) -> list[Change]:
    """Changes between a closed ledger (uuid → (number, revision, snapshot)) and the rows of the day now."""
    changes, seen = [], set()
    for row in rows:
        seen.add(row.uuid)
        if row.uuid not in closed:
            changes.append(Change(row.uuid, row.number, "added", (), row.updated_at, None, row.revision))
            continue
        number, revision, then = closed[row.uuid]
        fields = diff(then, ledger.snapshot(row))
        if fields or revision != row.revision:
            changes.append(Change(row.uuid, row.number, "changed", fields, row.updated_at, revision, row.revision))
    changes += [Change(u, number, "gone", (), "", revision, None)
                for u, (number, revision, _) in closed.items() if u not in seen]
    return changes


def closures(store, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[Closure]:
    """Every closure in the range (all days when None), newest day and version first."""
    sql, params = "SELECT * FROM closures", []
    if date_from or date_to:
        sql += " WHERE day BETWEEN ? AND ?"
        params = [(date_from or dt.date.min).isoformat(), (date_to or dt.date.max).isoformat()]
    return [_closure(r) for r in store.db.query(sql + " ORDER BY day DESC, revision DESC", params)]


def _closure(r: dict[str, Any]) -> Closure:
    changes = tuple(Change(**{**c, "fields": tuple(c["fields"])}) for c in json.loads(r["changes"]))
    return Closure(**{**{k: r[k] for k in Closure.__dataclass_fields__ if k != "changes"}, "changes": changes})


def _closed_cases(store, closure_id: int) -> dict[str, tuple[str, int, dict]]:
    rows = store.db.execute("SELECT case_uuid, number, revision, snapshot FROM closure_cases WHERE closure_id = ?",
                            [closure_id]).fetchall()
    return {u: (n, rev, json.loads(s)) for u, n, rev, s in rows}


def _day_ledger(store, day: dt.date, source: str | None, today: dt.date | None) -> ledger.LedgerResult:
    """The whole office's ledger of `day`, from the source the day was closed from (the hub if there is one)."""
    mode = source or ("hub" if ledger_hub.configured(store.db) else "local")
    return ledger.query(store, ledger.Filters(day, day), hub=mode, today=today)


def revisions(store, day: dt.date, *, today: dt.date | None = None) -> DayStatus:
    """The day's closures and what changed since the latest one (nothing to list when the day is not closed)."""
    done = sorted(closures(store, day, day), key=lambda c: c.revision)
    if not done:
        return DayStatus(day.isoformat(), ())
    result = _day_ledger(store, day, done[-1].source, today)
    return DayStatus(day.isoformat(), tuple(done), tuple(compare(_closed_cases(store, done[-1].id), result.rows)),
                     result.source)


def close_day(store, day: dt.date, *, actor: str, now: dt.datetime | None = None,
              today: dt.date | None = None) -> Closure:
    """Close `day` (version 1), or close its changes as the next version; the PDF archived, the close audited."""
    now = (now or dt.datetime.now().astimezone()).replace(microsecond=0)
    if day > now.date():
        raise ValidationError("不能对未来的日期日结", field="day")
    done = sorted(closures(store, day, day), key=lambda c: c.revision)
    result = _day_ledger(store, day, done[-1].source if done else None, today)
    changes = compare(_closed_cases(store, done[-1].id), result.rows) if done else []
    if done and not changes:
        raise ValidationError(f"{day.isoformat()} 已日结（第 {done[-1].revision} 版），之后没有变动，无需再次日结",
                              field="day")
    revision = done[-1].revision + 1 if done else 1
    from desktop.forms import ledger as ledger_pdf

    stamp = ledger_pdf.ClosureStamp(revision, now.isoformat(), _display(store, actor),
                                    tuple((c.number, c.text, c.changed_at) for c in changes),
                                    done[-1].closed_at if done else "")
    pdf = ledger_pdf.render(result, closure=stamp, printed_at=now)
    sha, size = BlobStore.of(store.data_dir).put_bytes(pdf)
    return _record(store, result, day, revision, now, actor, sha, size, changes)


def _record(store, result: ledger.LedgerResult, day: dt.date, revision: int, now: dt.datetime, actor: str,
            sha: str, size: int, changes: list[Change]) -> Closure:
    t = result.totals
    changes_json = json.dumps([asdict(c) for c in changes], ensure_ascii=False)
    with store.db.atomic():
        closure_id = store.db.execute(
            "INSERT INTO closures (day, revision, closed_at, closed_by, source, pdf_sha256, pdf_size, case_count, "
            "overdue, unsynced, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [day.isoformat(), revision, now.isoformat(), actor, result.source, sha, size, t.cases, t.overdue,
             t.unsynced, changes_json]).lastrowid
        store.db.conn.executemany(
            "INSERT INTO closure_cases (closure_id, case_uuid, number, revision, snapshot) VALUES (?, ?, ?, ?, ?)",
            [(closure_id, r.uuid, r.number, r.revision, json.dumps(ledger.snapshot(r), ensure_ascii=False))
             for r in result.rows])
        audit.append(store.db, actor, "day.close", detail={
            "day": day.isoformat(), "revision": revision, "cases": t.cases, "changes": len(changes),
            "source": result.source, "sha256": sha}, at=now)
    return next(c for c in closures(store, day, day) if c.id == closure_id)


def _display(store, actor: str) -> str:
    from desktop.accounts.staff import Accounts

    return Accounts(store.db).names().get(actor, actor)


def closure_pdf(store, closure: Closure) -> bytes:
    """The archived PDF of a closure, read back from the blob store and checked against its hash."""
    return BlobStore.of(store.data_dir).read(closure.pdf_sha256)
