"""Sync with the county hub: drain the outbox, pull department statuses, and tell the desk how it stands.

The desk's API (no Qt; run it on the thread that owns the store's connection):
    engine = SyncEngine(store)          # rows left 'sending' by a dead desk go back to pending here
    engine.tick()                       # call on a timer: runs a pass when due (backoff honoured), else None
    engine.sync_now()                   # "立即同步": a pass now, whatever the backoff says
    engine.status()                     # pending count, last success, last error in plain words
    engine.case_states(uuids)           # per case: synced, pending, conflict, rejected …
    engine.problems()                   # open conflicts and rejections with their reasons
    engine.resolve(uuid, action)        # keep_local / take_hub (conflict), dismiss (rejected)
connect(store, url, code) enrolls the device (desktop/sync/enroll.py). The protocol is in docs/sync.md.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop.domain.case import Case
from desktop.domain.errors import DeskError, ValidationError
from desktop.intake import documents
from desktop.storage import settings
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store
from desktop.sync import (
    apply as syncapply,
    audit as syncaudit,
    catalogs as synccatalogs,
    identity,
    state as syncstate,
)
from desktop.sync.client import HubClient, HubFailureError
from desktop.sync.enroll import connect, now_iso
from desktop.sync.push import BlobSource, Pusher

__all__ = ["SyncEngine", "connect", "backoff_delay", "now_iso"]
log = logging.getLogger("desktop.sync.engine")
BACKOFF_BASE, BACKOFF_CAP = 15.0, 900.0
POLL_SECONDS = 30  # how often the desk should call tick()
NOT_CONNECTED = "尚未连接县级汇聚服务器：请运行 python -m desktop hub connect 服务器地址 登记码"


def backoff_delay(failures: int, rng: random.Random, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP,
                  retry_after: float | None = None) -> float:
    """Seconds to wait after `failures` failed passes in a row: doubling from `base`, capped at `cap`, with
    'equal jitter' (half fixed, half random) so a hall full of desks does not retry in step; never less than
    the hub's Retry-After, itself spread by up to half again (300 desks told "30" after an outage must not all
    come back at second 30), all capped."""
    if failures <= 0:
        return 0.0
    ceiling = min(cap, base * 2 ** min(failures - 1, 30))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    return min(cap, max(delay, retry_after + rng.uniform(0, retry_after / 2))) if retry_after else delay


@dataclass
class PassReport:
    """What one pass did; `ok` is False when the hub could not be reached or did not answer as the hub."""

    ok: bool = True
    sent: int = 0
    replayed: int = 0
    conflicts: int = 0
    rejected: int = 0
    pending: int = 0
    blobs_sent: int = 0
    bytes_sent: int = 0
    changes_received: int = 0
    changes_applied: int = 0
    changes_waiting: int = 0
    audit_sent: int = 0
    audit_replayed: int = 0
    catalogs_received: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SyncStatus:
    """For the status bar: the counts, the last success and the last error in plain Chinese."""

    configured: bool
    hub_url: str
    device: str
    office: str
    pending: int
    conflicts: int
    rejected: int
    last_success_at: str | None
    last_error: str | None
    auth_required: bool
    next_attempt_at: str | None
    catalog_notice: dict[str, Any] | None

    def summary(self) -> str:
        """One line, e.g. “待上传 3 件 · 上次同步成功 11-28 10:32 · 无法连接县级汇聚服务器…”."""
        if not self.configured:
            return "未连接县级汇聚服务器"
        parts = [f"待上传 {self.pending} 件" if self.pending else "全部已上传"]
        if self.conflicts or self.rejected:
            parts.append(f"待处理 {self.conflicts + self.rejected} 件")
        parts.append(f"上次同步成功 {self.last_success_at[5:16].replace('T', ' ')}" if self.last_success_at
                     else "尚未成功同步")
        if self.last_error:
            parts.append(self.last_error)
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def filed_scans(store: Store) -> BlobSource:
    """The switch point for where a case's scans come from: its filed documents in the desk's blob store."""

    blobs = BlobStore.of(store.data_dir)
    return lambda uuid: [(sha, blobs.source(sha)) for sha in documents.case_blobs(store, uuid)]


class SyncEngine:
    """Sync passes over one store; see the module docstring for the API the desk uses."""

    def __init__(self, store: Store, *, blob_source: BlobSource | None = None, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.time, timeout: float = 30.0, connect_timeout: float = 5.0,
                 transport: Any = None):
        self.store, self.db = store, store.db
        self.blob_source = blob_source or filed_scans(store)
        self.rng, self.clock = rng or random.Random(), clock
        self.timeouts = {"timeout": timeout, "connect_timeout": connect_timeout, "transport": transport}
        self.requeued = syncstate.requeue_sending(self.db)

    # reading

    def status(self) -> SyncStatus:
        g = lambda key: syncstate.get(self.db, key)  # noqa: E731
        counts = syncstate.counts(self.db)
        nxt = g("next_attempt_at")
        return SyncStatus(
            configured=bool(g("token")), hub_url=settings.get(self.db, "hub_url"), device=g("device") or "",
            office=g("office") or "", pending=counts["pending"], conflicts=counts["conflict"],
            rejected=counts["rejected"], last_success_at=g("last_success_at"), last_error=g("last_error"),
            auth_required=bool(g("auth_required")), catalog_notice=g("catalog_notice"),
            next_attempt_at=dt.datetime.fromtimestamp(nxt).astimezone().isoformat(timespec="seconds") if nxt else None)

    def case_states(self, uuids: list[str]) -> dict[str, str]:
        """Per case: local, pending, sending, synced, conflict, rejected or reviewed (labels: CASE_STATE_LABELS)."""
        return syncstate.case_states(self.db, uuids)

    def problems(self) -> list[dict[str, Any]]:
        """Open conflicts, rejections and contradicting department statuses (kind 'status_conflict', with
        hub_state and local_state): case_uuid, number, kind, reason, revision, hub_revision, at."""
        return syncstate.problems(self.db)

    def seconds_until_due(self) -> float:
        """Bounded: no backoff is longer than BACKOFF_CAP, so a wait beyond it means the clock was set back
        (it ran days fast when the pass failed); the wait is cut to the cap from now, and kept."""
        nxt = syncstate.get(self.db, "next_attempt_at")
        if not nxt:
            return 0.0
        now = self.clock()
        if nxt - now > BACKOFF_CAP:
            nxt = now + BACKOFF_CAP
            syncstate.put(self.db, next_attempt_at=nxt)
            log.warning("sync backoff cut to %.0fs: the clock went back", BACKOFF_CAP)
        return max(0.0, nxt - now)

    # driving

    def tick(self) -> PassReport | None:
        """A pass if one is due: connected, not waiting for re-enrollment, backoff elapsed."""
        if not syncstate.get(self.db, "token") or syncstate.get(self.db, "auth_required"):
            return None
        return self.sync_now() if self.seconds_until_due() == 0 else None

    def sync_now(self) -> PassReport:
        """One pass: send what waits (scans first, then the case), pull the feed, send the audit trail, apply
        what can be applied. A refused audit trail is the status's last error; it never holds cases back."""
        report = PassReport()
        with self._client() as client:
            try:
                self._pusher(client, report).push()
                self._pull(client, report)
                report.catalogs_received, refused = synccatalogs.fetch(self.store, client)
                report.errors += refused
                trail = syncaudit.push(self.db, client)
            except HubFailureError as failure:
                self._failed(failure, report)
            else:
                report.audit_sent, report.audit_replayed = trail.sent, trail.replayed
                report.errors += [trail.error] if trail.error else []
                error = "；".join(report.errors) or None  # a case waiting for a proxy, a refused audit trail
                syncstate.put(self.db, last_success_at=now_iso(), last_error=error, failures=0,
                              next_attempt_at=None, auth_required=None, last_error_at=now_iso() if error else None)
            applied = syncapply.apply_inbox(self.store, now_iso())
            if applied["applied"] and report.ok:  # the statuses' new revisions go at once
                self._push_again(client, report)
        report.changes_applied, report.changes_waiting = applied["applied"], applied["waiting"]
        report.conflicts += applied.get("conflicts", 0)
        report.pending = syncstate.counts(self.db)["pending"]
        log.info("sync pass %s", json.dumps({k: v for k, v in report.to_dict().items() if k != "errors"}))
        return report

    def _pusher(self, client: HubClient, report: PassReport) -> Pusher:
        return Pusher(self.store, client, self.blob_source, syncstate.confirmed_blobs(self.db), report, now_iso,
                      BlobStore.of(self.store.data_dir).path)

    def _push_again(self, client: HubClient, report: PassReport) -> None:
        try:
            self._pusher(client, report).push()
        except HubFailureError as failure:
            self._failed(failure, report)

    def _client(self) -> HubClient:
        url, token = settings.get(self.db, "hub_url"), syncstate.get(self.db, "token")
        if not url or not token:
            raise DeskError(NOT_CONNECTED, field="hub_url")
        counts = syncstate.counts(self.db)
        report = {"conflicts": counts["conflict"], "rejected": counts["rejected"],
                  "instance": identity.instance(self.store.data_dir)}
        return HubClient(url, token, pending=counts["pending"], report=report,
                         verify=identity.verify(settings.get(self.db, "hub_ca_bundle")), **self.timeouts)

    def _failed(self, failure: HubFailureError, report: PassReport) -> None:
        failures = (syncstate.get(self.db, "failures") or 0) + 1
        delay = backoff_delay(failures, self.rng, retry_after=failure.retry_after)
        syncstate.put(self.db, last_error=failure.message, last_error_at=now_iso(), failures=failures,
                      next_attempt_at=self.clock() + delay, auth_required=True if failure.kind == "auth" else None)
        report.ok = False
        report.errors.append(failure.message)
        log.warning("sync failed kind=%s failures=%d retry_in=%.0fs", failure.kind, failures, delay)

    # pulling

    def _pull(self, client: HubClient, report: PassReport) -> None:
        cursor = syncstate.get(self.db, "cursor") or 0
        for _ in range(100):  # bounded: a feed that never ends is the hub's bug, not a reason to hang
            page = client.changes(cursor)
            entries = page.get("changes") or []
            if not isinstance(entries, list) or not isinstance(page.get("cursor"), int):
                raise HubFailureError("server", "服务器的变更记录格式不对，稍后重试")
            syncapply.store_changes(self.store, entries, page["cursor"], now_iso())
            report.changes_received += len(entries)
            cursor = page["cursor"]
            if not page.get("more"):
                return

    # resolving

    def resolve(self, uuid: str, action: str, *, actor: str = "") -> None:
        """A clerk's decision on a problem: keep_local (send this device's version on top of the hub's),
        take_hub (replace this device's version with the hub's) or dismiss (a rejection, seen and kept)."""
        open_ = {p["case_uuid"]: p for p in self.problems()}
        problem = open_.get(uuid)
        if problem is None:
            raise ValidationError("这件案件没有待处理的同步问题", field="case")
        if action == "dismiss" and problem["kind"] == "status_conflict":
            with self.db.atomic():
                syncapply.dismiss_conflicts(self.store, uuid, now_iso())
                self.store.record_event(uuid, "hub_status_conflict_dismissed", actor=actor,
                                        detail={"hub_state": problem["hub_state"]})
            return
        if action == "dismiss" and problem["kind"] == "rejected":
            with self.db.atomic():
                syncstate.resolve_problems(self.db, uuid, "reviewed", now_iso())
                self.store.record_event(uuid, "sync_rejection_reviewed", actor=actor,
                                        detail={"reason_code": problem["code"]})
            return
        if action not in ("keep_local", "take_hub") or problem["kind"] != "conflict":
            raise ValidationError(f"“{action}”不适用于{'冲突' if problem['kind'] == 'conflict' else '拒收'}的案件",
                                  field="action")
        self._resolve_conflict(uuid, action, actor)

    def _resolve_conflict(self, uuid: str, action: str, actor: str) -> None:
        with self._client() as client:
            answer = client.get_case(uuid)
        hub_case = answer.data.get("case") if answer.status == 200 else None
        hub_revision = hub_case["revision"] if hub_case else 0
        local = self.store.load(uuid)
        case = Case.from_dict(hub_case["payload"]) if action == "take_hub" and hub_case else local
        case.revision = max(local.revision, hub_revision)
        with self.db.atomic():
            syncstate.rebase(self.db, uuid, hub_revision)
            syncstate.resolve_problems(self.db, uuid, action, now_iso())
            self.store.apply_remote(case, f"sync_conflict_{action}", {"hub_revision": hub_revision},
                                    actor=actor, queue=True)
