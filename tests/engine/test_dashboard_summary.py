"""A province's dashboard is counted by the sweep once a minute: the same figures as counted live, a minute old
at most, and counted live again when the sweep stops or the city is small."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import func, select

from engine.app import Duban
from engine.core.settings import Settings
from engine.store.models import DashboardSummary, InspectionRound
from tests.engine.test_dashboard_and_bulletin import stage_city
from tests.factories import World


def summarising(world: World) -> Duban:
    """duban on the same database, keeping a summary of a dashboard of any size."""
    duban = Duban(world.duban.db, world.duban.roles, world.duban.clock, world.duban.workflow_files,
                  Settings(dashboard_summary_tasks=0), storage=world.duban.files.root)
    duban.init_database()
    return duban


def summaries(world: World) -> int:
    with world.duban.db.transaction(write=False) as session:
        return session.scalar(select(func.count(DashboardSummary.id))) or 0


def test_the_summary_equals_the_live_count_after_a_refresh(world: World) -> None:
    stage_city(world)
    live = world.duban.reporting.dashboard(world["coordinator"])
    assert live.as_of is None and live.statuses.total == 5
    assert summarising(world).reporting.refresh_dashboard()
    kept = world.duban.reporting.dashboard(world["coordinator"])
    assert kept.as_of == world.duban.clock.now()
    assert replace(kept, as_of=None) == live  # every figure, the curve, the units' records and the lists
    assert world.duban.reporting.dashboard(world["leader"]) == kept  # everyone who sees every task


def test_the_summary_is_a_sweep_old_and_the_next_sweep_brings_it_up_to_date(world: World) -> None:
    province = summarising(world)
    stage_city(world)
    province.sweep.fire_due_timers()
    before = world.duban.reporting.dashboard(world["coordinator"]).statuses.total
    world.register("9-1")
    assert world.duban.reporting.dashboard(world["coordinator"]).statuses.total == before  # as of the sweep
    world.duban.clock.advance(minutes=1)  # type: ignore[attr-defined]
    province.sweep.fire_due_timers()
    board = world.duban.reporting.dashboard(world["coordinator"])
    assert (board.statuses.total, board.as_of) == (before + 1, world.duban.clock.now())


def test_each_round_has_its_summary_equal_to_its_live_count(world: World) -> None:
    stage_city(world)
    with world.duban.db.transaction() as session:
        second = InspectionRound(name="回头看", feedback_on=date(2026, 6, 1), created_at=world.duban.clock.now())
        session.add(second)
        session.flush()
        first = session.scalar(select(InspectionRound.id).where(InspectionRound.id != second.id))
        second_id = second.id
    world.register("9-1")  # the round most recently begun: the second
    live = {round_id: world.duban.reporting.dashboard(world["coordinator"], round_id)
            for round_id in (None, first, second_id)}
    assert [board.statuses.total for board in live.values()] == [6, 5, 1]
    summarising(world).reporting.refresh_dashboard()
    for round_id, board in live.items():
        kept = world.duban.reporting.dashboard(world["coordinator"], round_id)
        assert kept.as_of is not None and replace(kept, as_of=None) == board, round_id


def test_a_summary_the_sweep_stopped_refreshing_is_not_shown(world: World) -> None:
    summarising(world).reporting.refresh_dashboard()
    world.register("9-1")
    world.duban.clock.advance(minutes=10)  # type: ignore[attr-defined]
    board = world.duban.reporting.dashboard(world["coordinator"])
    assert board.as_of is None and board.statuses.total == 1  # counted for the page


def test_a_city_below_the_size_is_counted_live_and_keeps_no_summary(world: World) -> None:
    summarising(world).reporting.refresh_dashboard()
    assert summaries(world) == 2  # every task, and the city's one round
    assert not world.duban.reporting.refresh_dashboard()  # the default: 10,000 tasks
    assert summaries(world) == 0
    assert world.duban.settings.dashboard_summary_tasks == 10_000
    assert world.duban.reporting.dashboard(world["coordinator"]).as_of is None
    assert world.duban.settings.sweep_seconds * 3 < timedelta(minutes=10).total_seconds()
