"""Enrolling this desk with a county hub: `connect(store, url, code)` (docs/sync.md, Devices and enrollment).

The desk's identity goes with the code, so a lost answer can be asked again with the same code and gets the
same token (hub/devices.py); connecting to another hub queues everything for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.domain.errors import DeskError, ValidationError
from desktop.storage import settings
from desktop.storage.store import Store
from desktop.sync import audit as syncaudit, identity, state as syncstate
from desktop.sync.client import HubClient, HubFailureError


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def connect(store: Store, url: str, code: str, *, transport: Any = None) -> dict[str, Any]:
    """Enroll this device with the hub at `url` using a one-time code; a new hub gets every case again."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValidationError("服务器地址应以 http:// 或 https:// 开头，例如 http://10.1.2.3:8760", field="url")
    verify = identity.verify(settings.get(store.db, "hub_ca_bundle"))
    try:
        with HubClient(url, transport=transport, timeout=15.0, verify=verify) as client:
            client.hello()
            answer = client.enroll(code.strip(), identity.instance(store.data_dir))
    except HubFailureError as failure:
        raise DeskError(failure.message, field="url") from None
    if answer.status != 200:
        raise ValidationError(answer.message or "登记码无效、已过期或已使用，请向管理员重新索取", field="code")
    data = answer.data
    requeued = _switch_hub(store, data["hub_id"])
    settings.set_value(store.db, "hub_url", url)
    syncstate.put(store.db, token=data["token"], device=data["device"], office=data["office"], hub_id=data["hub_id"],
                  auth_required=None, failures=0, next_attempt_at=None, last_error=None,
                  catalog_key=data.get("catalog_key") or None)  # pinned: only catalogs it signed are taken
    return {"hub_url": url, "device": data["device"], "office": data["office"], "requeued": requeued}


def _switch_hub(store: Store, hub_id: str) -> int:
    """Connecting to a different hub: forget what the old one confirmed and queue every case's newest revision
    (and the whole audit trail)."""
    previous = syncstate.get(store.db, "hub_id")
    if previous in (None, hub_id):
        return 0
    db = store.db
    with db.atomic():
        for table in ("sync_cases", "sync_blobs", "sync_inbox"):
            db.execute(f"DELETE FROM {table}")
        db.execute("UPDATE sync_items SET resolved_at = ?, resolution = 'new_hub' WHERE resolved_at IS NULL",
                   [now_iso()])
        syncstate.put(db, cursor=0, catalog_notice=None, **{syncaudit.CURSOR: None})
        return db.execute("UPDATE outbox SET state = 'pending' WHERE state NOT IN ('pending', 'sending') AND id IN "
                          "(SELECT max(id) FROM outbox GROUP BY case_uuid)").rowcount
