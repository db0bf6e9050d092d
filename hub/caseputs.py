"""New cases of one group transaction in a few statements: the hub's fast path for a busy writer.

`cases.put_in` stores one revision with about a dozen statements, each built, compiled and executed by
SQLAlchemy: at 2,000 small cases that was most of the group writer's time. Here the checked puts of one group
are looked at together: two queries find which UUIDs and numbers the hub already holds; the puts of new cases
whose UUID, number and public code are unique in the group then go in one executemany per table. Every other
put — a case the hub holds (a replay, a new revision, a conflict), a number or UUID seen twice — goes through
`put_in` one by one, which decides exactly as before. If the fast statements fail at all (another hub process
wrote the same case a moment ago), their savepoint is rolled back and every put goes through `put_in`.
So the outcome of each put is what `put_in` alone would have given; only the number of statements differs.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from desktop.protocol import schema as syncschema
from hub import ledgerrows
from hub.auth import Device
from hub.blobstore import BlobStore
from hub.cases import PutResult, put_in, rating_rows_of
from hub.db import (
    case_blobs,
    case_codes,
    case_refusals,
    case_revisions,
    cases,
    devices,
    insert_ignore,
    insert_many,
    ledger_rows,
    number_day,
    office_blobs,
    rating_rows,
    utcnow,
)


@dataclass(repr=False)  # its body is the whole case: never in a log through a repr
class Put:
    """One checked case PUT waiting in the group: who sent it, the case, the request body."""

    device: Device
    uuid: str
    body: dict[str, Any]


def put_many(conn: Connection, puts: list[Put]) -> list[PutResult | Exception]:
    """Each put's result (or its refusal, as an exception) in `conn`'s transaction, in the order given."""
    fast = _fast_candidates(conn, puts)
    outcomes: dict[int, PutResult | Exception] = {}
    if fast:
        savepoint = conn.begin_nested()
        try:
            _insert_new(conn, [puts[i] for i in fast])
        except Exception:  # put_in, one by one, decides and names each refusal
            savepoint.rollback()
            fast = []
        else:
            savepoint.commit()
            outcomes = {i: PutResult(False, puts[i].body["revision"], sorted(set(puts[i].body.get("blobs", []))))
                        for i in fast}
    for i, put in enumerate(puts):
        if i not in outcomes:
            outcomes[i] = _one(conn, put)
    return [outcomes[i] for i in range(len(puts))]


def _one(conn: Connection, put: Put) -> PutResult | Exception:
    savepoint = conn.begin_nested()
    try:
        result = put_in(conn, put.device, put.uuid, put.body)
    except Exception as exc:  # the writer hands it to the put's caller
        savepoint.rollback()
        return exc
    savepoint.commit()
    return result


def _fast_candidates(conn: Connection, puts: list[Put]) -> list[int]:
    """Indexes of the puts that are plainly new cases: UUID, number and public code unknown to the hub and
    unique in the group."""
    seen = Counter(key for put in puts for key in _keys(put))
    uuids = [put.uuid for put in puts]
    numbers = [put.body["payload"]["number"] for put in puts]
    held = set(conn.execute(select(cases.c.uuid).where(cases.c.uuid.in_(uuids))).scalars())
    held |= {"n:" + n for n in conn.execute(select(cases.c.number).where(cases.c.number.in_(numbers))).scalars()}
    codes = [put.body["payload"].get("public_code") for put in puts if put.body["payload"].get("public_code")]
    if codes:
        held |= {"c:" + c for c in conn.execute(select(case_codes.c.code).where(case_codes.c.code.in_(codes)))
                 .scalars()}
    return [i for i, put in enumerate(puts)  # a new case's base is 0 (else put_in says stale_base)
            if put.body["base_revision"] == 0 and all(seen[key] == 1 and key not in held for key in _keys(put))]


def _keys(put: Put) -> list[str]:
    payload = put.body["payload"]
    return [put.uuid, "n:" + payload["number"]] + (["c:" + payload["public_code"]] if payload.get("public_code")
                                                   else [])


def _insert_new(conn: Connection, puts: list[Put]) -> None:
    """The rows `put_in` writes for a new case, for every put at once."""
    now = utcnow()
    rows, revisions, ledger, codes, ratings, links = [], [], [], [], [], []
    per_device: Counter[int] = Counter()
    for put in puts:
        payload, uuid, device = put.body["payload"], put.uuid, put.device
        canonical = syncschema.canonical_json(payload)
        digest = hashlib.sha256(canonical).hexdigest()
        rows.append({"uuid": uuid, "office": device.office, "device_id": device.id, "number": payload["number"],
                     "revision": put.body["revision"], "accepted_on": number_day(payload["number"]) or "-",
                     "payload_hash": digest, "payload": canonical.decode("utf-8"), "received_at": now,
                     "updated_at": now})
        revisions.append({"case_uuid": uuid, "revision": put.body["revision"],
                          "base_revision": put.body["base_revision"], "payload_hash": digest,
                          "device_id": device.id, "received_at": now})
        ledger.append(ledgerrows.row(uuid, device.office, payload))
        if payload.get("public_code"):
            codes.append({"code": payload["public_code"], "case_uuid": uuid})
        ratings += rating_rows_of(uuid, device.office, payload)
        links += [{"case_uuid": uuid, "sha256": sha} for sha in sorted(set(put.body.get("blobs", [])))]
        per_device[device.id] += 1
    for table, many in ((cases, rows), (case_revisions, revisions), (ledger_rows, ledger), (case_codes, codes),
                        (rating_rows, ratings), (case_blobs, links)):
        insert_many(conn, table, many)
    conn.execute(case_refusals.delete().where(case_refusals.c.case_uuid == bindparam("u")),
                 [{"u": put.uuid} for put in puts])
    for device_id, count in per_device.items():
        conn.execute(devices.update().where(devices.c.id == device_id).values(
            cases_received=func.coalesce(devices.c.cases_received, 0) + count, last_case_at=now))


class PutJob:
    """A group-writer job (hub/writer.py): one checked case PUT with the scans that came with it (`contents`:
    sha256 and bytes), verified and stored by `prepare` before the group's transaction. Alone it runs as
    `__call__`; a run of them in one group goes through `bulk`, which answers each as it would have alone:
    (PutResult, the case's scans this office holds)."""

    def __init__(self, blobs: BlobStore, put: Put, contents: Sequence[tuple[str, bytes | memoryview]]):
        self.blobs, self.put, self.contents = blobs, put, contents
        self.parts = [(sha, len(content)) for sha, content in contents]

    def prepare(self) -> None:
        """In the writer's thread, before the transaction: each scan checked against its hash (else 422
        hash_mismatch, and the case is not stored) and installed durably (hub/blobstore.py store_whole)."""
        for sha, content in self.contents:
            self.blobs.store_whole(sha, content)

    def __call__(self, conn: Connection) -> tuple[PutResult, list[str]]:
        if self.parts:
            insert_ignore(conn, office_blobs, self._owner_rows())
        result = put_in(conn, self.put.device, self.put.uuid, self.put.body)
        return result, self._held(conn, result)

    def _owner_rows(self) -> list[dict[str, Any]]:
        return self.blobs.owner_rows(self.put.device.office, self.put.device.id, self.parts)

    def _held(self, conn: Connection, result: PutResult) -> list[str]:
        came = {sha for sha, _ in self.parts}  # just verified, stored and recorded: no need to look again
        others = [b for b in result.blobs if b not in came]
        return sorted(came | set(self.blobs.held(self.put.device.office, others, conn)))

    @staticmethod
    def bulk(conn: Connection, jobs: list[PutJob]) -> list[tuple[Any, BaseException | None]]:
        """Every job of a run: the cases (put_many), then the owner rows of the scans of those stored, then
        what each holds. A refused case records none of its scans, as its savepoint did alone."""
        results = put_many(conn, [job.put for job in jobs])
        owners = [row for job, result in zip(jobs, results, strict=True)
                  if not isinstance(result, Exception) for row in job._owner_rows()]
        if owners:
            insert_ignore(conn, office_blobs, owners)
        return [(None, result) if isinstance(result, Exception) else ((result, job._held(conn, result)), None)
                for job, result in zip(jobs, results, strict=True)]
