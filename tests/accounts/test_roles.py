"""The role × action matrix: every cell of docs/roles.md checked against the code, and the village agent's area."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.accounts import roles
from desktop.accounts.roles import Area, Session, can, visible
from desktop.domain.case import Case, Person

DOC = Path(__file__).parents[2] / "docs" / "roles.md"


def documented_matrix() -> tuple[list[str], dict[tuple[str, str], str]]:
    """The matrix table of docs/roles.md: role labels in column order, and each (action, label) cell."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| action |"))
    labels = [c.strip() for c in header.strip("|").split("|")][2:]
    cells = {}
    for line in lines:
        if m := re.match(r"\|\s*`([a-z_.]+)`\s*\|", line):
            if m.group(1) not in roles.ACTIONS:
                continue
            values = [c.strip() for c in line.strip("|").split("|")][2:]
            cells.update({(m.group(1), label): value for label, value in zip(labels, values, strict=True)})
    return labels, cells


LABELS, CELLS = documented_matrix()
ROLE_OF = {label: role for role, label in roles.ROLES.items()}


def session(role: str, area: Area | None = None, *, must_change: bool = False) -> Session:
    return Session(f"u_{role}", "测试", role, area or Area(), must_change)


def test_the_document_covers_every_role_and_action():
    assert sorted(LABELS) == sorted(roles.ROLES.values())
    documented_actions = {
        m.group(1) for m in re.finditer(r"^\|\s*`([a-z_.]+)`\s*\|", DOC.read_text(encoding="utf-8"), re.M)
        if "." in m.group(1)
    }
    assert documented_actions == set(roles.ACTIONS)
    assert len(CELLS) == len(roles.ROLES) * len(roles.ACTIONS)
    assert set(CELLS.values()) <= {"✓", "✗", "✓ 本区域"}


@pytest.mark.parametrize(("action", "label"), sorted(CELLS))
def test_every_cell_of_the_matrix(action, label):
    cell = CELLS[(action, label)]
    role = ROLE_OF[label]
    assert can(session(role), action) is cell.startswith("✓")
    area_limited = role in roles.AREA_LIMITED and action in roles.CASE_SCOPED and cell.startswith("✓")
    assert (cell == "✓ 本区域") is area_limited
    if cell.startswith("✓"):
        assert not can(session(role, must_change=True), action), "an initial password blocks everything"


def test_no_session_may_do_anything():
    assert not any(can(None, action) for action in roles.ACTIONS)
    with pytest.raises(KeyError):
        can(session("clerk"), "case.delete")


def row(township: str, village: str) -> dict:
    return {"township": township, "village": village}


def test_village_agent_sees_only_their_area():
    whole = session("village_agent", Area("白水乡"))
    two = session("village_agent", Area("白水乡", ("白水村", "石门村")))
    assert visible(whole, row("白水乡", "枫树坪村")) and not visible(whole, row("城关镇", "东门社区"))
    assert visible(two, row("白水乡", "石门村")) and not visible(two, row("白水乡", "枫树坪村"))
    assert not visible(two, row("青山铺镇", "白水村")), "a village of the same name elsewhere"
    assert not visible(session("village_agent"), row("白水乡", "白水村")), "an agent without an area sees nothing"
    case = Case(service=3, applicant=Person(name="测试", township="白水乡", village="白水村"))
    assert visible(two, case)
    assert can(two, "case.reveal_id", row("白水乡", "白水村"))
    assert not can(two, "case.reveal_id", row("城关镇", "东门社区"))
    assert can(two, "case.create", row("城关镇", "东门社区")), "area limits actions on existing cases only"


@pytest.mark.parametrize("role", sorted(roles.ROLES))
def test_visibility_follows_case_view(role):
    s = session(role, Area("白水乡"))
    assert visible(s, row("城关镇", "东门社区")) is (can(s, "case.view") and role not in roles.AREA_LIMITED)


def test_role_ids_and_labels():
    assert roles.role_id("窗口人员") == "clerk" and roles.role_id(" admin ") == "admin"
    assert roles.role_id("经理") is None
    assert Area("白水乡", ("白水村",)).label() == "白水乡：白水村" and Area().label() == "全县"
    assert Area.from_dict(Area("白水乡", ("白水村",)).to_dict()) == Area("白水乡", ("白水村",))
