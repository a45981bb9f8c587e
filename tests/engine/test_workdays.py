"""Working-day arithmetic on the Chinese statutory calendar.

The 2026 dates below are the ones in chinese-calendar's table (国务院办公厅 2026 notice):
- Spring Festival: holidays Sun 2026-02-15 .. Mon 2026-02-23; make-up working
  Saturdays 2026-02-14 and 2026-02-28.
- Mid-Autumn Fri 2026-09-25 .. Sun 09-27; National Day Thu 2026-10-01 .. Wed 10-07;
  make-up working Sunday 2026-09-20 and Saturday 2026-10-10.
- New Year: holidays 2026-01-01 .. 01-03; make-up working Sunday 2026-01-04.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import pytest

from engine.core import workdays
from engine.core.workdays import add_working_days, covered, is_working_day, working_days_between

SPRING_FESTIVAL_2026 = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
NATIONAL_DAY_2026 = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.fixture
def fresh_fallback(monkeypatch: pytest.MonkeyPatch):
    """Forget which years already warned (and the cached lookups that warned)."""
    monkeypatch.setattr(workdays, "_warned_years", set())
    workdays._is_working_day.cache_clear()
    yield
    workdays._is_working_day.cache_clear()


# -- ordinary weeks ---------------------------------------------------------------------------


def test_ordinary_week() -> None:
    # 2026-03-09 is a Monday; no holiday nearby.
    week = days(date(2026, 3, 9), date(2026, 3, 15))
    assert [is_working_day(d) for d in week] == [True] * 5 + [False] * 2
    assert add_working_days(date(2026, 3, 9), 4) == date(2026, 3, 13)
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)  # Fri -> Mon
    assert add_working_days(date(2026, 3, 11), 5) == date(2026, 3, 18)
    assert working_days_between(date(2026, 3, 8), date(2026, 3, 15)) == 5


def test_zero_days() -> None:
    assert add_working_days(date(2026, 3, 11), 0) == date(2026, 3, 11)
    assert add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 16)  # Saturday -> Monday
    assert add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 24)  # inside Spring Festival
    assert add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)  # make-up Saturday


# -- 2026 Spring Festival ---------------------------------------------------------------------


def test_spring_festival_2026_days() -> None:
    assert not any(is_working_day(d) for d in SPRING_FESTIVAL_2026)
    assert is_working_day(date(2026, 2, 13))  # Friday before
    assert is_working_day(date(2026, 2, 24))  # Tuesday after
    # Mon 2026-02-16 .. Fri 02-20 are weekdays, but holidays:
    assert all(d.weekday() < 5 for d in SPRING_FESTIVAL_2026[1:6])


@pytest.mark.parametrize("saturday", [date(2026, 2, 14), date(2026, 2, 28)])
def test_spring_festival_2026_make_up_saturdays(saturday: date) -> None:
    assert saturday.weekday() == 5
    assert is_working_day(saturday)


def test_public_notice_across_spring_festival_2026() -> None:
    # 公示 5 working days from Thu 2026-02-12: Fri 13, Sat 14 (补班), Tue 24, Wed 25, Thu 26.
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    # Plain Monday–Friday would have said Thu 2026-02-19, in the middle of the holiday.
    # 10 working days from Fri 13: 14, 24, 25, 26, 27, Sat 28 (补班), Mar 2, 3, 4, 5.
    assert add_working_days(date(2026, 2, 13), 10) == date(2026, 3, 5)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 28), 1) == date(2026, 3, 2)


def test_between_across_spring_festival_2026() -> None:
    # (Thu 02-12, Sun 03-01]: 13, 14, 24, 25, 26, 27, 28.
    assert working_days_between(date(2026, 2, 12), date(2026, 3, 1)) == 7
    assert working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0


# -- National Day 2026 ------------------------------------------------------------------------


def test_national_day_2026() -> None:
    assert not any(is_working_day(d) for d in NATIONAL_DAY_2026)
    assert not any(is_working_day(d) for d in days(date(2026, 9, 25), date(2026, 9, 27)))
    assert is_working_day(date(2026, 9, 30))
    # 3 working days from Wed 09-30: Thu 10-08, Fri 10-09, Sat 10-10 (补班).
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 11)) == 3


@pytest.mark.parametrize("sunday", [date(2026, 1, 4), date(2026, 9, 20)])
def test_make_up_sunday_is_a_working_day(sunday: date) -> None:
    assert sunday.weekday() == 6
    assert is_working_day(sunday)
    assert add_working_days(sunday - timedelta(days=2), 1) == sunday  # Fri -> Sun 补班
    assert add_working_days(sunday - timedelta(days=1), 0) == sunday  # Sat -> Sun 补班


def test_make_up_saturday_national_day_2026() -> None:
    assert date(2026, 10, 10).weekday() == 5
    assert is_working_day(date(2026, 10, 10))
    assert not is_working_day(date(2026, 10, 11))


def test_new_year_2026() -> None:
    assert not any(is_working_day(d) for d in days(date(2026, 1, 1), date(2026, 1, 3)))
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)


# -- negative n -------------------------------------------------------------------------------


def test_negative_n() -> None:
    assert add_working_days(date(2026, 3, 16), -1) == date(2026, 3, 13)  # Mon -> Fri
    assert add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)  # over the holiday, to 补班
    assert add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert add_working_days(date(2026, 3, 2), -1) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 26), -5) == date(2026, 2, 12)
    assert add_working_days(date(2026, 10, 12), -4) == date(2026, 9, 30)
    assert add_working_days(date(2026, 1, 5), -1) == date(2026, 1, 4)


def test_negative_undoes_positive_for_working_days() -> None:
    start = date(2025, 12, 1)
    for d in days(start, start + timedelta(days=300)):
        if not is_working_day(d):
            continue
        for n in (1, 2, 5, 10, 15):
            assert add_working_days(add_working_days(d, n), -n) == d
            assert add_working_days(add_working_days(d, -n), n) == d


# -- working_days_between ---------------------------------------------------------------------


def test_between_empty_and_reversed() -> None:
    a, b = date(2026, 2, 12), date(2026, 3, 5)
    assert working_days_between(a, a) == 0
    assert working_days_between(b, a) == 0
    assert working_days_between(a, b) > 0


def test_between_is_additive() -> None:
    a, b, c = date(2026, 1, 20), date(2026, 2, 18), date(2026, 3, 10)
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


def test_between_counts_working_days_in_half_open_interval() -> None:
    a, b = date(2026, 9, 1), date(2026, 10, 31)
    expected = sum(is_working_day(d) for d in days(a + timedelta(days=1), b))
    assert working_days_between(a, b) == expected
    # Widening the interval at either end moves the count by that day alone.
    assert working_days_between(a - timedelta(days=1), b) == expected + is_working_day(a)
    assert working_days_between(a, b + timedelta(days=1)) == expected + is_working_day(b + timedelta(days=1))


def test_add_then_between_round_trip() -> None:
    start = date(2025, 1, 1)
    for d in days(start, date(2026, 11, 30)):
        for n in range(1, 21):
            result = add_working_days(d, n)
            assert result > d
            assert is_working_day(result)
            assert working_days_between(d, result) == n
            assert working_days_between(d, result - timedelta(days=1)) == n - 1


def test_datetime_is_treated_as_its_date() -> None:
    assert add_working_days(datetime(2026, 2, 12, 18, 30), 5) == date(2026, 2, 26)
    assert working_days_between(datetime(2026, 2, 12, 9), date(2026, 3, 1)) == 7
    assert is_working_day(datetime(2026, 2, 14, 9))


# -- coverage and fallback --------------------------------------------------------------------


def test_covered() -> None:
    assert covered(date(2026, 2, 15))
    assert covered(date(2004, 1, 1))
    assert not covered(date(2003, 12, 31))
    assert not covered(date(2100, 1, 1))


def test_covered_years_do_not_warn(fresh_fallback: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="duban.workdays"):
        add_working_days(date(2026, 2, 12), 5)
        working_days_between(date(2025, 1, 1), date(2026, 6, 30))
    assert caplog.records == []


def test_fallback_outside_table_warns_once(fresh_fallback: None, caplog: pytest.LogCaptureFixture) -> None:
    # 2100-01-01 is a Friday; outside the table, Monday–Friday is used.
    with caplog.at_level(logging.WARNING, logger="duban.workdays"):
        assert is_working_day(date(2100, 1, 1))
        assert not is_working_day(date(2100, 1, 2))
        assert not is_working_day(date(2100, 1, 3))
        assert add_working_days(date(2100, 1, 1), 1) == date(2100, 1, 4)
        assert add_working_days(date(2100, 1, 4), -1) == date(2100, 1, 1)
        assert working_days_between(date(2100, 1, 1), date(2100, 3, 1)) == 41
        for n in range(50):
            add_working_days(date(2100, 2, 1), n)
    records = [r for r in caplog.records if r.name == "duban.workdays"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    message = records[0].getMessage()
    assert "2100" in message
    assert "Monday–Friday" in message


def test_fallback_warns_once_per_year(fresh_fallback: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="duban.workdays"):
        working_days_between(date(2099, 12, 1), date(2100, 1, 31))
        working_days_between(date(2099, 12, 1), date(2100, 1, 31))
    years = sorted(r.getMessage() for r in caplog.records if r.name == "duban.workdays")
    assert len(years) == 2
    assert "2099" in years[0]
    assert "2100" in years[1]
