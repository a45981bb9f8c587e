"""Working-day arithmetic on the Chinese statutory calendar (法定节假日 and 调休补班).

The statutory table comes from the ``chinese-calendar`` package, which only knows the
years the State Council has published.  The administrators keep a table of their own for
the years it does not cover yet (holidays and make-up working days); it is consulted first
and handed in with `use_table` by the use case that loads it — this module reads no
database.  A year known to neither falls back to Monday–Friday and logs one warning per
year and process.  Nothing here reads the wall clock.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

logger = logging.getLogger("duban.workdays")

ONE_DAY = timedelta(days=1)

#: The years the package's table covers; it raises NotImplementedError outside them.
#: Mirrors the package's own check (the span of years in its holiday table).
COVERED_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

_warned_years: set[int] = set()
_warned_lock = threading.Lock()
#: the administrators' table: day -> True for a make-up working day (补班), False for a holiday
_table: dict[date, bool] = {}
_table_years: frozenset[int] = frozenset()


def use_table(days: Mapping[date, bool]) -> None:
    """Install the administrators' holiday and make-up-day table (replacing the one in use)."""
    global _table_years
    with _warned_lock:
        _table.clear()
        _table.update(days)
        _table_years = frozenset(day.year for day in days)
        _is_working_day.cache_clear()


def covered(day: date) -> bool:
    """True when the statutory table or the administrators' table covers ``day``'s year."""
    return day.year in COVERED_YEARS or day.year in _table_years


def uncovered_years(days: Iterable[date]) -> list[int]:
    """The years of ``days`` that neither table covers (working days there are only guessed)."""
    return sorted({day.year for day in days if not covered(_as_date(day))})


def is_working_day(day: date) -> bool:
    return _is_working_day(_as_date(day))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (before it when n < 0).

    n == 0 gives ``start`` itself when it is a working day, else the next working day.
    """
    day = _as_date(start)
    if n == 0:
        return _next_working_day(day)
    step = ONE_DAY if n > 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if _is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]; 0 when end <= start."""
    day, last = _as_date(start), _as_date(end)
    count = 0
    while day < last:
        day += ONE_DAY
        count += _is_working_day(day)
    return count


def _as_date(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day


def _next_working_day(day: date) -> date:
    while not _is_working_day(day):
        day += ONE_DAY
    return day


@lru_cache(maxsize=16384)
def _is_working_day(day: date) -> bool:
    if day in _table:
        return _table[day]
    if day.year in COVERED_YEARS:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a future package narrowing its table
            pass
    if day.year not in _table_years:
        _warn_not_covered(day.year)
    return day.weekday() < 5


def _warn_not_covered(year: int) -> None:
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    logger.warning(
        "the statutory calendar does not cover year %d; Monday–Friday is used as working days", year
    )
