"""补正: which of a case's missing materials arrived (how and how many); 已受理 only when none required is missing.

The window records each material handed in (original, 验原件收复印件, copy, scan, with a count); the rest stay
missing and the one-time notice still lists them. Scans filed from the inbox do the same through
documents.file_many. The timeline keeps what arrived when (`supplement_received`).
"""

from __future__ import annotations

import datetime as dt

from desktop.domain import eligibility
from desktop.domain.case import RECEIVED, Case, MaterialState
from desktop.domain.errors import ValidationError
from desktop.storage.store import Store, now_local


def receive(store: Store, ref: str, received: dict[str, tuple[str, int]], *, actor: str = "",
            now: dt.datetime | None = None) -> Case:
    """Record materials handed in for a 补正中 (or 容缺受理) case; returns the case as it now stands.

    Uses Store internals (`_enter`, `_event`, `_write`, `_audited`) as documents.file_many does: the materials
    and the move to 已受理 are one revision, one outbox row, in one transaction."""
    case = store.load(ref)
    if not case.missing or case.state not in ("pending_materials", "accepted"):
        raise ValidationError("只有补正中（或容缺受理待补交）的案件可以登记补正材料", field="state")
    service = store.catalog_for(case).service(case.service)
    _check(service, received)
    now = now or now_local()
    with store.db.atomic():
        for mid, (how, count) in received.items():
            old = case.materials.get(mid, MaterialState())
            case.materials[mid] = MaterialState(received=how, count=count, note=old.note, pending_docs=old.pending_docs)
        case.missing = eligibility.missing_materials(service, case)
        detail = {"materials": [{"id": m, "received": h, "count": n} for m, (h, n) in received.items()],
                  "still_missing": list(case.missing)}
        store._event(case.uuid, now, "supplement_received", actor, detail)
        store._audited(actor, "case.supplement", case.uuid, {"materials": sorted(received)}, now)
        if case.state == "pending_materials" and not case.missing:  # complete: 已受理, the clock starts
            store._enter(case, "accepted", now)
            store._event(case.uuid, now, "materials_received", actor, {"state": case.state, "reason": ""})
            store._audited(actor, "case.transition", case.uuid, {"action": "materials_received", "state": case.state}, now)
        store._write(case, now, outbox=True)  # one revision for the whole 补正
    store._changed("supplement_received", case.uuid)
    return store.load(case.uuid)


def _check(service, received: dict[str, tuple[str, int]]) -> None:
    if not received:
        raise ValidationError("请至少选择一种收到的补正材料", field="materials")
    known = {m.id: m.name for m in service.materials}
    for mid, (how, count) in received.items():
        if mid not in known:
            raise ValidationError(f"“{service.name}”没有材料“{mid}”", field="materials")
        if how not in RECEIVED:
            raise ValidationError(f"材料“{known[mid]}”的接收方式应为{'、'.join(RECEIVED.values())}之一",
                                  field=f"materials.{mid}")
        if not isinstance(count, int) or not 1 <= count <= 99:
            raise ValidationError(f"材料“{known[mid]}”的份数应为1–99", field=f"materials.{mid}")
