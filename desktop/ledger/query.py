"""The supervisor's daily ledger (每日受理台账): the office's cases for a date range, one row each, with totals.

The API the ledger screen builds on (no Qt; run `query` off the UI thread, it may ask the hub):

    filters = ledger.Filters(date_from, date_to, window="", clerk="", township="", village="", service=None,
                             state="", overdue_only=False)
    result = ledger.query(store, filters)     # LedgerResult: rows, totals, source ('local' | 'hub'), warning
    pdf = ledger.render_pdf(result)            # landscape A4 bytes (desktop/forms/ledger.py)
    data = ledger_xlsx.write(result)           # XLSX bytes, ID numbers masked (desktop/ledger/xlsx.py)
    data, result = ledger_xlsx.personal_xlsx(store, session, filters)    # full ID numbers, checked, audited
    ledger_close.close_day / closures / revisions / closure_pdf            # 日结 and its revisions

With a hub configured (desktop/ledger/hub.py) the rows are every window's and laptop's; without one, or when
the hub cannot be reached (`warning` says why), this device's cases, and `source` says which.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from desktop.domain import overdue
from desktop.domain.case import APPLIED_BY, PROXY_KINDS, STATES, received_label
from desktop.domain.catalog import METHODS
from desktop.domain.errors import ValidationError
from desktop.storage import ledgerrows, settings

MAX_DAYS = 366
CLOSED = ("completed", "terminated")
SYNC_LABELS = {"local": "仅本机", "pending": "待上传", "sending": "待上传", "synced": "已同步",
               "conflict": "冲突待处理", "rejected": "服务器拒收", "reviewed": "拒收（已查看）"}
SOURCES = {"hub": "全办理点（县级汇聚服务器汇总，含各窗口和设备）", "local": "仅本机"}


@dataclass(frozen=True)
class Filters:
    """What the supervisor asks for: a date range (acceptance dates, inclusive) and optional narrowing."""

    date_from: dt.date
    date_to: dt.date
    window: str = ""
    clerk: str = ""
    township: str = ""
    village: str = ""
    service: int | None = None
    state: str = ""
    overdue_only: bool = False

    def checked(self, catalog) -> Filters:
        """The filters with the state as its key ('已受理' → 'accepted'); ValidationError naming the field."""
        if self.date_to < self.date_from:
            raise ValidationError("结束日期不能早于开始日期", field="date_to")
        if (self.date_to - self.date_from).days >= MAX_DAYS:
            raise ValidationError(f"日期范围不能超过{MAX_DAYS}天", field="date_to")
        if self.service is not None and self.service not in catalog.services:
            raise ValidationError(f"没有编号为 {self.service} 的一件事", field="service")
        state = state_key(self.state) if self.state else ""
        return dataclasses.replace(self, state=state, window=self.window.strip().upper(), clerk=self.clerk.strip(),
                                   township=self.township.strip(), village=self.village.strip())

    def describe(self) -> str:
        """The narrowing in words, for the paper ('' when the whole office is shown)."""
        parts = [f"窗口/设备 {self.window}" if self.window else "", f"经办人 {self.clerk}" if self.clerk else "",
                 f"乡镇 {self.township}" if self.township else "", f"村（社区） {self.village}" if self.village else "",
                 f"一件事 {self.service}" if self.service else "", f"状态 {STATES[self.state]}" if self.state else "",
                 "仅超期" if self.overdue_only else ""]
        return "；".join(p for p in parts if p)


def state_key(text: str) -> str:
    """'accepted' or '已受理' → 'accepted'; ValidationError for anything else."""
    text = text.strip()
    found = text if text in STATES else next((k for k, v in STATES.items() if v == text), None)
    if found is None or found == "draft":
        raise ValidationError(f"状态应为：{'、'.join(v for k, v in STATES.items() if k != 'draft')}", field="state")
    return found


@dataclass(frozen=True, repr=False)  # a name, and a personal export's full ID number: never in a log
class LedgerRow:
    """One case on the ledger, ready to print: labels in Chinese, the ID number masked (unless a personal export)."""

    serial: int
    uuid: str
    number: str
    accepted_at: str
    applicant: str
    id_number: str
    group: str
    service: int
    service_name: str
    items: tuple[str, ...]
    method: str
    applied_by: str
    proxy_name: str
    proxy_kind: str
    materials_complete: bool
    missing: int
    state: str
    state_label: str
    due_date: str | None
    overdue: bool
    sync: str
    clerk: str
    window: str
    township: str
    village: str
    device: str = ""
    revision: int = 0
    updated_at: str = ""
    changed_after_close: bool = False
    received: tuple[tuple[str, str, int], ...] = ()  # while materials are missing: (name, how received, count)
    missing_names: tuple[str, ...] = ()  # the materials still missing, by name (empty from a hub that omits them)

    @property
    def applied_by_text(self) -> str:
        """本人申请, or 帮代办 with who: 代办：罗德明（村级代办员）."""
        if self.applied_by != "proxy":
            return APPLIED_BY.get(self.applied_by, self.applied_by)
        return f"代办：{self.proxy_name or '（未填姓名）'}" + (f"（{self.proxy_kind}）" if self.proxy_kind else "")

    @property
    def materials_lines(self) -> tuple[str, ...]:
        """齐全; or 补正 with what was received (name, how, count) and what is still missing, one line each.
        A hub older than the field gives only the count: 补正, 缺N种."""
        if self.materials_complete:
            return ("齐全",)
        if not self.missing_names:
            return ("补正", f"缺{self.missing}种")
        got = "、".join(f"{name}（{how}{count}份）" for name, how, count in self.received) or "无"
        return ("补正", f"已收：{got}", f"尚缺：{'、'.join(self.missing_names)}")

    @property
    def materials_text(self) -> str:
        """The materials on one line: 齐全, or 补正，已收：…；尚缺：…"""
        first, *rest = self.materials_lines
        return first + (f"，{'；'.join(rest)}" if rest else "")

    @property
    def materials_brief(self) -> str:
        """齐全 or 补正（缺N种）: what a day close keeps (snapshot), as closures before the itemised text did,
        so that a closed day does not show every 补正 case as changed after an upgrade."""
        return "齐全" if self.materials_complete else f"补正（缺{self.missing}种）"

    @property
    def sync_label(self) -> str:
        return SYNC_LABELS.get(self.sync, self.sync)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"applied_by_text": self.applied_by_text,
                                           "materials_text": self.materials_text, "sync_label": self.sync_label}


@dataclass(frozen=True)
class Totals:
    """Counts for the totals section: each breakdown as (label, count) pairs in a stable order."""

    cases: int
    by_service: tuple[tuple[str, int], ...]
    by_group: tuple[tuple[str, int], ...]
    by_method: tuple[tuple[str, int], ...]
    by_state: tuple[tuple[str, int], ...]
    by_applied: tuple[tuple[str, int], ...]
    overdue: int
    unsynced: int
    pending_materials: int

    def to_dict(self) -> dict[str, Any]:
        return {k: (dict(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}


@dataclass
class LedgerResult:
    """What `query` returns; `source` is 'hub' (the whole office) or 'local' (this device only)."""

    filters: Filters
    rows: list[LedgerRow]
    totals: Totals
    source: str
    office: str
    generated_at: str
    today: str
    warning: str | None = None
    elsewhere_pending: list[dict[str, Any]] = field(default_factory=list)
    personal: bool = False
    window: str = ""
    ratings: list[Any] = field(default_factory=list)  # desktop.ledger.ratings.RatingTotals, rated in the range
    ratings_source: str = "local"

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    def to_dict(self) -> dict[str, Any]:
        f = dataclasses.asdict(self.filters) | {"date_from": self.filters.date_from.isoformat(),
                                                "date_to": self.filters.date_to.isoformat()}
        return {"filters": f, "source": self.source, "source_label": self.source_label, "office": self.office,
                "window": self.window,
                "generated_at": self.generated_at, "today": self.today, "warning": self.warning,
                "elsewhere_pending": self.elsewhere_pending, "totals": self.totals.to_dict(),
                "ratings": [{"clerk": r.clerk, "service": r.service, "levels": r.levels, "count": r.count, "bad": r.bad,
                             "rectified": r.rectified, "open": r.open, "overdue": r.overdue,
                             "satisfaction": round(r.satisfaction, 4)} for r in self.ratings],
                "ratings_source": self.ratings_source,
                "rows": [r.to_dict() for r in self.rows]}


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a ledger's rows are built or written: tens of thousands
    of small dicts, tuples and rows, none in a cycle, made each full collection walk every one of them again
    (about a second of a year's ledger, issue 16). Resumed after, even on error; process-wide, so a form
    rendered meanwhile on another thread is merely collected later."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def query(store, filters: Filters, *, hub: str = "auto", personal: bool = False,
          today: dt.date | None = None, now: dt.datetime | None = None) -> LedgerResult:
    """The ledger for `filters`: from the hub when one is configured (hub='auto'), else this device's cases.

    hub='local' never asks the hub; hub='hub' refuses (DeskError) when the hub cannot answer. `personal` puts
    full ID numbers in the rows: only for desktop.ledger.xlsx.personal_xlsx, which checks and audits it."""
    with bulk():
        return _query(store, filters, hub=hub, personal=personal, today=today, now=now)


def _query(store, filters: Filters, *, hub: str, personal: bool, today: dt.date | None,
           now: dt.datetime | None) -> LedgerResult:
    from desktop.accounts.staff import Accounts

    filters = filters.checked(store.catalog)
    values, names = settings.get_all(store.db), Accounts(store.db).names()
    source, warning, elsewhere, summaries = "local", None, [], None
    if hub != "local" and values.get("hub_url"):  # the hub's client (httpx, ≈0.4 s to import) only then
        summaries, source, warning, elsewhere = _from_hub(store, filters, hub, names, personal)
    today = today or dt.date.today()
    if summaries is None:
        rows = local_rows(store, filters, names, today, personal)
    else:
        rows = make_rows(summaries, store.catalog, names, today)
    if filters.overdue_only:
        rows = [dataclasses.replace(r, serial=n) for n, r in enumerate((r for r in rows if r.overdue), start=1)]
    rows = mark_changed(store, rows)
    return result_of(store, filters, rows, counts(rows), values=values, names=names, today=today, now=now,
                     source=source, warning=warning, elsewhere=elsewhere, personal=personal)


def result_of(store, filters: Filters, rows: list[LedgerRow], counted: dict[str, Any], *, values: dict[str, Any],
              names: dict[str, str], today: dt.date, now: dt.datetime | None = None, source: str = "local",
              warning: str | None = None, elsewhere: list[dict[str, Any]] | None = None,
              personal: bool = False) -> LedgerResult:
    """The ledger of `rows` (checked filters), totalled from `counted` (their `counts`, or those of more rows
    when another process holds the rest: desktop/ledger/pdfsplit.py), with the office, the time it was made
    and the ratings of the range."""
    from desktop.ledger import ratings

    generated = (now or dt.datetime.now().astimezone()).replace(microsecond=0).isoformat()
    rated, rated_source, rated_warning = ratings.for_ledger(store, filters, source, clerk_names(filters.clerk, names),
                                                            today)
    warning = "；".join(w for w in (warning, rated_warning) if w) or None
    return LedgerResult(filters, rows, totals_of(counted, store.catalog), source, values.get("office") or "",
                        generated, today.isoformat(), warning, elsewhere or [], personal,
                        values.get("window_code") or "", rated, rated_source)


def _from_hub(store, filters: Filters, hub: str, names: dict[str, str], personal: bool
              ) -> tuple[list[dict[str, Any]] | None, str, str | None, list[dict[str, Any]]]:
    """(summaries, source, warning, other devices' queues) from the hub merged with this device's cases, or
    (None, 'local', why, []) when no device token is there or it cannot answer (hub='hub': raised instead)."""
    from desktop.ledger import hub as ledger_hub

    if not ledger_hub.configured(store.db):
        return None, "local", None, []
    try:
        fetched = ledger_hub.fetch(store.db, filters.date_from, filters.date_to, personal=personal)
    except ledger_hub.HubUnavailableError as exc:
        if hub == "hub":
            raise
        return None, "local", f"{exc.message}；以下仅为本机数据", []
    # this device's newer revisions win over the hub's; filters apply after the merge
    mine = local_summaries(store, Filters(filters.date_from, filters.date_to), names, personal)
    merged = ledger_hub.merge(fetched.cases, mine)
    return ([s for s in merged if keep(s, filters, clerk_names(filters.clerk, names))], "hub", None,
            fetched.elsewhere_pending)


def render_pdf(result: LedgerResult, **kw: Any) -> bytes:
    """The ledger's PDF (desktop.forms.ledger.render; keyword arguments pass through)."""
    from desktop.forms import ledger as pdf

    with bulk():
        return pdf.render(result, **kw)



# local cases

_SQL = """SELECT l.case_uuid, l.number, l.revision, l.updated_at, l.service, l.state, l.accepted_at, l.applicant,
    {id_number}, l.township, l.village, l.clerk, l.window, l.method, l.applied_by, l.proxy_kind, l.proxy_name,
    l.items, l.due_date, l.missing, l.materials, l.sync
  FROM ledger_rows l {join}
  WHERE l.accepted_date BETWEEN ? AND ? {more}
  ORDER BY l.accepted_date, l.accepted_at, l.number"""
_MASKED = {"id_number": "l.id_masked", "join": ""}
_FULL = {"id_number": "c.id_number", "join": "JOIN cases c ON c.uuid = l.case_uuid"}  # a personal export only


def clerk_names(clerk: str, names: dict[str, str]) -> set[str]:
    """Every spelling the clerk filter matches: the name typed, and the username or display name it maps to."""
    if not clerk:
        return set()
    return {clerk, names.get(clerk.lower(), clerk)} | {u for u, d in names.items() if d == clerk}


def _fetch(store, filters: Filters, names: dict[str, str], personal: bool, offset: int = 0,
           limit: int | None = None) -> list[tuple]:
    """The stored rows (desktop/storage/ledgerrows.py) of this device's cases accepted in the range, in order, by
    their date index and filtered on their columns; no payload is read. The sync state is stored in the row too
    (`sync_state` of the newest outbox row, kept by the triggers of migration 0017). With `offset` and `limit`,
    only those of them (a share of a year's rows, desktop/ledger/pdfsplit.py)."""
    sql, params = _select(_SQL, filters, names, personal)
    if offset or limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
    return store.db.execute(sql, params).fetchall()


def count_local(store, filters: Filters, names: dict[str, str]) -> int:
    """How many rows `_fetch` gives (by the same index)."""
    sql, params = _select(_COUNT, filters, names, False)
    return store.db.execute(sql, params).fetchone()[0]


_COUNT = "SELECT count(*) FROM ledger_rows l {join} WHERE l.accepted_date BETWEEN ? AND ? {more}"


def _select(template: str, filters: Filters, names: dict[str, str], personal: bool) -> tuple[str, list[Any]]:
    more: list[str] = []
    params: list[Any] = [filters.date_from.isoformat(), filters.date_to.isoformat()]
    for column, value in (("window", filters.window), ("township", filters.township),
                          ("village", filters.village), ("state", filters.state)):
        if value:
            more.append(f"AND l.{column} = ?")
            params.append(value)
    if filters.service is not None:
        more.append("AND l.service = ?")
        params.append(filters.service)
    if spellings := sorted(clerk_names(filters.clerk, names)):
        more.append(f"AND l.clerk IN ({','.join('?' * len(spellings))})")
        params += spellings
    return template.format(more=" ".join(more), **(_FULL if personal else _MASKED)), params


def local_summaries(store, filters: Filters, names: dict[str, str], personal: bool = False) -> list[dict[str, Any]]:
    """This device's cases accepted in the range as ledger summaries, in the hub's shape (hub/ledgerrows.py),
    to merge with the hub's; each item has only its name, and `due_date` is the one decided when it was stored."""
    out = []
    for r in _fetch(store, filters, names, personal):
        (uuid, number, revision, updated, service, state, accepted, name, id_number, township, village, clerk,
         window, method, applied_by, proxy_kind, proxy_name, items, due, missing, materials, sync) = r
        got = json.loads(materials) if materials else _COMPLETE
        out.append({"uuid": uuid, "number": number, "revision": revision, "updated_at": updated, "service": service,
                    "state": state, "accepted_at": accepted, "applicant_name": name, "id_number": id_number,
                    "township": township, "village": village, "clerk": clerk, "window": window, "method": method,
                    "applied_by": applied_by, "proxy_kind": proxy_kind, "proxy_name": proxy_name,
                    "missing": missing, "missing_ids": got["missing"], "received": got["received"],
                    "items": [{"name": n} for n in items.split(ledgerrows.ITEMS_SEP)] if items else [],
                    "due_date": due, "device": "", "sync": sync})
    return out


_COMPLETE: dict[str, list] = {"missing": [], "received": []}


def local_rows(store, filters: Filters, names: dict[str, str], today: dt.date, personal: bool = False,
               offset: int = 0, limit: int | None = None) -> list[LedgerRow]:
    """This device's ledger rows straight from the stored rows, numbered in order: what `make_rows` makes of
    their summaries (tests/ledger/test_stored_rows.py compares the two), without a summary per case between.
    With `offset` and `limit`, only those rows (numbered from offset + 1)."""
    services, is_overdue, sep, rows = store.catalog.services, overdue.is_overdue, ledgerrows.ITEMS_SEP, []
    for n, r in enumerate(_fetch(store, filters, names, personal, offset, limit), start=offset + 1):
        (uuid, number, revision, updated, service_no, state, accepted, name, id_number, township, village, clerk,
         window, method, applied_by, proxy_kind, proxy_name, items, due, missing, materials, sync) = r
        service = services.get(service_no)
        proxy = applied_by == "proxy"
        values = {
            "serial": n, "uuid": uuid, "number": number, "accepted_at": accepted, "applicant": name,
            "id_number": id_number, "group": service.group if service else "", "service": service_no,
            "service_name": service.name if service else f"（未知一件事 {service_no}）",
            "items": tuple(items.split(sep)) if items else (), "method": method, "applied_by": applied_by,
            "proxy_name": proxy_name if proxy else "",
            "proxy_kind": PROXY_KINDS.get(proxy_kind, proxy_kind) if proxy else "",
            "materials_complete": not missing, "missing": missing, "state": state,
            "state_label": STATES.get(state, state), "due_date": due, "overdue": is_overdue(state, due, today),
            "sync": sync, "clerk": names.get(clerk, clerk), "window": window,
            "township": township, "village": village, "device": "", "revision": revision, "updated_at": updated,
            "changed_after_close": False, "received": (), "missing_names": ()}
        if materials:
            got = json.loads(materials)
            values.update(_materials(service, {"missing_ids": got["missing"], "received": got["received"]}))
        row = object.__new__(LedgerRow)  # as _row: every field set, without the frozen __init__
        object.__setattr__(row, "__dict__", values)
        rows.append(row)
    return rows


def sync_state(outbox_state: str | None, resolved: str | None) -> str:
    """A case's sync state from its newest outbox row (as desktop.sync.state.case_states says it); the ledger
    reads it stored in its row, where migration 0017's triggers write the same in SQL (tests/ledger/test_stored_rows.py)."""
    if outbox_state is None:
        return "local"
    if outbox_state in ("conflict", "rejected") and resolved:
        return "reviewed"
    return {"acked": "synced", "sending": "pending"}.get(outbox_state, outbox_state)


def keep(s: dict[str, Any], f: Filters, clerks: set[str]) -> bool:
    """The filters applied to a summary (the hub's answer is the whole office's range, filtered here)."""
    return ((not f.window or s["window"] == f.window) and (not f.township or s["township"] == f.township)
            and (not f.village or s["village"] == f.village) and (not f.state or s["state"] == f.state)
            and (f.service is None or s["service"] == f.service) and (not clerks or s["clerk"] in clerks))


# rows and totals


def due_and_overdue(state: str, items: list[dict[str, Any]], today: dt.date) -> tuple[str | None, bool]:
    """The case's due date and whether it is overdue: the one rule of desktop/domain/overdue.py."""
    return overdue.due_and_overdue(state, items, today)


def make_rows(summaries: list[dict[str, Any]], catalog, names: dict[str, str], today: dt.date) -> list[LedgerRow]:
    """Ledger rows in order of acceptance, numbered from 1."""
    summaries = sorted(summaries, key=lambda s: (s["accepted_at"] or "", s["number"] or ""))
    rows = []
    for n, s in enumerate(summaries, start=1):
        service = catalog.services.get(s["service"])
        items = tuple(i["name"] for i in s["items"])
        if "due_date" in s:  # this device's stored row: the due date was decided when the case was written
            due, late = s["due_date"], overdue.is_overdue(s["state"], s["due_date"], today)
        else:  # the hub's summary: its items with their dates and statuses
            due, late = due_and_overdue(s["state"], s["items"], today)
        rows.append(_row(
            serial=n, uuid=s["uuid"], number=s["number"] or "", accepted_at=s["accepted_at"] or "",
            applicant=s["applicant_name"], id_number=s["id_number"], group=service.group if service else "",
            service=s["service"], service_name=service.name if service else f"（未知一件事 {s['service']}）",
            items=items, method=s["method"], applied_by=s["applied_by"],
            proxy_name=s["proxy_name"] if s["applied_by"] == "proxy" else "",
            proxy_kind=PROXY_KINDS.get(s["proxy_kind"], s["proxy_kind"]) if s["applied_by"] == "proxy" else "",
            materials_complete=not s["missing"], missing=s["missing"], state=s["state"],
            state_label=STATES.get(s["state"], s["state"]), due_date=due, overdue=late, sync=s["sync"],
            clerk=names.get(s["clerk"], s["clerk"]), window=s["window"], township=s["township"],
            village=s["village"], device=s.get("device", ""), revision=s["revision"], updated_at=s["updated_at"],
            **_materials(service, s)))
    return rows


_ROW_DEFAULTS = {f.name: f.default for f in dataclasses.fields(LedgerRow) if f.default is not dataclasses.MISSING}


def _row(**values: Any) -> LedgerRow:
    """A LedgerRow made without the frozen dataclass's __init__, which sets each of its 31 fields through
    object.__setattr__ (half a second of a year's 50,000 rows, issue 16). The same object: every field given
    or defaulted, and nothing else, as __init__ would (checked in tests/ledger/test_query.py)."""
    row = object.__new__(LedgerRow)
    row.__dict__.update(_ROW_DEFAULTS)
    row.__dict__.update(values)
    return row


def _materials(service, s: dict[str, Any]) -> dict[str, Any]:
    """A summary's received (in catalog order) and missing materials by name, for a case still missing some."""
    if not s.get("missing_ids"):
        return {}

    def name(mid: str) -> str:
        try:
            return service.material(mid).name
        except (AttributeError, KeyError):  # an unknown service or a material the catalog no longer has
            return mid

    order = {m.id: n for n, m in enumerate(service.materials)} if service else {}
    got = sorted(s.get("received") or [], key=lambda g: order.get(g[0], len(order)))  # catalog order, as on paper
    return {"received": tuple((name(mid), received_label(mid, how), count) for mid, how, count in got),
            "missing_names": tuple(name(mid) for mid in s["missing_ids"])}


def counts(rows: list[LedgerRow]) -> dict[str, Any]:
    """What the totals count (by service, group, method, state and applicant/proxy; overdue and unsynced), as
    plain values that add up: the counts of two shares of the rows, added key by
    key (`added`), are those of all of them."""
    return {"cases": len(rows), "service": Counter(r.service for r in rows), "group": Counter(r.group for r in rows),
            "method": Counter(r.method for r in rows), "state": Counter(r.state for r in rows),
            "applied": Counter(APPLIED_BY.get(r.applied_by, r.applied_by) for r in rows),
            "overdue": sum(r.overdue for r in rows), "unsynced": sum(r.sync != "synced" for r in rows),
            "pending": sum(not r.materials_complete for r in rows)}


def added(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return {key: one[key] + other[key] for key in one}


def totals_of(counted: dict[str, Any], catalog) -> Totals:
    """The totals of rows from their `counts`."""
    by_service, by_group, methods = counted["service"], counted["group"], counted["method"]
    states, applied = counted["state"], counted["applied"]
    groups = list(dict.fromkeys(s.group for s in catalog.services.values()))
    return Totals(
        cases=counted["cases"],
        by_service=tuple((f"{n}. {catalog.services[n].name}" if n in catalog.services else str(n), by_service[n])
                         for n in sorted(by_service)),
        by_group=tuple((g, by_group[g]) for g in [*groups, *sorted(set(by_group) - set(groups))] if by_group[g]),
        by_method=tuple((m, methods[m]) for m in sorted(methods, key=_method_order)),
        by_state=tuple((STATES[s], states[s]) for s in STATES if states[s]),
        by_applied=tuple((label, applied[label]) for label in APPLIED_BY.values() if applied[label]),
        overdue=counted["overdue"], unsynced=counted["unsynced"], pending_materials=counted["pending"])


def _method_order(method: str) -> tuple[int, str]:

    return (METHODS.index(method) if method in METHODS else len(METHODS), method)


def snapshot(row: LedgerRow) -> dict[str, Any]:
    """What the closed ledger says about a case, field by field (close.FIELDS names them)."""
    return {"service": row.service_name, "state": row.state_label, "due_date": row.due_date or "",
            "materials": row.materials_brief, "items": "、".join(row.items), "method": row.method,
            "applied_by": row.applied_by_text, "applicant": row.applicant, "clerk": row.clerk, "window": row.window,
            "place": f"{row.township}{row.village}"}


def mark_changed(store, rows: list[LedgerRow]) -> list[LedgerRow]:
    """Rows of closed days that differ from their day's latest closure, flagged `changed_after_close`."""
    if not rows:
        return rows
    days = sorted({r.accepted_at[:10] for r in rows})
    found = store.db.execute(
        "SELECT cc.case_uuid, cc.revision, cc.snapshot FROM closure_cases cc JOIN closures c ON c.id = cc.closure_id"
        " WHERE c.day BETWEEN ? AND ? AND c.revision = (SELECT max(revision) FROM closures WHERE day = c.day)",
        [days[0], days[-1]]).fetchall()
    if not found:
        return rows
    closed = {u: (rev, s) for u, rev, s in found}
    closed_days = {d for (d,) in store.db.execute("SELECT DISTINCT day FROM closures WHERE day BETWEEN ? AND ?",
                                                  [days[0], days[-1]]).fetchall()}
    out = []
    for r in rows:
        then = closed.get(r.uuid)
        changed = (then is None and r.accepted_at[:10] in closed_days) or (
            then is not None and (then[0] != r.revision or json.loads(then[1]) != snapshot(r)))
        out.append(dataclasses.replace(r, changed_after_close=True) if changed else r)
    return out
