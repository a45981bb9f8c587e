"""The dashboard of a province, counted by the sweep once a minute instead of at every visit.

Counting a hundred thousand tasks by category, unit, leader, status and colour, month by month, takes
the database most of a second; a leader opening the dashboard should not wait for it. At the end of
every sweep (engine/workflow/sweep.py, every DUBAN_SWEEP_SECONDS) the dashboard of everyone who sees
every task is built as the page builds it and kept whole, as JSON, with the instant it stands at, once
for all the tasks and once for each inspection round (督察批次); the page reads that and says "as of".
Nothing is counted by hand in the steps: the summary is the live dashboard of a minute ago.

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
from engine.store.models import DashboardSummary, InspectionRound, RectificationTask

#: the summary of the dashboard of everyone who sees every task, of every round ("round-<id>": of one round)
ALL_TASKS = "all"
#: a summary older than this many sweeps is not shown: the sweep has stopped, the figures are counted live
FRESH_SWEEPS = 3
FRESH_AT_LEAST = timedelta(minutes=2)

_DASHBOARD = TypeAdapter(Dashboard)
Build = Callable[[Session, ColumnElement[bool], datetime], Dashboard]


@dataclass(frozen=True)
class Counted:
    key: str
    at: datetime
    content: str


def count(session: Session, build: Build, now: datetime, settings: Settings) -> list[Counted]:
    """The dashboard of every task counted again, and that of each inspection round, as JSON (read only: the
    writers are not held up meanwhile); nothing below the size a summary is kept for."""
    tasks = session.scalar(select(func.count(RectificationTask.id))) or 0
    if tasks < settings.dashboard_summary_tasks:
        return []
    every = _DASHBOARD.dump_json(build(session, true(), now)).decode()
    counted = [Counted(ALL_TASKS, now, every)]
    rounds = session.execute(select(RectificationTask.round_id, func.count()).group_by(RectificationTask.round_id))
    sizes: dict[int, int] = {round_id: size for round_id, size in rounds}
    for round_id in session.scalars(select(InspectionRound.id).order_by(InspectionRound.id)):
        # a round that holds every task (a city's first) has the same dashboard: it is not counted twice
        whole = sizes.get(round_id, 0) == tasks
        content = every if whole else _DASHBOARD.dump_json(build(session, in_round(round_id), now)).decode()
        counted.append(Counted(key_of(round_id), now, content))
    return counted


def keep(session: Session, counted: list[Counted]) -> None:
    """Keep what was counted in place of the summaries before it (forgetting those no longer counted: a round
    removed, a city grown small)."""
    kept = {summary.key: summary for summary in session.scalars(select(DashboardSummary))}
    for fresh in counted:
        summary = kept.pop(fresh.key, None)
        if summary is None:
            session.add(DashboardSummary(key=fresh.key, as_of=fresh.at, content=fresh.content))
        else:
            summary.as_of, summary.content = fresh.at, fresh.content
    for gone in kept.values():
        session.delete(gone)


def key_of(round_id: int | None) -> str:
    return ALL_TASKS if round_id is None else f"round-{round_id}"


def in_round(round_id: int | None) -> ColumnElement[bool]:
    """The tasks of one inspection round (None: of every round)."""
    return true() if round_id is None else RectificationTask.round_id == round_id


def read(session: Session, now: datetime, settings: Settings, round_id: int | None = None) -> Dashboard | None:
    """The dashboard of every task (of a round) as the sweep last counted it, if it did so lately."""
    kept = session.scalar(select(DashboardSummary).where(DashboardSummary.key == key_of(round_id)))
    fresh = max(FRESH_AT_LEAST, FRESH_SWEEPS * timedelta(seconds=settings.sweep_seconds))
    if kept is None or kept.as_of < now - fresh or kept.as_of > now:
        return None
    return replace(_DASHBOARD.validate_json(kept.content), as_of=kept.as_of)
