"""Staff roles and what each may do: the role × action matrix as data (documented in docs/roles.md).

`can` answers for a role; `visible` narrows case actions to a village agent's own area. The matrix follows
GB/T 35273 §7.1: the administrator (accounts, settings) reads no case, the auditor reads the audit trail and
changes nothing, and bulk export of personal data is a permission of its own.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

ROLES = {
    "clerk": "窗口人员",
    "village_agent": "村级代办员",
    "supervisor": "负责人",
    "admin": "管理员",
    "auditor": "审计员",
}

ACTIONS = {
    "case.create": "受理案件（含导入）",
    "case.view": "查看案件",
    "case.transition": "变更案件状态",
    "case.print": "打印案件文书",
    "case.reveal_id": "查看完整身份证号、电话号码",
    "case.rectify": "登记差评整改",
    "ledger.view": "查看台账",
    "ledger.export": "导出台账（号码遮蔽）",
    "export.personal_bulk": "批量导出完整个人信息",
    "user.manage": "管理账号",
    "settings.edit": "修改本机设置",
    "audit.view": "查看审计记录",
    "audit.verify": "校验审计记录",
    "day.close": "日结",
    "hub.connect": "登记本机到县级服务器",
    "sync.run": "与县级服务器同步",
}

_CASE_WORK = frozenset({"case.create", "case.view", "case.transition", "case.print", "case.reveal_id"})
MATRIX: dict[str, frozenset[str]] = {
    "clerk": _CASE_WORK | {"ledger.view", "sync.run"},
    "village_agent": _CASE_WORK | {"sync.run"},
    "supervisor": _CASE_WORK | {"case.rectify", "ledger.view", "ledger.export", "export.personal_bulk", "day.close", "sync.run"},
    "admin": frozenset({"user.manage", "settings.edit", "audit.verify", "hub.connect", "sync.run"}),
    "auditor": frozenset({"audit.view", "audit.verify"}),
}

# Roles whose case actions stop at their own area (township, and villages if any are named).
AREA_LIMITED = frozenset({"village_agent"})
# Actions on one existing case, where a village agent's area applies.
CASE_SCOPED = frozenset({"case.view", "case.transition", "case.print", "case.reveal_id", "case.rectify"})


class Area(namedtuple("Area", "township villages", defaults=("", ()))):
    """Where a staff member works: a township and, optionally, some of its villages (empty: all of them).

    Named tuples, this and Session, not frozen dataclasses: every command that logs in would import dataclasses,
    inspect and ast for them (≈0.4× `import desktop`, issue 16)."""

    __slots__ = ()
    township: str
    villages: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"township": self.township, "villages": list(self.villages)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Area:
        data = data or {}
        return cls(township=data.get("township", ""), villages=tuple(data.get("villages", ())))

    def label(self) -> str:
        if not self.township:
            return "全县"
        return self.township + (f"：{'、'.join(self.villages)}" if self.villages else "（全乡镇）")


class Session(namedtuple("Session", "username display_name role area must_change started_at",
                          defaults=(Area(), False, ""))):
    """A logged-in staff member. Made by accounts.Accounts.login; `must_change` blocks every action."""

    __slots__ = ()
    username: str
    display_name: str
    role: str
    area: Area
    must_change: bool
    started_at: str

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


def role_id(text: str) -> str | None:
    """The role id for an id or a Chinese label ('clerk' or '窗口人员'), or None."""
    text = text.strip()
    if text in ROLES:
        return text
    return next((k for k, label in ROLES.items() if label == text), None)


def can(session: Session | None, action: str, case_row: Any = None) -> bool:
    """May this session do `action` (on `case_row`, if given, which must then be within its area)?"""
    if action not in ACTIONS:
        raise KeyError(action)  # a typo in code, not a user's doing
    if session is None or session.must_change or action not in MATRIX.get(session.role, ()):
        return False
    return case_row is None or action not in CASE_SCOPED or visible(session, case_row)


def visible(session: Session, case_row: Any) -> bool:
    """May this session see this case? Everyone with case.view may, except that a village agent sees only
    cases whose applicant lives in the agent's area. `case_row` is a store row (township, village) or a Case."""
    if "case.view" not in MATRIX.get(session.role, ()) or session.must_change:
        return False
    if session.role not in AREA_LIMITED:
        return True
    township, village = _place(case_row)
    area = session.area
    if not area.township or township != area.township:
        return False
    return not area.villages or village in area.villages


def area_refusal(session: Session | None, case: Any) -> str | None:
    """Why this session may not accept `case` (a village agent, applicant outside the area), or None.

    Acceptance is not CASE_SCOPED (the case does not exist yet), but an agent could neither see nor print a
    case from outside their area afterwards; the wizard and `case import` both ask this."""
    if session is None or session.role not in AREA_LIMITED or visible(session, case):
        return None
    return f"申请人所在乡镇/村不在您的服务区域（{session.area.label()}）内：请改由其所在地的代办员或窗口受理"


def _place(case_row: Any) -> tuple[str, str]:
    if isinstance(case_row, dict):
        return case_row.get("township", ""), case_row.get("village", "")
    applicant = case_row.applicant
    return applicant.township, applicant.village
