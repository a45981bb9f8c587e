"""The dashboard of a province, counted by the sweep once a minute instead of at every visit.

Counting a hundred thousand tasks by category, unit, leader, status and colour, month by month, takes
the database most of a second; a leader opening the dashboard should not wait for it. At the end of
every sweep (engine/workflow/sweep.py, every DUBAN_SWEEP_SECONDS) the dashboard of everyone who sees
every task is built as the page builds it and kept whole, as JSON, with the instant it stands at; the
page reads that and says "as of". Nothing is counted by hand in the steps: the summary is the live
dashboard of a minute ago.

A city below `Settings.dashboard_summary_tasks` tasks is counted live (it takes milliseconds); so is a
summary the sweep has not refreshed lately (a stopped sweeper shows slow, exact figures, never old ones).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from engine.core.settings import Settings
from engine.features.reporting.dashboard import Dashboard
from engine.store.models import DashboardSummary, RectificationTask

#: the summary of the dashboard of everyone who sees every task
ALL_TASKS = "all"
#: a summary older than this many sweeps is not shown: the sweep has stopped, the figures are counted live
FRESH_SWEEPS = 3
FRESH_AT_LEAST = timedelta(minutes=2)

_DASHBOARD = TypeAdapter(Dashboard)
Build = Callable[[Session, ColumnElement[bool], datetime], Dashboard]


@dataclass(frozen=True)
class Counted:
    at: datetime
    tasks: int
    content: str | None  # None: not kept, counted live


def count(session: Session, build: Build, now: datetime, settings: Settings) -> Counted:
    """The dashboard of every task counted again, as JSON (read only: the writers are not held up meanwhile); None
    below the size a summary is kept for."""
    tasks = session.scalar(select(func.count(RectificationTask.id))) or 0
    if tasks < settings.dashboard_summary_tasks:
        return Counted(now, tasks, None)
    return Counted(now, tasks, _DASHBOARD.dump_json(build(session, true(), now)).decode("utf-8"))


def keep(session: Session, counted: Counted) -> None:
    """Keep what was counted in place of the summary before it (or forget that one, for a city grown small)."""
    kept = session.scalar(select(DashboardSummary).where(DashboardSummary.key == ALL_TASKS))
    if counted.content is None:
        if kept is not None:
            session.delete(kept)
    elif kept is None:
        session.add(DashboardSummary(key=ALL_TASKS, as_of=counted.at, tasks=counted.tasks, content=counted.content))
    else:
        kept.as_of, kept.tasks, kept.content = counted.at, counted.tasks, counted.content


def read(session: Session, now: datetime, settings: Settings) -> Dashboard | None:
    """The dashboard of every task as the sweep last counted it, if it did so lately."""
    kept = session.scalar(select(DashboardSummary).where(DashboardSummary.key == ALL_TASKS))
    fresh = max(FRESH_AT_LEAST, FRESH_SWEEPS * timedelta(seconds=settings.sweep_seconds))
    if kept is None or kept.as_of < now - fresh or kept.as_of > now:
        return None
    return replace(_DASHBOARD.validate_json(kept.content), as_of=kept.as_of)
