"""The hub-wide ledger, desk side: GET /v1/ledger with the device token, merged with this device's own cases.

The hub (hub/ledger.py) answers with ledger summaries of every case of the office accepted in the range, the
department statuses it has published since each case's last revision arrived (the desk folds them in here,
with the same rule the sync core applies them by), and each other device's last reported queue length.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from desktop.domain.case import Case, ItemState
from desktop.domain.errors import DeskError
from desktop.storage import settings
from desktop.sync import state as syncstate
from desktop.sync.apply import apply_status
from desktop.sync.client import HubClient, HubFailureError

ENV_SUPERVISOR = "DESK_HUB_SUPERVISOR"  # name:secret of the supervisor's hub credential (hub/supervisors.py)
OLD_HUB = "县级汇聚服务器版本较旧，不支持全办理点台账：请升级服务器"


class HubUnavailableError(DeskError):
    """The hub is configured but did not give the ledger (unreachable, not the hub, refused)."""


@dataclass(frozen=True)
class Fetched:
    """The hub's answer: the office's case summaries (sync state 'synced') and other devices' queues."""

    office: str
    cases: list[dict[str, Any]]
    elsewhere_pending: list[dict[str, Any]]


class LedgerClient(HubClient):
    """The sync client with the ledger endpoint (the envelope checks and failure messages are the client's)."""

    def ledger(self, date_from: dt.date, date_to: dt.date, personal: bool) -> dict[str, Any]:
        params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "personal": int(personal)}
        credential = os.environ.get(ENV_SUPERVISOR, "") if personal else ""
        headers = {"X-Hub-Supervisor": base64.b64encode(credential.encode("utf-8")).decode()} if credential else {}
        answer = self._request("GET", "/v1/ledger", params=params, headers=headers, refusals=(403, 404, 422))  # 403: a supervisor's credential
        if answer.status == 403 and answer.code.startswith("supervisor"):
            raise HubUnavailableError(f"{answer.message}（设置环境变量 {ENV_SUPERVISOR}=用户名:凭据，凭据由服务器管理员发放）")
        if answer.status == 404:
            raise HubUnavailableError(OLD_HUB)
        if answer.status != 200:
            raise HubUnavailableError(f"县级汇聚服务器拒绝了台账请求：{answer.message}")
        return answer.data


class RatingsClient(HubClient):
    """The sync client with the hub's ratings endpoint (desktop/ledger/ratings.py; the envelope checks and
    failure words are the client's). Here, not there, so that a ledger without a hub never imports the client."""

    def ratings(self, date_from: dt.date, date_to: dt.date) -> list[dict]:
        params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
        answer = self._request("GET", "/v1/ratings", params=params, refusals=(404, 422))
        if answer.status == 404:
            raise HubUnavailableError("县级汇聚服务器版本较旧，不支持全办理点评价合计：请升级服务器")
        if answer.status != 200:
            raise HubUnavailableError(f"县级汇聚服务器拒绝了评价合计请求：{answer.message}")
        return answer.data.get("totals") or []


def configured(db) -> bool:
    """A hub URL and a device token: the ledger should come from the hub."""
    return bool(settings.get(db, "hub_url") and syncstate.get(db, "token"))


def fetch(db, date_from: dt.date, date_to: dt.date, *, personal: bool = False, transport: Any = None,
          timeout: float = 30.0) -> Fetched:
    """The office's cases from the hub for the range; HubUnavailableError with the reason in Chinese otherwise."""
    url, token, device = settings.get(db, "hub_url"), syncstate.get(db, "token"), syncstate.get(db, "device")
    try:
        with LedgerClient(url, token, timeout=timeout, transport=transport) as client:
            data = client.ledger(date_from, date_to, personal)
    except HubFailureError as failure:
        raise HubUnavailableError(failure.message) from None
    cases = [_folded(c) for c in data.get("cases") or []]
    others = [d for d in data.get("devices") or [] if d.get("device") != device and d.get("pending_reported")]
    return Fetched(data.get("office") or "", cases, others)


def _folded(summary: dict[str, Any]) -> dict[str, Any]:
    """A hub summary with the department statuses published since its revision applied, marked synced."""
    statuses = summary.pop("statuses", None) or []
    if statuses:

        case = Case(service=summary["service"], state=summary["state"],
                    items=[ItemState(key=i.get("key") or i["name"], code=i.get("code") or "", name=i["name"],
                                     status=i.get("status") or summary["state"], due_date=i.get("due_date"))
                           for i in summary["items"]])
        for entry in statuses:
            apply_status(case, entry["state"], entry.get("item") or "")
        summary = summary | {"state": case.state,
                             "items": [i | {"status": it.status} for i, it in zip(summary["items"], case.items,
                                                                                  strict=True)]}
    return summary | {"sync": "synced"}


def merge(hub_cases: list[dict[str, Any]], local: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hub's summaries with this device's: a newer local revision (not yet sent) wins and says so;
    a case the hub has not seen yet is added; the hub's copy of a case of ours keeps our sync state."""
    mine = {s["uuid"]: s for s in local}
    merged = []
    for s in hub_cases:
        own = mine.pop(s["uuid"], None)
        if own is not None and own["revision"] > s["revision"]:
            merged.append(own)
        else:
            merged.append(s | ({"sync": own["sync"]} if own is not None else {}))
    return merged + list(mine.values())
