"""The demo city's environmental targets, with plausible monthly values entered as the months pass.

The coordinator defines the five indicators of the plan when the history starts, enters the
figures of the months before (from January of the year before) at once, then each month's
figures on the 8th of the next month, all through the same audited use cases a person uses.
The figures follow simple seasonal patterns: PM2.5 high in winter and improving too slowly
(behind its target line), good-air days on track, the water indicators met.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from engine.core.clock import LOCAL_TZ
from engine.core.periods import next_period, parse_period, period_of

if TYPE_CHECKING:
    from engine.demo.city import DemoBuilder

ENTRY_DAY = 8
#: monthly PM2.5 concentration relative to the year's average, January to December
PM25_SEASON = (1.55, 1.35, 1.1, 0.9, 0.75, 0.65, 0.6, 0.62, 0.7, 0.9, 1.2, 1.5)
#: good-air days of a month, percentage points above or below the year's level
GOOD_DAYS_SEASON = (-22, -15, -6, 3, 8, 12, 14, 13, 10, 4, -6, -18)
WATER_SECTIONS = 7
DRINKING_SOURCES = 8


def schedule_targets(builder: DemoBuilder) -> None:
    """Queue the definition of the indicators and every month's entry in the demo's history."""
    start = builder.clock.now().astimezone(LOCAL_TZ).date()
    ids: dict[str, int] = {}
    first_period = f"{start.year - 1}-01"
    builder.at(_at(start.replace(day=3)), lambda: _define_and_catch_up(builder, start, first_period, ids))
    period = period_of(start)
    while True:
        entry = parse_period(next_period(period)).replace(day=ENTRY_DAY)
        if entry > builder.today:
            break
        builder.at(_at(entry), _entry(builder, start, period, ids))
        period = next_period(period)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), LOCAL_TZ)


def _entry(builder: DemoBuilder, start: date, period: str, ids: dict[str, int]) -> Callable[[], None]:
    return lambda: _record(builder, start, period, ids)


def _define_and_catch_up(builder: DemoBuilder, start: date, first_period: str, ids: dict[str, int]) -> None:
    coordinator = builder.actors["coordinator"]
    for spec in builder.content["indicators"]:
        ids[spec["code"]] = builder.sim.targets.save_indicator(coordinator, indicator_data(spec, start.year))
    period = first_period
    while period < period_of(start):
        _record(builder, start, period, ids)
        period = next_period(period)


def _record(builder: DemoBuilder, start: date, period: str, ids: dict[str, int]) -> None:
    entries = {ids[code]: (monthly_value(code, period, start.year), _note(code, period)) for code in ids}
    builder.sim.targets.record_values(builder.actors["coordinator"], period, entries)


def indicator_data(spec: dict[str, Any], start_year: int) -> dict[str, Any]:
    base_year = start_year + spec["base_year"] if "base_year" in spec else None
    return {"code": spec["code"], "name": spec["name"], "unit": spec["unit"], "direction": spec["direction"],
            "baseline_year": base_year, "baseline_value": spec.get("baseline"), "target_value": spec["target"],
            "target_text": spec["target_text"].format(base_year=base_year),
            "deadline": date(start_year + spec["deadline_year"], 12, 31).isoformat()}


def _wobble(period: str, spread: float) -> float:
    """A small, repeatable month-to-month variation in [-spread, spread]."""
    first = parse_period(period)
    return ((first.year * 12 + first.month) * 37 % 11 - 5) / 5 * spread


def _year_to_date(period: str, monthly: Callable[[str], float]) -> float:
    first = parse_period(period)
    months = [f"{first.year}-{month:02d}" for month in range(1, first.month + 1)]
    return sum(monthly(month) for month in months) / len(months)


def monthly_value(code: str, period: str, start_year: int) -> float:
    """The figure the monitoring bulletin would publish for the month (year-to-date for annual ones)."""
    first = parse_period(period)
    years = first.year - (start_year - 3)  # years since the base year

    def pm25(month: str) -> float:
        level = 52.0 - 0.55 * years
        return level * PM25_SEASON[int(month[5:]) - 1] * (1 + _wobble(month, 0.025))

    def good_days(month: str) -> float:
        level = 71.5 + 1.5 * years
        return min(100.0, level + GOOD_DAYS_SEASON[int(month[5:]) - 1] + _wobble(month, 2.0))

    if code == "pm25":
        return round(_year_to_date(period, pm25), 1)
    if code == "good_air_days":
        return round(_year_to_date(period, good_days), 1)
    if code == "water_class3":
        good = 5 if first.year < start_year and first.month in (6, 7, 8) else (7 if first.month in (1, 12) else 6)
        return round(100 * good / WATER_SECTIONS, 2)
    if code == "water_worse_than_v":
        return 1.0 if (first.year, first.month) == (start_year - 1, 7) else 0.0
    if code == "drinking_water":
        return round(100 * (DRINKING_SOURCES - 1) / DRINKING_SOURCES, 2) \
            if (first.year, first.month) == (start_year - 1, 8) else 100.0
    raise KeyError(code)


def _note(code: str, period: str) -> str:
    if code in ("pm25", "good_air_days"):
        return f"1-{int(period[5:])}月累计" if period[5:] != "01" else "1月"
    return ""
