"""Desk-side helpers for sync tests: cases with real filed scans, and the invariants checked after every run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

from sqlalchemy import Engine, select

from desktop.domain import catalog
from desktop.intake import demo, documents
from desktop.protocol import schema as syncschema
from desktop.storage import settings
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store

DESK_SETTINGS = {"county_code": "439901", "window_code": "W03", "office": "演示县政务服务中心"}


def open_store(data_dir: Path) -> Store:
    store = Store.open(data_dir, catalog.load())
    for key, value in DESK_SETTINGS.items():
        settings.set_value(store.db, key, value)
    return store


def new_case(store: Store, rng: random.Random, service: int | None = None) -> str:
    """An accepted case of `service` (random if None), as the wizard makes it; returns its UUID."""
    svc = store.catalog.service(service or rng.randint(1, 20))
    case = demo.eligible_case(svc, store.catalog, rng, dt.date.today())
    demo.receive_all(svc, case)
    return store.accept(case, actor="测试").uuid


def attach_scans(store: Store, uuid: str, sizes: list[int], rng: random.Random) -> list[str]:
    """File scans of these sizes under the case's first material, as intake does; returns their hashes."""
    case = store.load(uuid)
    material = store.catalog.service(case.service).materials[0].id
    now = dt.datetime.now().astimezone()
    hashes = []
    for size in sizes:
        sha, n = BlobStore.of(store.data_dir).put_bytes(rng.randbytes(size))
        with store.db.atomic():
            documents.add_blob(store, sha=sha, size=n, mime="application/pdf", pages=1, now=now)
            doc = documents.insert(store, sha=sha, name="扫描件.pdf", pages=1, received_at=now.isoformat())
        documents.file(store, doc, uuid, material)
        hashes.append(sha)
    return hashes


def hub_cases(engine: Engine) -> dict[str, dict]:
    """Every case on the hub: revision, payload, linked blob hashes, revisions received."""
    from hub.db import case_blobs, case_revisions, cases

    with engine.connect() as conn:
        rows = conn.execute(select(cases)).all()
        links = conn.execute(select(case_blobs)).all()
        revisions = conn.execute(select(case_revisions.c.case_uuid, case_revisions.c.revision)).all()
    out = {r.uuid: {"revision": r.revision, "payload": json.loads(r.payload), "blobs": set(), "revisions": []}
           for r in rows}
    for link in links:
        out[link.case_uuid]["blobs"].add(link.sha256)
    for uuid, revision in revisions:
        out[uuid]["revisions"].append(revision)
    return out


def held_blobs(engine: Engine, office: str) -> set[str]:
    from hub.db import office_blobs

    with engine.connect() as conn:
        return set(conn.execute(select(office_blobs.c.sha256).where(office_blobs.c.office == office)).scalars())


def check_synced_is_true(store: Store, engine: Engine, office: str) -> None:
    """Nothing marked synced that the hub lacks: each acked row's revision (or newer) and every scan is there."""
    hub = hub_cases(engine)
    held = held_blobs(engine, office)
    for row in store.db.query("SELECT case_uuid, max(revision) AS revision FROM outbox WHERE state = 'acked' "
                              "GROUP BY case_uuid"):
        assert row["case_uuid"] in hub, f"acked but not on hub: {row['case_uuid']}"
        assert hub[row["case_uuid"]]["revision"] >= row["revision"]
    for row in store.db.query("SELECT case_uuid FROM outbox WHERE state = 'acked' GROUP BY case_uuid"):
        case = store.load(row["case_uuid"])
        if case.revision == hub[case.uuid]["revision"]:
            assert set(documents.case_blobs(store, case.uuid)) <= held & hub[case.uuid]["blobs"]


def check_all_arrived(store: Store, engine: Engine, office: str, blob_root: Path) -> None:
    """Every accepted case on the hub exactly once, at its latest revision, byte-equal, with all its scans."""
    hub = hub_cases(engine)
    local = {r["uuid"] for r in store.rows("state != 'draft'")}
    assert set(hub) == local
    held = held_blobs(engine, office)
    for uuid in local:
        case = store.load(uuid)
        entry = hub[uuid]
        assert entry["revision"] == case.revision
        assert syncschema.payload_hash(entry["payload"]) == syncschema.payload_hash(case.to_dict())
        assert len(entry["revisions"]) == len(set(entry["revisions"]))
        for sha in documents.case_blobs(store, uuid):
            assert sha in entry["blobs"] and sha in held
            assert hashlib.sha256((blob_root / sha[:2] / sha).read_bytes()).hexdigest() == sha
    states = {r["state"] for r in store.db.query("SELECT state FROM outbox")}
    assert states == {"acked"}, states
