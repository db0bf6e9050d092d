"""Working days (工作日) with Chinese public holidays and make-up workdays, for due dates.

The calendar comes from the maintained `chinesecalendar` package; a year it does not know yet falls
back to Monday–Friday plus resources/calendar/overrides.toml and the county's own calendar.toml in
paths.county_dir() (outside the install folder, which an upgrade replaces), and `is_exact` says so.
The day a period starts is not counted (行政许可法第八十二条: 期限开始之日不计算在内).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from desktop.domain import paths


@lru_cache(maxsize=1)
def _overrides() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    from desktop.domain.tomlfile import read_toml  # tomllib and the calendar load when a date is worked out

    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for path in (paths.resources_dir() / "calendar" / "overrides.toml", paths.county_dir() / "calendar.toml"):
        data = read_toml(path) if path.exists() else {}
        holidays |= {dt.date.fromisoformat(d) for d in data.get("holidays", [])}
        workdays |= {dt.date.fromisoformat(d) for d in data.get("workdays", [])}
    return frozenset(holidays - workdays), frozenset(workdays)


def known_year(year: int) -> bool:
    """Whether the library has the official holiday schedule of `year`."""
    import chinese_calendar  # not with every command that imports the case model (issue 16)

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
        import chinese_calendar

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


def add_calendar_days(start: dt.date, count: int) -> dt.date:
    """The due date of a limit in calendar days (日); one ending on a rest day moves to the next working day
    (民法典第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日)."""
    day = start + dt.timedelta(days=count)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def due_after(start: dt.date, working_days: int | None, calendar_days: int | None) -> dt.date | None:
    """The due date of a limit counted in working days or in calendar days; None when there is no number."""
    if working_days:
        return add_working_days(start, working_days)
    if calendar_days:
        return add_calendar_days(start, calendar_days)
    return None


def remaining_text(stopped: dt.date, due: dt.date, *, calendar: bool = False) -> str:
    """What is left of a limit stopped on `stopped` (中止): working days, or calendar days for a limit in 日."""
    if calendar:
        return f"{max(0, (due - stopped).days)}日"
    return f"{working_days_between(stopped, due)}个工作日"
