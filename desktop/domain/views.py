"""Cases as shown to people: masked by default, with stable English keys for --json (docs/json.md)."""

from __future__ import annotations

import datetime as dt

from desktop.domain.idnumber import mask_id, mask_phone
from desktop.domain.labels import APPLIED_BY, PROXY_KINDS, RECEIVED, STATES

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    # a case list needs none of these, nor their dataclasses (issue 16)
    from desktop.domain.case import Case, ItemState, Person
    from desktop.domain.catalog import Service


def summary(row: dict[str, Any], service_names: Mapping[int, str]) -> dict[str, Any]:
    """One line of `case list`: the applicant's ID and phone masked; `service_names` from the active catalog
    (Store.catalog_names)."""
    return {
        "uuid": row["uuid"],
        "number": row["number"],
        "service": row["service"],
        "service_name": service_names.get(row["service"], ""),
        "state": row["state"],
        "state_label": STATES[row["state"]],
        "applicant": row["applicant_name"],
        "id_number": mask_id(row["id_number"]) if row["id_number"] else "",
        "accepted_at": row["accepted_at"],
        "due_date": row["due_date"],
        "clerk": row["clerk"],
        "window": row["window"],
    }


def _person(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"name": p.name, "id_number": mask_id(p.id_number) if p.id_number else "",
            "phone": mask_phone(p.phone) if p.phone else "", "address": p.address, "township": p.township,
            "village": p.village, "relation": p.relation}


def _paused(case: Case, item: ItemState) -> str:
    """While 已中止: what is left of the item's limit, counted from the day it stopped ('' otherwise)."""
    if case.state != "suspended" or not case.suspended_on or not item.due_date:
        return ""
    from desktop.domain import workdays

    return workdays.remaining_text(dt.date.fromisoformat(case.suspended_on), dt.date.fromisoformat(item.due_date),
                                   calendar=bool(item.calendar_days and not item.working_days))


def detail(case: Case, service: Service, events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything about a case for `case show`, personal numbers masked; `service` is the case's own, from the
    catalog it was accepted under (Store.service_for)."""
    # the rules, the calendar and the case's parts load for a case's detail, not for `case list` (issue 16)
    from desktop.domain import eligibility, feedback, publicity, workdays

    entries = eligibility.checklist(service, case)
    return {
        "uuid": case.uuid, "number": case.number, "service": case.service, "service_name": service.name,
        "group": service.group, "state": case.state, "state_label": case.state_label, "revision": case.revision,
        "application_date": case.application_date, "accepted_at": case.accepted_at,
        "applicant": _person(case.applicant), "guardian": _person(case.guardian),
        "applied_by": case.applied_by, "applied_by_label": APPLIED_BY.get(case.applied_by, ""),
        "proxy_kind": case.proxy_kind, "proxy_kind_label": PROXY_KINDS.get(case.proxy_kind, ""),
        "proxy": _person(case.proxy), "mandate_signed": case.mandate_signed, "method": case.method,
        "delivery": case.delivery,
        "answers": case.answers, "ineligible_reason": case.ineligible_reason,
        "items": [{"code": i.code or None, "name": i.name, "status": i.status, "status_label": STATES[i.status],
                   "working_days": i.working_days, "due_date": i.due_date, "paused_remaining": _paused(case, i),
                   "estimate": bool(i.due_date and case.accepted_at and not workdays.is_exact(
                       dt.date.fromisoformat(case.accepted_at[:10]), dt.date.fromisoformat(i.due_date)))}
                  for i in case.items],
        "materials": [{"id": e.material.id, "name": e.material.name, "need": e.status,
                       "received": e.received, "received_label": RECEIVED.get(e.received, "未收"),
                       "count": e.count} for e in entries],
        "missing": case.missing, "notice_deadline": case.notice_deadline,
        "linked_services": case.linked_services, "linked_cases": case.linked_cases, "linked_from": case.linked_from,
        "clerk": case.clerk, "office": case.office, "window": case.window,
        "feedback": [feedback.rating_text(r) for r in case.ratings] + [feedback.visit_text(v) for v in case.visits],
        "publicity": publicity.stage(case.publicity, dt.date.today()),
        "objections": list(case.publicity.objections) if case.publicity else [],
        "events": events or [],
    }
