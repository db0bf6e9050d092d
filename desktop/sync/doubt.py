"""Settling a request in doubt that cannot be re-sent (a scan file it named is gone from this desk): the hub
is asked what it holds (`GET /v1/cases/{uuid}`) before anything is quarantined.

- the hub holds the request's revision with the same payload: the request arrived; the next send builds on it;
- the hub holds the revision the request was based on (or nothing, for a first send): it never arrived;
- anything else, or a desk whose newest revision is the request itself, cannot be settled here: the caller
  quarantines as before. In the first two cases the rows stay pending: they are acked only when the case's
  newest revision is confirmed with all its scans.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlite_utils

from desktop.protocol import schema as syncschema
from desktop.storage.store import Store
from desktop.sync import state as syncstate
from desktop.sync.client import HubClient

log = logging.getLogger("desktop.sync.engine")


def settle(db: sqlite_utils.Database, client: HubClient, store: Store, uuid: str, body: dict[str, Any]) -> bool:
    """True when the doubt is settled (and forgotten); a HubFailureError ends the pass as any other would."""
    if store.load(uuid).revision <= body["revision"]:
        return False  # the newest revision itself needs the missing file: a real local problem
    answer = client.get_case(uuid)
    held = answer.data.get("case") if answer.status == 200 else None
    if held is None and body["base_revision"] == 0:
        hub_revision = 0
    elif held is not None and held["revision"] == body["revision"] and \
            syncschema.payload_hash(held["payload"]) == syncschema.payload_hash(body["payload"]):
        hub_revision = body["revision"]
    elif held is not None and held["revision"] == body["base_revision"]:
        hub_revision = body["base_revision"]
    else:
        return False
    with db.atomic():
        syncstate.rebase(db, uuid, hub_revision)
        db.execute("UPDATE outbox SET state = 'pending' WHERE case_uuid = ? AND state = 'sending'", [uuid])
    log.info("case %s: request in doubt settled by asking the hub (hub_revision=%d)", uuid, hub_revision)
    return True
