"""The case store: the only writer of cases, their timeline and the outbox, each change in one transaction.

Every committed change to a non-draft case bumps its revision and writes an outbox row in the same
transaction, so a crash can never leave a change that sync does not know about, or the reverse.
Drafts are saved on every edit and stay on the device until accepted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from desktop.domain.errors import DeskError, StoreError, ValidationError
from desktop.domain.redaction import redact
from desktop.storage import audit, settings
from desktop.storage.db import Database, open_db

# The case model, searchkeys, numbering, ledgerrows, the calendar and the domain's states are imported by the
# methods that read a case, write or search: a command that only lists never needs them, nor their dataclasses
# (issue 16: a command's own overhead ≤ 2× the baseline).

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

    from desktop.domain.case import Case
    from desktop.domain.catalog import (  # loaded with the first catalog parsed (storage/catalogs.py)
        Catalog,
        Service,
    )

Listener = Callable[[str, str], None]


def now_local() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


class Store:
    """Cases in one data dir. `listeners` are called with (what, case uuid) after each commit."""

    def __init__(self, db: Database, catalog: Catalog | None, data_dir: Path | None = None, *,
                 today: dt.date | None = None):
        self.db = db
        self._catalog = catalog  # None: the one in force `today`, loaded at first use (`catalog`)
        self._today = today
        self.data_dir = data_dir
        self.listeners: list[Listener] = []
        # Audit hook (issue 8, desktop/storage/audit.py): called INSIDE the transaction of accept, transition and
        # record_event with (actor, action, case uuid, detail, now), so a change and its audit entry commit
        # together (listeners run after commit: too late). `detail` never holds personal values. None: off.
        self.audit: audit.Hook | None = audit.recorder(db)

    @classmethod
    def open(cls, data_dir: Path, catalog: Catalog | None = None, *, today: dt.date | None = None) -> Store:
        """The store of `data_dir` with `catalog` active, or the catalog in force `today` (desktop/storage/catalogs.py),
        loaded when first used: a command that reads no catalog (settings, users, the audit, sync) or only a case's
        own older one never parses the active one (issue 16: a command's overhead ≤ 2× `import desktop`)."""
        from desktop.storage import catalogs

        db = open_db(data_dir)
        if catalog is None:
            try:
                catalogs.register(db, data_dir)
            except BaseException:
                db.close()
                raise
        return cls(db, catalog, data_dir, today=today)

    @property
    def catalog(self) -> Catalog:
        """The active catalog (the bundled one registered among the versions the first time it is asked for)."""
        if self._catalog is None:
            from desktop.storage import catalogs

            if self.data_dir is None:
                raise StoreError("没有数据目录，无法确定当前目录版本")
            self._catalog = catalogs.open_active(self.db, self.data_dir, self._today)
        return self._catalog

    @catalog.setter
    def catalog(self, value: Catalog) -> None:
        self._catalog = value

    def catalog_names(self) -> dict[int, str]:
        """Service number → name in the active catalog: what a case list shows of it, read from the catalog's file
        without parsing the whole catalog (issue 16), unless it is parsed already."""
        if self._catalog is not None:
            return {number: service.name for number, service in self._catalog.services.items()}
        from desktop.domain import catalogfile
        from desktop.storage import catalogs

        if self.data_dir is None:
            raise StoreError("没有数据目录，无法确定当前目录版本")
        return catalogfile.service_names(catalogs.active_path(self.db, self.data_dir, self._today))

    def catalog_for(self, case: Case) -> Catalog:
        """The catalog a case was started or accepted under (the active one for a new draft)."""
        if self.data_dir is None or (self._catalog is not None and case.catalog_hash == self._catalog.hash):
            return self.catalog
        if not case.catalog_hash and case.state == "draft":
            return self.catalog
        from desktop.storage import catalogs

        if self._catalog is None and self._active_hash() == case.catalog_hash:
            return self.catalog  # loaded once for this and what follows, as before
        return catalogs.load(self.db, self.data_dir, case.catalog_hash) or self.catalog

    def service_for(self, case: Case) -> Service:
        """The case's service in the catalog catalog_for(case) gives, read alone from that catalog's file unless
        a catalog is parsed already (a case's detail needs its service, not the whole catalog: issue 16)."""
        from desktop.domain import catalog as catalog_mod
        from desktop.storage import catalogs

        if self.data_dir is None or self._catalog is not None and (
                case.catalog_hash == self._catalog.hash or not case.catalog_hash and case.state == "draft"):
            return self.catalog.service(case.service)
        if self._catalog is None and (not case.catalog_hash and case.state == "draft"
                                      or self._active_hash() == case.catalog_hash):  # the active one's file
            return catalog_mod.load_service(catalogs.active_path(self.db, self.data_dir, self._today), case.service)
        path = catalogs.path_of(self.db, self.data_dir, case.catalog_hash)
        if path is None:
            return self.catalog.service(case.service)
        return catalog_mod.load_service(path, case.service)

    def _active_hash(self) -> str:
        """The hash of the catalog in force, from its row: whether a case's own is it, without parsing either."""
        from desktop.storage import catalogs

        row = catalogs.active_row(self.db, self._today or dt.date.today())
        return row["hash"] if row is not None else ""

    def _stamp(self, case: Case) -> None:
        """A new draft takes the active catalog's version, and keeps it to acceptance and beyond."""
        if case.state == "draft" and not case.catalog_hash:
            case.catalog_version, case.catalog_hash = self.catalog.version, self.catalog.hash

    def close(self) -> None:
        self.db.close()

    def _changed(self, what: str, uuid: str) -> None:
        for listener in list(self.listeners):
            listener(what, uuid)

    # reading

    def load(self, ref: str) -> Case:
        """A case by UUID or by its printed number."""
        row = next(self.db.query("SELECT payload FROM cases WHERE uuid = ? OR number = ?", [ref, ref.upper()]), None)
        if row is None:
            raise DeskError(f"找不到案件“{redact(ref)}”（可用案件编号或UUID）", field="case")  # an ID typed in the wrong box
        from desktop.domain.case import Case

        return Case.from_dict(json.loads(row["payload"]))

    def rows(self, where: str = "1", params: list[Any] | None = None, order: str = "updated_at DESC",
             limit: int | None = None) -> list[dict[str, Any]]:
        """Summary rows (no payload) for lists and ledgers."""
        sql = (f"SELECT uuid, number, service, state, revision, created_at, updated_at, accepted_at, accepted_date,"
               f" due_date, applicant_name, id_number, phone, township, village, clerk, window, linked_from, page"
               f" FROM cases WHERE {where} ORDER BY {order}")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return list(self.db.query(sql, params or []))

    def cases_on(self, day: dt.date) -> list[dict[str, Any]]:
        return self.rows("accepted_date = ?", [day.isoformat()], order="number")

    def drafts(self) -> list[dict[str, Any]]:
        return self.rows("state = 'draft'")

    def events(self, uuid: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT at, kind, actor, detail FROM events WHERE case_uuid = ? ORDER BY id", [uuid])
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def search(self, text: str, limit: int = 50, *, township: str | None = None,
               villages: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Cases matching a name, pinyin initials, ID number or its tail, phone, or case number.

        `township` (and `villages`, if any) limit the search to a village agent's area inside the query, so
        the limit counts only cases the agent may see (filtering after it could hide every one of them)."""
        place, place_params = "", []
        if township is not None:
            place = " AND c.township = ?" + (f" AND c.village IN ({','.join('?' * len(villages))})" if villages else "")
            place_params = [township, *villages]
        from desktop.storage import searchkeys

        uuids: dict[str, None] = {}
        for prefix in searchkeys.query_prefixes(text):
            hits = self.db.execute(
                "SELECT DISTINCT k.case_uuid FROM case_keys k JOIN cases c ON c.uuid = k.case_uuid"
                f" WHERE k.key >= ? AND k.key < ?{place} LIMIT ?",
                [prefix, prefix + "\U0010ffff", *place_params, limit],
            ).fetchall()
            uuids.update((h[0], None) for h in hits)
        if not uuids:
            return []
        marks = ",".join("?" * len(uuids))
        return self.rows(f"uuid IN ({marks})", list(uuids), limit=limit)

    def outbox_pending(self) -> int:
        """Cases (not revisions) with a change still to send."""
        return self.db.execute(
            "SELECT count(DISTINCT case_uuid) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()[0]

    # writing

    def save_draft(self, case: Case, *, now: dt.datetime | None = None) -> None:
        """Save a draft as it stands, valid or not; called on every edit in the wizard."""
        if case.state != "draft":
            raise ValidationError("只有草稿可以这样保存", field="state")
        self._stamp(case)
        self.catalog_for(case).service(case.service)
        with self.db.atomic():
            self._write(case, now or now_local(), outbox=False)
        self._changed("draft", case.uuid)

    def discard_draft(self, uuid: str) -> None:
        case = self.load(uuid)
        if case.state != "draft":
            raise ValidationError("已受理的案件不能删除，只能终止", field="state")
        with self.db.atomic():
            self.db.execute("DELETE FROM cases WHERE uuid = ?", [uuid])
        self._changed("discarded", uuid)

    def accept(self, draft: Case, *, actor: str = "", now: dt.datetime | None = None) -> Case:
        """Accept a draft exactly as the wizard does: validate, number it, and commit with its outbox row.

        Works on a copy and returns the accepted case: the caller's draft is never changed, so a failed
        acceptance (disk full, audit write refused) leaves it a draft without a number, still saveable.
        Missing required materials put it in 补正中 (with the one-time notice) instead of 已受理.
        Linked services chosen become linked drafts sharing the applicant, answers and materials.
        """
        if draft.state != "draft":
            raise ValidationError(f"案件已是{draft.state_label}，不能再次受理", field="state")
        from desktop.domain import idnumber, workdays
        from desktop.domain.case import Case, ItemState
        from desktop.storage import numbering

        case = Case.from_dict(draft.to_dict())
        self._stamp(case)
        catalog = self.catalog_for(case)
        service = catalog.service(case.service)
        now = now or now_local()
        if not case.application_date:
            case.application_date = now.date().isoformat()
        from desktop.domain import (
            eligibility,  # the rules: needed from the first acceptance on, not at start-up
        )

        if errors := eligibility.accept_errors(service, case, catalog):
            raise errors[0]
        idnumber.store_people(case.applicant, case.guardian, case.proxy)  # as validated: 18 ASCII characters
        values = settings.get_all(self.db)
        settings.require_numbering(values)
        fx = eligibility.facts(service, case)
        case.items = [ItemState(key=i.key, code=i.code, name=i.name, working_days=i.working_days or service.working_days,
                                calendar_days=None if i.working_days else service.calendar_days)
                      for i in eligibility.applicable_items(service, fx)]
        case.missing = eligibility.missing_materials(service, case)
        case.county_code, case.window = values["county_code"], values["window_code"]
        case.office = case.office or values["office"]
        case.clerk = case.clerk or actor or values["clerk"]
        case.clerk_no = case.clerk_no or self._staff_no(actor, case.clerk)
        case.accepted_at = now.isoformat()
        import secrets  # with the first acceptance, not with every command that opens the store

        case.public_code = case.public_code or secrets.token_urlsafe(16)  # 128 random bits: the citizen's page
        with self.db.atomic():
            case.number = numbering.next_number(self.db, case.county_code, case.window, now.date())
            if case.missing:  # 容缺受理 when the catalog tolerates every missing one: accepted, promised by a date
                self._enter(case, "accepted" if eligibility.tolerated(service, case.missing) else "pending_materials", now)
                case.notice_deadline = workdays.add_working_days(now.date(), 5).isoformat()
            else:
                self._enter(case, "accepted", now)
            self._event(case.uuid, now, "accepted", actor, {"state": case.state, "number": case.number,
                                                             "missing": case.missing,
                                                             "ineligible_reason": bool(case.ineligible_reason)})
            for number in case.linked_services:
                case.linked_cases.append(self._linked_draft(case, catalog, number, now).uuid)
            self._write(case, now, outbox=True)
            self._audited(actor, "case.create", case.uuid,
                          {"service": case.service, "state": case.state, "number": case.number}, now)
        self._changed("accepted", case.uuid)
        return case

    def _staff_no(self, actor: str, clerk: str) -> str:
        """The 工号 of the account accepting, when the case's 经办人 is that account (by username or name)."""
        row = self.db.execute("SELECT display_name, staff_no FROM users WHERE username = ?", [actor]).fetchone()
        return row[1] if row is not None and clerk in (actor, row[0]) else ""

    def transition(self, ref: str, action: str, *, actor: str = "", reason: str = "",
                   now: dt.datetime | None = None) -> Case:
        """Apply a state change from states.ACTIONS, recorded on the timeline and queued for sync."""
        from desktop.domain import states

        case = self.load(ref)
        spec = states.check(case.state, action, reason)
        now = now or now_local()
        with self.db.atomic():
            if action == "suspend":
                case.state_before_suspension, case.suspended_on = case.state, now.date().isoformat()
                case.state = "suspended"
            elif action == "resume":
                self._resume(case, now)
            elif action == "materials_received":  # only once nothing required is missing (intake/supplement.py)
                from desktop.domain import eligibility  # as in accept(): not needed at start-up

                service = self.catalog_for(case).service(case.service)
                if still := eligibility.missing_materials(service, case):
                    names = "、".join(service.material(m).name for m in still)
                    raise ValidationError(f"尚缺补正材料：{names}；请先登记收到的材料", field="missing")
                case.missing = []
                self._enter(case, "accepted", now)
            else:
                case.state = spec.target
                for item in case.items:
                    item.status = spec.target
            self._event(case.uuid, now, action, actor, {"state": case.state, "reason": reason})
            self._write(case, now, outbox=True)
            self._audited(actor, "case.transition", case.uuid, {"action": action, "state": case.state}, now)
        self._changed(action, case.uuid)
        return case

    def record_event(self, uuid: str, kind: str, *, actor: str = "", detail: dict[str, Any] | None = None,
                     now: dt.datetime | None = None) -> None:
        """A timeline entry that changes nothing else (a print, a note)."""
        now = now or now_local()
        with self.db.atomic():
            self._event(uuid, now, kind, actor, detail or {})
            self._audited(actor, "case.event", uuid, {"kind": kind}, now)
        self._changed(kind, uuid)

    def apply_remote(self, case: Case, kind: str, detail: dict[str, Any], *, actor: str = "", queue: bool = False,
                     now: dt.datetime | None = None) -> None:
        """Write a case changed by sync (desktop/sync/engine.py) with its timeline entry, in the caller's transaction
        if any. A department's status from the hub is not queued (it must not bounce back as a new revision);
        a conflict re-based by the clerk is (`queue`)."""
        now = now or now_local()
        with self.db.atomic():
            self._event(case.uuid, now, kind, actor, detail)
            self._write(case, now, outbox=queue)
            self._audited(actor, "case.sync", case.uuid, {"kind": kind}, now)
        self._changed(kind, case.uuid)

    # internals

    def _audited(self, actor: str, action: str, uuid: str, detail: dict[str, Any], now: dt.datetime) -> None:
        if self.audit is not None:
            self.audit(actor, action, uuid, detail, now)

    def _enter(self, case: Case, state: str, now: dt.datetime) -> None:
        """Enter an open state; entering 已受理 starts each item's clock in working days."""
        from desktop.domain import workdays

        case.state = state
        for item in case.items:
            item.status = state
            due = workdays.due_after(now.date(), item.working_days, item.calendar_days)
            if state == "accepted" and due and not item.due_date:
                item.due_date = due.isoformat()

    def _resume(self, case: Case, now: dt.datetime) -> None:
        """续办: back to the state before 中止, with due dates moved by the working days spent suspended."""
        from desktop.domain import workdays

        stopped = dt.date.fromisoformat(case.suspended_on or now.date().isoformat())
        paused = workdays.working_days_between(stopped, now.date())
        for item in case.items:
            if item.due_date and item.calendar_days and not item.working_days:
                item.due_date = (dt.date.fromisoformat(item.due_date) + (now.date() - stopped)).isoformat()
            elif item.due_date:
                item.due_date = workdays.add_working_days(dt.date.fromisoformat(item.due_date), paused).isoformat()
            item.status = case.state_before_suspension
        case.state, case.state_before_suspension, case.suspended_on = case.state_before_suspension, "", None

    def _linked_draft(self, parent: Case, catalog: Catalog, number: int, now: dt.datetime) -> Case:
        from desktop.domain.case import Case

        service = catalog.service(number)
        child = Case(service=number, applicant=parent.applicant, guardian=parent.guardian,
                     applied_by=parent.applied_by, proxy_kind=parent.proxy_kind, proxy=parent.proxy,
                     mandate_signed=parent.mandate_signed, linked_from=parent.uuid, clerk=parent.clerk,
                     office=parent.office, catalog_version=parent.catalog_version, catalog_hash=parent.catalog_hash)
        child.method = parent.method if parent.method in service.methods else service.methods[0]
        child.answers = {q: v for q, v in parent.answers.items() if q in service.ask}
        child.materials = {m.id: parent.materials[m.id] for m in service.materials if m.id in parent.materials}
        self._write(child, now, outbox=False)
        self._event(child.uuid, now, "created_linked", "", {"from": parent.uuid, "number": parent.number})
        return child

    def _event(self, uuid: str, now: dt.datetime, kind: str, actor: str, detail: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO events (case_uuid, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
                        [uuid, now.isoformat(), kind, actor, json.dumps(detail, ensure_ascii=False)])

    def _write(self, case: Case, now: dt.datetime, *, outbox: bool) -> None:
        from desktop.domain import overdue
        from desktop.storage import ledgerrows

        if outbox:
            case.revision += 1
        due = overdue.case_due_date(case.items, case.state)  # the date that decides 超期 (desktop/domain/overdue.py)
        payload = case.to_dict()
        row = {
            "uuid": case.uuid, "number": case.number, "service": case.service, "state": case.state,
            "revision": case.revision, "created_at": now.isoformat(), "updated_at": now.isoformat(),
            "accepted_at": case.accepted_at, "accepted_date": case.accepted_at[:10] if case.accepted_at else None,
            "due_date": due, "applicant_name": case.applicant.name.strip(), "id_number": case.applicant.id_number,
            "phone": case.applicant.phone, "township": case.applicant.township, "village": case.applicant.village,
            "clerk": case.clerk, "window": case.window, "linked_from": case.linked_from, "page": case.page,
            "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        }
        cols = ", ".join(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in ("uuid", "created_at"))
        self.db.execute(f"INSERT INTO cases ({cols}) VALUES ({', '.join('?' * len(row))}) "
                        f"ON CONFLICT(uuid) DO UPDATE SET {updates}", list(row.values()))
        self._write_keys(case)
        ledgerrows.write(self.db, payload, now.isoformat())  # the case's line on the ledger, in this transaction
        if outbox:
            self.db.execute("INSERT INTO outbox (case_uuid, revision, created_at) VALUES (?, ?, ?)",
                            [case.uuid, case.revision, now.isoformat()])

    def _write_keys(self, case: Case) -> None:
        from desktop.storage import searchkeys

        keys = searchkeys.keys_for(case.applicant.name.strip(), case.applicant.id_number, case.applicant.phone,
                                   case.number)
        self.db.execute("DELETE FROM case_keys WHERE case_uuid = ?", [case.uuid])
        self.db.conn.executemany("INSERT INTO case_keys (key, case_uuid) VALUES (?, ?)",
                                 [(k, case.uuid) for k in sorted(keys)])
