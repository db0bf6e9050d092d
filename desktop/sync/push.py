"""Draining the outbox: a request in doubt is re-sent first, byte for byte; then cases go in batches, several
cases at a time over parallel connections (each: its scans, then the case), each batch's bookkeeping in one
transaction (the 200s of a batch recorded together, a statement per step: desktop/sync/state.py).
Small cases (their unconfirmed scans at most GROUP_CASE_BYTES) go GROUP to a request (`PUT /v1/cases/bundles`):
the hub answers each as its own bundle, and what follows (missing scans, refusals, bookkeeping) is per case as
before. A case with larger scans goes alone.

Per case the order never changes: its request is recorded as 'in doubt' (durably) before anything leaves,
every scan is uploaded before the case, and the case is acked only when the hub's answer lists every scan.
The network calls run in worker threads; the database is only touched from the calling thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from desktop.storage.blobs import sha256_file
from desktop.storage.store import Store
from desktop.sync import client as syncclient, doubt, state as syncstate
from desktop.sync.client import Answer, BlobRefusedError, HubClient, HubFailureError

log = logging.getLogger("desktop.sync.engine")
BATCH, PARALLEL = 256, 16  # a batch: 16 requests of GROUP small cases, one per connection
GROUP, GROUP_CASE_BYTES, GROUP_BYTES = 16, 1024 * 1024, 8 * 1024 * 1024  # under hub/bundle.py's ceilings
T = TypeVar("T")
BlobSource = Callable[[str], list[tuple[str, Path]]]  # case uuid → [(sha256, file)]


class LocalBlobError(Exception):
    """A scan of the case cannot be sent from here (missing or damaged file): the case is quarantined."""


class CaseWaitError(Exception):
    """This case cannot go now (a proxy refuses its size): it stays pending with the reason; the others go on."""


TOO_BIG = ("本案的数据超过了网络代理允许的单次上传大小（HTTP 413），暂缓上传，其余案件照常同步；"
           "请管理员按 docs/sync.md 调大代理的 client_max_body_size")


class Pusher:
    """One pass's sending: `push()` raises HubFailureError (after recording what was settled) to end the pass."""

    def __init__(self, store: Store, client: HubClient, blob_source: BlobSource, confirmed: set[str], report: Any,
                 now: Callable[[], str], blob_path: Callable[[str], Path] | None = None):
        self.store, self.db, self.client, self.blob_source = store, store.db, client, blob_source
        self.blob_path = blob_path  # sha256 → the file in the desk's content-addressed store
        self.confirmed, self.report, self.now = confirmed, report, now
        self.lock = threading.Lock()  # the report's counters, from the sending threads
        self.bundles = True
        self.multi = True  # several cases a request; off for this pass once a hub refuses the endpoint
        self.scans: dict[str, list[tuple[str, Path]]] = {}  # a case's filed scans, from _body to _paths

    def push(self) -> None:
        queue = syncstate.pending_cases(self.db)
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix="sync") as self.pool:
            for start in range(0, len(queue), BATCH):
                self._batch(queue[start:start + BATCH])

    # batches

    def _batch(self, uuids: list[str]) -> None:
        fresh, rows = [], syncstate.case_rows(self.db, uuids)
        for uuid in uuids:
            doubt = rows[uuid]["doubt_body"]
            if doubt and self._send_one(uuid, json.loads(doubt)) not in ("acked", "settled"):
                continue  # refused or waiting: anything newer of this case would fare the same
            body = self._body(uuid, syncstate.case_row(self.db, uuid) if doubt else rows[uuid])
            if body is not None:
                fresh.append((uuid, body))
        if fresh:
            self._send_many(fresh)

    def _body(self, uuid: str, row: dict[str, Any]) -> dict[str, Any] | None:
        acked = row["acked_revision"]
        case = self.store.load(uuid)
        if case.revision <= acked:  # the request in doubt was the newest revision
            syncstate.finish_send(self.db, uuid, acked, "acked", status=200, now=self.now())
            return None
        self.scans[uuid] = self.blob_source(uuid)  # _paths needs them next: asked once per case
        return {"revision": case.revision, "base_revision": acked, "payload": case.to_dict(),
                "blobs": sorted({sha for sha, _ in self.scans[uuid]})}

    def _send_many(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        syncstate.start_many(self.db, items)
        paths = {uuid: self._paths(uuid, body) for uuid, body in items}
        todo = {uuid: [sha for sha in body["blobs"] if sha not in self.confirmed] for uuid, body in items}
        limit = min(GROUP_CASE_BYTES, syncclient.SMALL_BLOB)  # a case whose scans travel with it, alone or not
        small = {uuid: sum(sizes.values()) for uuid, _ in items
                 if self.multi and (sizes := _sizes(todo[uuid], paths[uuid], limit)) is not None}
        groups = _groups([item for item in items if item[0] in small], small)
        alone = [item for item in items if item[0] not in small]
        answered = self.pool.map(lambda group: self._send_group(group, paths, todo, small), groups)  # all queued
        singles = self.pool.map(lambda item: self._send(*item, paths[item[0]]), alone)  # now, side by side
        sent = {uuid: outcome for group, outcomes in zip(groups, answered, strict=True)
                for (uuid, _), outcome in zip(group, outcomes, strict=True)}
        sent |= {uuid: outcome for (uuid, _), outcome in zip(alone, singles, strict=True)}
        outcomes = [sent[uuid] for uuid, _ in items]
        acked = [(uuid, body, outcome) for (uuid, body), outcome in zip(items, outcomes, strict=True)
                 if isinstance(outcome, Answer) and outcome.status == 200]
        with self.db.atomic():  # the batch's answers in one transaction: the 200s together, the others one by one
            syncstate.finish_acked(self.db, [(uuid, body["revision"], outcome.data.get("revision"), body["blobs"])
                                             for uuid, body, outcome in acked], self.now())
            for (uuid, body), outcome in zip(items, outcomes, strict=True):
                if not (isinstance(outcome, Answer) and outcome.status == 200):
                    self._record(uuid, body, outcome)
        for _, body, outcome in acked:
            self._acked(body, outcome)
        failures = [o for o in outcomes if isinstance(o, HubFailureError)]
        if failures:
            raise failures[0]

    def _send_one(self, uuid: str, body: dict[str, Any]) -> str:
        """The request in doubt, re-sent from its own record: its scans are found by hash, whatever the case
        holds now. If a file is really gone, the hub is asked what it holds before anything is quarantined."""
        syncstate.start_send(self.db, uuid, body)
        outcome = self._send(uuid, body, self._paths(uuid, body))
        if isinstance(outcome, LocalBlobError) and doubt.settle(self.db, self.client, self.store, uuid, body):
            return "settled"
        result = self._record(uuid, body, outcome)
        if isinstance(outcome, HubFailureError):
            raise outcome
        return result

    def _paths(self, uuid: str, body: dict[str, Any]) -> dict[str, Path]:
        """Where each scan of the request is: the case's filed scans, and by hash any it no longer holds."""
        found = self.scans.pop(uuid, None)
        paths = dict(found if found is not None else self.blob_source(uuid))
        if self.blob_path is not None:
            paths |= {sha: self.blob_path(sha) for sha in body["blobs"] if sha not in paths}
        return paths

    # the network part of one case (a worker thread: no database here)

    def _send_group(self, group: list[tuple[str, dict[str, Any]]], paths: dict[str, dict[str, Path]],
                    todo: dict[str, list[str]], sizes: dict[str, int]) -> list[Answer | Exception]:
        """Small cases in one request, each with the scans the hub has not confirmed; then each case on its own
        as `_send` goes on after its first answer. A request refused whole (a hub without the endpoint, a
        proxy's body limit) sends its cases one by one; a failure fails every case of it (all stay in doubt)."""
        answers = _call(self.client.put_bundles, [(uuid, body, [(sha, paths[uuid][sha]) for sha in todo[uuid]])
                                                  for uuid, body in group])
        if isinstance(answers, Exception):
            return [answers] * len(group)
        if isinstance(answers, Answer):
            if answers.status != 413:  # not a body limit (a proxy's or the hub's): a hub without the endpoint
                self.multi = False
                log.info("several cases a request refused (HTTP %d %s): one by one this pass", answers.status,
                         answers.code)
            return [self._send(uuid, body, paths[uuid]) for uuid, body in group]
        return [self._send(uuid, body, paths[uuid], bundled=(answer, sizes[uuid]))
                for (uuid, body), answer in zip(group, answers, strict=True)]

    def _send(self, uuid: str, body: dict[str, Any], paths: dict[str, Path],
              bundled: tuple[Answer | Exception, int] | None = None) -> Answer | Exception:
        """Scans the hub has not confirmed, then the case; a case is synced only when the hub's answer lists
        every scan, so missing ones are sent again and the case asked again. `bundled`: the case's answer from
        a several-case request that carried those scans, and their bytes."""
        todo = [sha for sha in body["blobs"] if sha not in self.confirmed]
        answer = self._first_put(uuid, body, paths, todo) if bundled is None else \
            self._bundled(bundled[0], todo, paths, bundled[1])
        if isinstance(answer, Exception) or answer.status != 200:
            return answer
        missing = [sha for sha in body["blobs"] if sha not in answer.data.get("blobs", [])]
        if not missing:
            return answer
        if (problem := self._upload(missing, paths)) is not None:
            return problem
        again = _call(self.client.put_case, uuid, body)
        if isinstance(again, Exception) or again.status != 200:
            return again
        if any(sha not in again.data.get("blobs", []) for sha in body["blobs"]):
            return HubFailureError("server", "服务器未能确认收到本案全部扫描件，稍后重试")
        # the first answer says whether the case itself was new; the second is a replay by construction
        return Answer(200, again.data | {"replayed": answer.data.get("replayed")})

    def _first_put(self, uuid: str, body: dict[str, Any], paths: dict[str, Path],
                   todo: list[str]) -> Answer | Exception:
        """Small scans travel with the case in one request; large ones first, resumable, one by one."""
        sizes = _sizes(todo, paths, syncclient.SMALL_BLOB)
        if todo and sizes is not None and self.bundles:
            answer = _call(self.client.put_bundle, uuid, body, [(sha, paths[sha]) for sha in todo])
            if isinstance(answer, Answer) and answer.status == 404 and answer.code == "http":
                self.bundles = False  # a hub older than bundles: send the scans one by one
            elif isinstance(answer, Answer) and answer.status == 413:
                pass  # too big for a proxy on the way: this case's scans go one by one, in chunks
            else:
                return self._bundled(answer, todo, paths, sum(sizes.values()))
        problem = self._upload(todo, paths)
        return problem if problem is not None else _call(self.client.put_case, uuid, body)

    def _bundled(self, answer: Answer | Exception, todo: list[str], paths: dict[str, Path],
                 size: int) -> Answer | Exception:
        """The answer to a bundle that carried `todo` (`size` bytes; alone or with other cases): a damaged scan
        named."""
        if isinstance(answer, Answer) and answer.code == "hash_mismatch":
            return _bundle_refusal(todo, paths)
        if isinstance(answer, Answer) and answer.status == 200:
            self._count(len(todo), size)
        return answer

    def _count(self, blobs: int, size: int) -> None:
        with self.lock:
            self.report.blobs_sent += blobs
            self.report.bytes_sent += size

    def _upload(self, hashes: list[str], paths: dict[str, Path]) -> Exception | None:
        for sha in hashes:
            result = self._upload_one(sha, paths.get(sha))
            if isinstance(result, Exception):
                return result
            self._count(1, result)
        return None

    def _upload_one(self, sha: str, path: Path | None) -> int | Exception:
        if path is None or not path.is_file():
            return LocalBlobError(f"本机找不到本案的扫描件（摘要 {sha[:8]}…），请检查数据目录或从备份恢复")
        try:
            return self.client.upload_blob(sha, path, path.stat().st_size)
        except OSError:
            return LocalBlobError(f"无法读取本机扫描件（摘要 {sha[:8]}…），请检查数据目录的权限或磁盘")
        except HubFailureError as failure:
            return failure
        except BlobRefusedError as refused:
            return _blob_refusal(sha, path, refused)

    # bookkeeping (calling thread only)

    def _acked(self, body: dict[str, Any], answer: Answer) -> None:
        """The report and the scans known to be held, once the case's 200 is recorded."""
        self.confirmed.update(body["blobs"])
        self.report.replayed += bool(answer.data.get("replayed"))
        self.report.sent += not answer.data.get("replayed")

    def _record(self, uuid: str, body: dict[str, Any], outcome: Answer | Exception) -> str:
        revision, now, report = body["revision"], self.now(), self.report
        if isinstance(outcome, HubFailureError):
            syncstate.send_failed(self.db, uuid, outcome.message)
            return "failed"
        if isinstance(outcome, CaseWaitError) or (isinstance(outcome, Answer) and outcome.status == 413):
            syncstate.send_failed(self.db, uuid, TOO_BIG)
            if TOO_BIG not in report.errors:
                report.errors.append(TOO_BIG)
            log.warning("case %s waits: too large for a proxy", uuid)
            return "waiting"
        if isinstance(outcome, LocalBlobError):
            syncstate.finish_send(self.db, uuid, revision, "rejected", status=0, now=now, code="local_blob",
                                  reason=str(outcome))
            report.rejected += 1
            log.warning("case %s quarantined: local scan problem", uuid)
            return "rejected"
        data = outcome.data
        if isinstance(outcome, Answer) and outcome.status == 200:
            syncstate.finish_send(self.db, uuid, revision, "acked", status=200, now=now,
                                  hub_revision=data.get("revision"), blobs=body["blobs"])
            self._acked(body, outcome)
            return "acked"
        if outcome.status == 409 and outcome.code != "number_taken":
            current = data.get("current_revision")
            reason = outcome.message + (f"（服务器上为第 {current} 版，本机为第 {revision} 版）" if current else "")
            syncstate.finish_send(self.db, uuid, revision, "conflict", status=409, now=now, code=outcome.code,
                                  reason=reason, hub_revision=current)
            report.conflicts += 1
            log.warning("case %s conflict code=%s hub_revision=%s", uuid, outcome.code, current)
            return "conflict"
        reasons = data.get("reasons") or []
        reason = outcome.message + ("：" + "；".join(str(r) for r in reasons[:5]) if reasons else "")
        syncstate.finish_send(self.db, uuid, revision, "rejected", status=outcome.status, now=now,
                              code=outcome.code, reason=reason)
        report.rejected += 1
        log.warning("case %s rejected status=%d code=%s", uuid, outcome.status, outcome.code)
        return "rejected"


def _call(fn: Callable[..., T], *args: Any) -> T | HubFailureError:
    try:
        return fn(*args)
    except HubFailureError as failure:
        return failure


def _groups(items: list[tuple[str, dict[str, Any]]], sizes: dict[str, int]) -> list[list[tuple[str, dict[str, Any]]]]:
    """The small cases in groups of at most GROUP cases and GROUP_BYTES of scans (`sizes`: a case's), in order."""
    groups: list[list[tuple[str, dict[str, Any]]]] = []
    size = 0
    for item in items:
        grows = sizes[item[0]]
        if not groups or len(groups[-1]) >= GROUP or size + grows > GROUP_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += grows
    return groups


def _sizes(todo: list[str], paths: dict[str, Path], limit: int) -> dict[str, int] | None:
    """Each scan's size, if every one is a file here and together they are at most `limit` bytes."""
    sizes = {sha: paths[sha].stat().st_size for sha in todo if sha in paths and paths[sha].is_file()}
    return sizes if len(sizes) == len(todo) and sum(sizes.values()) <= limit else None


def _bundle_refusal(hashes: list[str], paths: dict[str, Path]) -> Exception:
    """The hub found a bundled scan's bytes wrong: damaged here, or on the way."""

    for sha in hashes:
        if sha256_file(paths[sha])[0] != sha:
            return LocalBlobError(f"本机扫描件已损坏（内容与摘要 {sha[:8]}… 不符），请从备份恢复或重新扫描")
    return HubFailureError("server", "扫描件在传输中出错，稍后自动重试")


def _blob_refusal(sha: str, path: Path, refused: BlobRefusedError) -> Exception:
    if refused.code == syncclient.PROXY_TOO_LARGE:
        return CaseWaitError(TOO_BIG)
    if refused.code == "hash_mismatch" and sha256_file(path)[0] == sha:
        return HubFailureError("server", "扫描件在传输中出错，稍后自动重试")
    if refused.code == "hash_mismatch":
        return LocalBlobError(f"本机扫描件已损坏（内容与摘要 {sha[:8]}… 不符），请从备份恢复或重新扫描")
    return LocalBlobError(f"服务器拒收扫描件（{refused.message}）")
