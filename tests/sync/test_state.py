"""The desk's sync bookkeeping for a whole batch (desktop/sync/state.py start_many, finish_acked) leaves exactly
the rows the one-case-at-a-time functions leave."""

from __future__ import annotations

import json
import random
import shutil

from desktop.storage import settings
from desktop.storage.store import Store
from desktop.sync import state as syncstate
from tests.hub.deskside import new_case

NOW = "2026-12-02T09:00:00+08:00"
TABLES = ("sync_cases", "sync_items", "sync_blobs", "outbox", "ledger_rows")


def _store(path, catalog) -> Store:
    store = Store.open(path, catalog)
    for key, value in {"county_code": "439901", "window_code": "W03", "office": "演示县政务服务中心"}.items():
        settings.set_value(store.db, key, value)
    return store


def _rows(store: Store) -> dict[str, list[tuple]]:
    return {table: sorted(tuple(row) for row in store.db.execute(f"SELECT * FROM {table}").fetchall())
            for table in TABLES}


def test_a_batch_recorded_at_once_leaves_the_rows_of_each_case_recorded_alone(tmp_path, catalog):
    """Cases new to sync, one with a request in doubt, one with an open conflict on an older revision and a
    newer one pending, one already acked at a higher revision: start and finish for all of them at once, and
    one by one in a copy of the same desk; every sync table (and the ledger's sync column) is the same."""
    rng = random.Random(5)
    store = _store(tmp_path / "one", catalog)
    fresh, doubted, conflicted, ahead = (new_case(store, rng, service) for service in (1, 2, 3, 4))
    syncstate.start_send(store.db, doubted, {"revision": 1, "base_revision": 0, "payload": {}, "blobs": []})
    syncstate.finish_send(store.db, conflicted, 1, "conflict", status=409, now=NOW, code="stale_base",
                          reason="冲突", hub_revision=3)
    store.db.execute("INSERT INTO outbox (case_uuid, revision, created_at) VALUES (?, 2, ?)", [conflicted, NOW])
    syncstate.finish_send(store.db, ahead, 1, "acked", status=200, now=NOW, hub_revision=5)
    store.db.execute("UPDATE sync_cases SET acked_revision = 9 WHERE case_uuid = ?", [ahead])
    store.db.execute("INSERT INTO outbox (case_uuid, revision, created_at) VALUES (?, 2, ?)", [ahead, NOW])
    store.close()
    shutil.copytree(tmp_path / "one", tmp_path / "many")
    one, many = _store(tmp_path / "one", catalog), _store(tmp_path / "many", catalog)
    try:
        items = [(uuid, {"revision": revision, "base_revision": 0, "payload": {"n": n}, "blobs": blobs})
                 for n, (uuid, revision, blobs) in enumerate(
                     [(fresh, 1, ["a" * 64]), (doubted, 1, []), (conflicted, 2, ["b" * 64, "a" * 64]), (ahead, 2, [])])]
        for uuid, body in items:
            syncstate.start_send(one.db, uuid, body)
        syncstate.start_many(many.db, items)
        assert _rows(one) == _rows(many)
        assert many.db.execute("SELECT count(*) FROM outbox WHERE state = 'sending'").fetchone()[0] == 4
        # start_send is start_many of one case: what they leave is also checked here directly
        for uuid, body in items:
            row = syncstate.case_row(many.db, uuid)
            assert (row["doubt_revision"], json.loads(row["doubt_body"])) == (body["revision"], body)
        assert many.db.execute("SELECT case_uuid, attempts FROM outbox WHERE state = 'sending' ORDER BY case_uuid"
                               ).fetchall() == sorted((uuid, 1) for uuid, _ in items)
        hub_revisions = [None, 1, 4, 2]
        for (uuid, body), hub_revision in zip(items, hub_revisions, strict=True):
            syncstate.finish_send(one.db, uuid, body["revision"], "acked", status=200, now=NOW,
                                  hub_revision=hub_revision, blobs=body["blobs"])
        syncstate.finish_acked(many.db, [(uuid, body["revision"], hub_revision, body["blobs"])
                                         for (uuid, body), hub_revision in zip(items, hub_revisions, strict=True)],
                               NOW)
        assert _rows(one) == _rows(many)
        assert syncstate.case_rows(many.db, [fresh, ahead, conflicted]) == {
            uuid: syncstate.case_row(one.db, uuid) for uuid in (fresh, ahead, conflicted)}
        # finish_send's 200 is finish_acked of one case: what they leave is also checked here directly
        assert syncstate.case_row(many.db, ahead)["acked_revision"] == 9  # never lowered
        assert {uuid: (row["acked_revision"], row["hub_revision"], row["acked_at"], row["doubt_revision"],
                       row["doubt_body"]) for uuid, row in syncstate.case_rows(many.db, [uuid for uuid, _ in items]).items()
                } == {fresh: (1, None, NOW, None, None), doubted: (1, 1, NOW, None, None),
                      conflicted: (2, 4, NOW, None, None), ahead: (9, 2, NOW, None, None)}
        assert many.db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall() == [
            ("acked", 5), ("conflict", 1)]
        assert many.db.execute("SELECT count(*) FROM sync_items WHERE status = 200 AND code = '' AND at = ?",
                               [NOW]).fetchone()[0] == 5
        assert {sha for (sha,) in many.db.execute("SELECT sha256 FROM sync_blobs")} == {"a" * 64, "b" * 64}
        resolved = many.db.execute("SELECT resolution FROM sync_items WHERE status = 409").fetchall()
        assert resolved == [("superseded",)]
    finally:
        one.close()
        many.close()
