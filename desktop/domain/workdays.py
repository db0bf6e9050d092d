"""Working days (工作日) with Chinese public holidays and make-up workdays, for due dates.

The calendar comes from the maintained `chinesecalendar` package; a year it does not know yet falls
back to Monday–Friday plus resources/calendar/overrides.toml and the county's own calendar.toml in
paths.county_dir() (outside the install folder, which an upgrade replaces), and `is_exact` says so.
The day a period starts is not counted (行政许可法第八十二条: 期限开始之日不计算在内).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from desktop.domain import paths
from desktop.domain.tomlfile import read_toml


@lru_cache(maxsize=1)
def _overrides() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for path in (paths.resources_dir() / "calendar" / "overrides.toml", paths.county_dir() / "calendar.toml"):
        data = read_toml(path) if path.exists() else {}
        holidays |= {dt.date.fromisoformat(d) for d in data.get("holidays", [])}
        workdays |= {dt.date.fromisoformat(d) for d in data.get("workdays", [])}
    return frozenset(holidays - workdays), frozenset(workdays)


def known_year(year: int) -> bool:
    """Whether the library has the official holiday schedule of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    holidays, workdays = _overrides()
    if day in holidays:
        return False
    if day in workdays:
        return True
    if known_year(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The date on which `count` working days after `start` have elapsed (start itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_workday(day)
    return days


def is_exact(start: dt.date, end: dt.date) -> bool:
    """False when a year in the span has no official schedule (the due date is an estimate)."""
    return all(known_year(y) for y in range(start.year, end.year + 1))
