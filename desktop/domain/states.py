"""The one place that says which state changes a case may make, and what each one needs."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.case import STATES
from desktop.domain.errors import ValidationError

OPEN = ("accepted", "pending_materials", "submitted", "in_progress")


@dataclass(frozen=True)
class Action:
    """A transition offered in the case view: its label, where it may start, where it leads."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    needs_reason: bool = False


ACTIONS = {
    a.name: a
    for a in (
        Action("materials_received", "登记补正材料", ("pending_materials",), "accepted"),
        Action("submit", "提交部门", ("accepted",), "submitted"),
        Action("start", "部门办理中", ("submitted",), "in_progress"),
        Action("complete", "办结", ("accepted", "submitted", "in_progress"), "completed", needs_reason=False),
        Action("suspend", "中止", OPEN, "suspended", needs_reason=True),
        Action("resume", "续办", ("suspended",), "", needs_reason=False),
        Action("terminate", "终止", (*OPEN, "suspended"), "terminated", needs_reason=True),
        # 不予受理: only before acceptance (a 收件凭证 case); an accepted case is 终止 by the department instead
        Action("refuse", "不予受理", ("pending_materials",), "terminated", needs_reason=True),
    )
}


def allowed_actions(state: str) -> list[Action]:
    """Actions the case view offers for a case in `state`, in a stable order."""
    return [a for a in ACTIONS.values() if state in a.sources]


def check(state: str, action: str, reason: str = "") -> Action:
    """The action if it is allowed from `state` with what it needs; a ValidationError otherwise."""

    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError(f"未知的操作“{action}”", field="action")
    if state not in spec.sources:
        raise ValidationError(f"{STATES.get(state, state)}的案件不能{spec.label}", field="action")
    if spec.needs_reason and not reason.strip():
        raise ValidationError(f"{spec.label}须填写原因", field="reason")
    return spec
