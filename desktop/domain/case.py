"""The case: one citizen's request for one 一件事, from draft to closing, as plain serialisable data."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from desktop.domain.feedback import Rating, Visit
from desktop.domain.labels import (  # the case's words, re-exported: callers name them from here
    APPLIED_BY as APPLIED_BY,
    DELIVERY as DELIVERY,
    IDENTITY_MATERIALS as IDENTITY_MATERIALS,
    PROXY_KINDS as PROXY_KINDS,
    RECEIVED as RECEIVED,
    STAFF_PROXY_KINDS as STAFF_PROXY_KINDS,
    STATES as STATES,
    received_brief as received_brief,
    received_label as received_label,
)
from desktop.domain.publicity import Publicity

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any


def _new_uuid() -> str:
    """A new case's id; `uuid` (and the `platform` it imports) loads only when a case is made (issue 16)."""
    import uuid

    return str(uuid.uuid4())


@dataclass(repr=False)  # names, numbers and addresses never reach a log line or a crash report through a repr
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

    def __repr__(self) -> str:
        return f"Person(relation={self.relation!r}, empty={self.is_empty()})"


@dataclass(repr=False)  # its note is the clerk's free text
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


@dataclass(repr=False)  # the people, answers (disability, illness) and notes never reach a log through a repr
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

    def __repr__(self) -> str:
        return (f"Case(uuid={self.uuid!r}, number={self.number!r}, service={self.service!r}, state={self.state!r}, "
                f"revision={self.revision!r})")

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

