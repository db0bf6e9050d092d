"""`handover check` from the device's own records: nothing passes until the hub has confirmed it all and a
backup follows the last change."""

from __future__ import annotations

import datetime as dt
import random

from desktop.intake import demo
from desktop.storage import audit, settings
from desktop.sync import handover, state as syncstate
from desktop.sync.audit import CURSOR


def verdicts(store) -> dict[str, bool]:
    return {c["key"]: c["ok"] for c in handover.check(store.db)}


def test_a_device_is_ready_only_when_the_hub_confirmed_everything_and_a_backup_is_newer(store):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(3), dt.date(2026, 11, 27))
    demo.receive_all(service, case)
    store.accept(case, actor="lixiaolan")
    assert verdicts(store) == {"hub": False, "cases": False, "scans": True, "audit": False, "backup": False}
    settings.set_value(store.db, "hub_url", "https://hub.example")
    syncstate.put(store.db, token="t")
    store.db.execute("UPDATE outbox SET state = 'acked'")
    audit.append(store.db, "admin", "backup.create", detail={"file": "b.zip", "cases": 1})
    syncstate.put(store.db, **{CURSOR: store.db.execute("SELECT max(id) FROM audit").fetchone()[0]})
    checks = handover.check(store.db)
    assert handover.ready(checks), checks
    audit.append(store.db, "lixiaolan", "case.print", case_uuid=case.uuid)  # a change after the backup
    assert verdicts(store) == {"hub": True, "cases": True, "scans": True, "audit": False, "backup": False}
