"""公示: the publicity period between 审核 and 审批 of 低保, 特困 and 两项补贴-type services, as plain data.

Which services have one, and how long, is catalog data (`[time_limit] publicity_days`, `publicity_working`;
docs/catalog.md): 低保 and 特困 7 days (公示7天, counted as calendar days), 两项补贴 5 working days. The
period is not part of the promised time limit (公示期不计入办理时限), so starting one moves the open items'
due dates by its length. Objections are recorded as they come (who said what is the office's paper file;
here only a short note each), and the 公示 ends with or without objections upheld.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.domain import workdays

NOTE_LIMIT = 200
RESULTS = {"no_objection": "公示无异议", "objection_unfounded": "异议经核实不成立", "objection_upheld": "异议成立"}


@dataclass(repr=False)  # its objections may name people
class Publicity:
    """One 公示 of a case: from `start` to `end` (both included) at `place`, with objections and a result."""

    start: str
    end: str
    days: int
    working: bool = False  # True: working days (工作日); False: calendar days (日)
    place: str = ""
    objections: list[str] = field(default_factory=list)
    ended_at: str | None = None
    result: str = ""  # a key of RESULTS once ended


def period_end(start: dt.date, days: int, working: bool) -> dt.date:
    """The last day of a period of `days` that starts on `start` (the start day counts)."""
    if working:
        first = start if workdays.is_workday(start) else workdays.add_working_days(start, 1)
        return workdays.add_working_days(first, days - 1) if days > 1 else first
    return start + dt.timedelta(days=days - 1)


def days_counted(p: Publicity, today: dt.date) -> int:
    """How many days of the period have passed by `today` (same unit as the period), at most its length."""
    start = dt.date.fromisoformat(p.start)
    if today < start:
        return 0
    last = min(today, dt.date.fromisoformat(p.end))
    if p.working:
        return sum(1 for n in range((last - start).days + 1) if workdays.is_workday(start + dt.timedelta(days=n)))
    return (last - start).days + 1


def unit(p: Publicity) -> str:
    return "个工作日" if p.working else "天"


def stage(p: Publicity | None, today: dt.date) -> str:
    """公示 in words for the case view, the timeline and the citizen's page; '' when there is none."""
    if p is None:
        return ""
    span = f"{p.start} 至 {p.end}（{p.days}{unit(p)}）"
    where = f"，地点：{p.place}" if p.place else ""
    said = f"，收到异议{len(p.objections)}件" if p.objections else "，未收到异议" if p.ended_at else ""
    if p.ended_at:
        return f"公示已结束：{span}{where}{said}；{RESULTS.get(p.result, p.result)}"
    if today < dt.date.fromisoformat(p.start):
        return f"待公示：{span}{where}"
    if today > dt.date.fromisoformat(p.end):
        return f"公示期满，待审批：{span}{where}{said}"
    return f"公示中：{span}，已公示{days_counted(p, today)}{unit(p)}{where}{said}"


def check_start(days: int | None, place: str) -> list[str]:
    """Why a 公示 cannot start (Chinese, naming the field); empty when it can."""
    errors = []
    if not days:
        errors.append("公示：该一件事在目录中没有公示期")
    if not place.strip():
        errors.append("公示地点：请写明在哪里公示（如 某某村村务公开栏）")
    if len(place) > NOTE_LIMIT:
        errors.append(f"公示地点：最多{NOTE_LIMIT}字")
    return errors
