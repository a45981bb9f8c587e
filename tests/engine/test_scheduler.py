"""The timer sweep: every due timer fires exactly once, whoever sweeps, whatever fails."""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine.app import Duban
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.errors import Busy
from engine.core.roles import load_roles
from engine.core.statuses import WarningLevel
from engine.features.rectification import actions
from engine.store.database import Database
from engine.store.models import (
    AuditEvent,
    HumanTask,
    HumanTaskStatus,
    Incident,
    Notice,
    ProcessInstance,
    ProgressReport,
    RectificationTask,
)
from tests.conftest import WORKFLOWS
from tests.factories import ROOT, World, statements_sent, walk_to_reporting

APRIL_6 = datetime(2026, 4, 6, 0, 30, tzinfo=LOCAL_TZ)


def tasks_reporting(world: World, count: int) -> list[int]:
    task_ids = [world.register(f"T-{i}", deadline="2027-12-31") for i in range(count)]
    for task_id in task_ids:
        walk_to_reporting(world, task_id)
    return task_ids


def fired_events(world: World) -> Counter[tuple[str, str]]:
    """How often each timer's work was done: (action, object)."""
    with world.duban.db.transaction(write=False) as session:
        rows = session.execute(select(AuditEvent.action, AuditEvent.object_id).where(AuditEvent.action.in_(
            ("report.requested", "report.reminded", "report.overdue")))).all()
    return Counter((action, object_id) for action, object_id in rows)


def _sweep_in_another_process(url: str, now: datetime, crash_after: int, queue: Any) -> None:
    engine = Duban(Database(url), load_roles(ROOT / "roles.yaml"), FakeClock(now), WORKFLOWS)
    engine.init_database()
    if crash_after:
        original, calls = engine.processes._save, [0]

        def save_then_die(*args: Any, **kwargs: Any) -> None:
            original(*args, **kwargs)
            calls[0] += 1
            if calls[0] == crash_after:
                os._exit(3)  # killed in the middle of an instance's transaction, before its commit

        engine.processes._save = save_then_die  # type: ignore[method-assign]
    queue.put(str(engine.sweep.fire_due_timers()))


def run_sweeps(url: str, now: datetime, crash_after: list[int]) -> list[int | None]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_sweep_in_another_process, args=(url, now, crash, queue))
               for crash in crash_after]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return [worker.exitcode for worker in workers]


def test_two_processes_sweeping_at_once_fire_each_timer_once(world: World) -> None:
    task_ids = tasks_reporting(world, 6)
    assert run_sweeps(world.duban.db.url, APRIL_6, [0, 0]) == [0, 0], "a sweep process failed"
    counts = fired_events(world)
    assert len([key for key in counts if key[0] == "report.requested"]) == len(task_ids)
    assert len([key for key in counts if key[0] == "report.overdue"]) == len(task_ids)
    assert set(counts.values()) == {1}
    assert world.duban.sweep.fire_due_timers().fired == 0  # nothing left for a third sweep


def test_a_batch_assesses_each_of_its_tasks_once_from_one_read(world: World) -> None:
    """On April 6 each task's March report is overdue: the sweep turns every task yellow, with one audit event each,
    and reads their reports once for the whole batch, at its end."""
    task_ids = tasks_reporting(world, 3)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    with statements_sent(world.duban.db.engine) as sent:
        assert world.duban.sweep.fire_due_timers().failed == 0
    reads = [statement for statement, _ in sent
             if "progress_reports.submitted_at IS NOT NULL AS submitted" in statement]  # the facts of the colour
    assert len(reads) == 1 and "row_number()" in reads[0].lower()
    with world.duban.db.transaction(write=False) as session:
        colours = session.execute(select(RectificationTask.id, RectificationTask.warning,
                                         RectificationTask.warning_reasons)).all()
        turned = Counter(session.scalars(select(AuditEvent.task_id).where(AuditEvent.action == "task.warning")))
    assert sorted(colours) == [(task_id, WarningLevel.YELLOW, [{"code": "report_overdue", "period": "2026-03"}])
                               for task_id in sorted(task_ids)]
    assert turned == dict.fromkeys(task_ids, 1)


