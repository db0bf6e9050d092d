"""Working days with official holidays and make-up days; unknown years fall back and say so."""

import datetime as dt

from desktop.domain import workdays


def test_national_day_week_is_skipped():
    assert workdays.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_start_day_is_not_counted_and_weekends_skip():
    assert workdays.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)
    assert workdays.working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 30)) == 1


def test_unknown_year_is_an_estimate():
    start = dt.date(2026, 12, 20)
    end = workdays.add_working_days(start, 30)
    assert end.year == 2027 and not workdays.is_exact(start, end)
    assert workdays.is_exact(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_make_up_workday_counts():
    assert dt.date(2026, 9, 20).weekday() == 6 and workdays.is_workday(dt.date(2026, 9, 20))  # a Sunday
    assert not workdays.is_workday(dt.date(2026, 10, 1))
