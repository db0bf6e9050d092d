"""The case: one citizen's request for one 一件事, from draft to closing, as plain serialisable data."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from desktop.domain.feedback import Rating, Visit
from desktop.domain.publicity import Publicity


def _new_uuid() -> str:
    """A new case's id; `uuid` (and the `platform` it imports) loads only when a case is made (issue 16)."""
    import uuid

    return str(uuid.uuid4())


STATES = {
    "draft": "草稿",
    "accepted": "已受理",
    "pending_materials": "补正中",
    "submitted": "已提交",
    "in_progress": "办理中",
    "completed": "已办结",
    "terminated": "已终止",
    "suspended": "已中止",
}
APPLIED_BY = {"self": "本人申请", "proxy": "帮代办"}
PROXY_KINDS = {"clerk": "窗口帮代办人员", "village_agent": "村级代办员", "relative": "近亲属/监护人", "other": "其他受托人"}
STAFF_PROXY_KINDS = ("clerk", "village_agent")  # a 受托人 of these kinds is staff: known by their 工号, not an ID
# 验原件收复印件 (original seen and handed back, copy kept) is the common case; identity papers are never kept
RECEIVED = {"verified_copy": "验原件收复印件", "original": "原件", "copy": "复印件", "scan": "扫描件"}
# 结果领取方式: how the result reaches the citizen, chosen in the wizard and printed on receipt and 办结单
DELIVERY = {"window": "窗口自取", "post": "邮寄", "agent": "代办员送达", "direct": "直接发放到账户"}
IDENTITY_MATERIALS = ("id_card", "hukou_book", "proxy_docs", "guardian_docs")  # originals are seen and returned


def received_label(material_id: str, received: str) -> str:
    """How a material was received, as printed: an identity paper's original is seen and handed back, never kept."""
    if received == "original" and material_id in IDENTITY_MATERIALS:
        return "原件核验后退还"
    return RECEIVED.get(received, received)


def received_brief(materials: dict[str, Any], missing: list[str]) -> list[list[Any]]:
    """[material id, how received, count] of each material received, for a case still missing some (a ledger
    summary's `received`; desk and hub make it alike from the payload). Empty when nothing is missing: the
    ledger then says 齐全, and a year's summaries stay small."""
    if not missing:
        return []
    return [[mid, m.get("received"), m.get("count") or 0] for mid, m in (materials or {}).items()
            if isinstance(m, dict) and m.get("received") and mid not in missing]


@dataclass
class Person:
    """Applicant, guardian or proxy agent; `relation` is to the applicant."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    township: str = ""
    village: str = ""
    relation: str = ""
    staff_no: str = ""  # 工号, for a 受托人 who is staff (a window clerk or village agent): printed instead of an ID

    def is_empty(self) -> bool:
        return not (self.name or self.id_number or self.phone)


@dataclass
class MaterialState:
    """What the clerk received of one material: as original, copy or scan, and how many."""

    received: str = ""
    count: int = 0
    note: str = ""
    pending_docs: list[str] = field(default_factory=list)  # inbox scans dropped on a draft, filed at acceptance


@dataclass
class ItemState:
    """One bundled 事项 of an accepted case, with its own status and due date."""

    key: str
    code: str
    name: str
    status: str = "accepted"
    working_days: int | None = None
    due_date: str | None = None
    calendar_days: int | None = None  # a statutory limit in calendar days (日) instead of working days


@dataclass
class Case:
    """A case; a draft is a case in state 'draft' without a number. Only desktop.storage.store writes it."""

    service: int
    uuid: str = field(default_factory=lambda: _new_uuid())
    state: str = "draft"
    number: str | None = None
    revision: int = 0
    applicant: Person = field(default_factory=Person)
    guardian: Person | None = None
    applied_by: str = "self"
    proxy_kind: str = ""
    proxy: Person | None = None
    mandate_signed: bool = False
    method: str = ""
    delivery: str = ""  # a key of DELIVERY
    answers: dict[str, Any] = field(default_factory=dict)
    ineligible_reason: str = ""
    materials: dict[str, MaterialState] = field(default_factory=dict)
    linked_services: list[int] = field(default_factory=list)
    linked_cases: list[str] = field(default_factory=list)
    linked_from: str | None = None
    page: int = 0
    application_date: str = ""
    items: list[ItemState] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notice_deadline: str | None = None
    state_before_suspension: str = ""
    suspended_on: str | None = None
    accepted_at: str | None = None
    clerk: str = ""
    clerk_no: str = ""  # the clerk's 工号 at acceptance (from their account), printed beside their name
    office: str = ""
    window: str = ""
    county_code: str = ""
    ratings: list[Rating] = field(default_factory=list)  # 好差评 (desktop/storage/feedback.py)
    visits: list[Visit] = field(default_factory=list)  # 回访
    public_code: str = ""  # the citizen's random code for the hub's progress and rating pages (never the number)
    publicity: Publicity | None = None  # 公示 between 审核 and 审批 (desktop/domain/publicity.py)
    # the catalog the case was started (a draft) and accepted under: its papers, deadlines and eligibility keep
    # using it (desktop/storage/catalogs.py); "" for cases from before versioning (the legacy catalog)
    catalog_version: str = ""
    catalog_hash: str = ""

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def is_proxy(self) -> bool:
        return self.applied_by == "proxy"

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        data = dict(data)
        data["applicant"] = Person(**data.get("applicant") or {})
        for key in ("guardian", "proxy"):
            data[key] = Person(**data[key]) if data.get(key) else None
        data["materials"] = {k: MaterialState(**v) for k, v in (data.get("materials") or {}).items()}
        data["items"] = [ItemState(**i) for i in data.get("items") or []]
        data["ratings"] = [Rating(**r) for r in data.get("ratings") or []]
        data["visits"] = [Visit(**v) for v in data.get("visits") or []]
        data["publicity"] = Publicity(**data["publicity"]) if data.get("publicity") else None
        return cls(**data)


_FIELDS: dict[type, tuple[str, ...]] = {}  # each dataclass's field names, looked up once


def _field_names(cls: Any) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_ATOMS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """dataclasses.asdict, without its deep copy of every string: sync turns every case it sends into a dict,
    and asdict was the largest part of that. The same result: dataclasses to dicts, lists, tuples and dicts
    rebuilt, anything else copied deeply as asdict does."""
    cls = type(value)
    if cls in _ATOMS:
        return value
    if hasattr(cls, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in _field_names(cls)}
    if cls is list or cls is tuple:
        return cls(plain(v) for v in value)
    if cls is dict:
        return {plain(k): plain(v) for k, v in value.items()}
    return copy.deepcopy(value)