def test_a_batch_that_opens_work_fires_as_one_and_announces_each_item(world: World,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """On April 2 each task's March report is requested: one batch opens a work item per task, and each item gets
    its notice, naming it, in that batch (not after a fall-back to firing the timers one by one)."""
    task_ids = tasks_reporting(world, 3)
    world.duban.clock.set(datetime(2026, 4, 2, 9, tzinfo=LOCAL_TZ))  # type: ignore[attr-defined]
    result = world.duban.sweep.fire_due_timers()
    assert result.failed == 0 and "one by one" not in caplog.text
    with world.duban.db.transaction(write=False) as session:
        opened = set(session.scalars(select(HumanTask.id).where(HumanTask.form == "report_submit",
                                                                HumanTask.status == HumanTaskStatus.OPEN)))
        announced = session.execute(select(Notice.work_id, Notice.task_id).where(Notice.kind == "new_work",
                                                                                  Notice.work_id.in_(opened))).all()
    assert len(opened) == len(task_ids)
    assert {work for work, _ in announced} == opened
    assert {task for _, task in announced} == set(task_ids)


def test_the_end_of_a_month_starts_each_task_s_next_cycle_once(world: World) -> None:
    """March is over for every task: each task then has exactly one April cycle, started by its March cycle, also
    when the sweep fires twice."""
    task_ids = tasks_reporting(world, 3)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    assert world.duban.sweep.fire_due_timers().failed == 0
    assert world.duban.sweep.fire_due_timers().fired == 0
    with world.duban.db.transaction(write=False) as session:
        cycles = session.execute(select(ProcessInstance.task_id, ProcessInstance.business_key).where(
            ProcessInstance.process_id == actions.MONTHLY_REPORT_PROCESS)).all()
    assert sorted(cycles) == sorted((task_id, period) for task_id in task_ids for period in ("2026-03", "2026-04"))


def test_a_sweep_killed_half_way_leaves_nothing_half_done(world: World) -> None:
    task_ids = tasks_reporting(world, 4)
    assert run_sweeps(world.duban.db.url, APRIL_6, [3]) == [3]
    partial = fired_events(world)
    assert sum(partial.values()) < 3 * len(task_ids)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    assert world.duban.sweep.fire_due_timers().failed == 0
    counts = fired_events(world)
    assert set(counts.values()) == {1} and sum(counts.values()) == 3 * len(task_ids)
    with world.duban.db.transaction(write=False) as session:
        periods = session.scalars(select(ProgressReport.task_id).where(ProgressReport.period == "2026-03")).all()
    assert sorted(periods) == sorted(task_ids)


def test_a_failing_instance_becomes_an_incident_and_the_others_go_on(world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    broken_task, *healthy = tasks_reporting(world, 3)
    original = world.duban.registry.actions["open_report"]

    def open_report(step: Any, data: dict[str, Any]) -> dict[str, Any]:
        if step.the_task.id == broken_task:
            raise ValueError("bad data in this task")
        return original(step, data)

    monkeypatch.setitem(world.duban.registry.actions, "open_report", open_report)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    result = world.duban.sweep.fire_due_timers()
    assert result.failed == 1
    assert world.duban.sweep.fire_due_timers().failed == 0  # a blocked instance is not retried every sweep
    incidents = world.duban.work.incidents(world["admin"])
    assert [(i.task_id, i.error) for i in incidents] == [(broken_task, "ValueError: bad data in this task")]
    with world.duban.db.transaction(write=False) as session:
        reported = set(session.scalars(select(ProgressReport.task_id)))
    assert reported == set(healthy)

    assert not world.duban.work.retry_incident(world["admin"], incidents[0].id)  # still broken
    assert world.duban.work.incidents(world["admin"])[0].attempts == 2
    monkeypatch.setitem(world.duban.registry.actions, "open_report", original)
    assert world.duban.work.retry_incident(world["admin"], incidents[0].id)
    assert world.duban.work.incidents(world["admin"]) == []
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(ProgressReport.task_id).where(ProgressReport.task_id == broken_task))
        assert not session.scalars(select(ProcessInstance.blocked).where(ProcessInstance.blocked.is_(True))).all()
        assert session.scalars(select(Incident.resolved_at)).one() is not None


def test_a_sweep_that_finds_the_database_busy_leaves_the_rest_to_the_next(world: World,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    task_ids = tasks_reporting(world, 2)
    duban, run = world.duban, world.duban.transactions.run

    def busy(work: Any) -> Any:
        raise Busy("系统繁忙，请稍后重试")

    monkeypatch.setattr(duban.transactions, "run", busy)
    duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    result = duban.sweep.fire_due_timers()
    assert (result.fired, result.failed) == (0, 0) and not fired_events(world)
    monkeypatch.setattr(duban.transactions, "run", run)
    assert duban.sweep.fire_due_timers().failed == 0
    counts = fired_events(world)
    assert set(counts.values()) == {1} and sum(counts.values()) == 3 * len(task_ids)
