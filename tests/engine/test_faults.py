"""Failures of the moment are retried, not turned into incidents or errors: a connection lost under a use case,
under a timer, at the commit."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from engine.core.actor import Actor
from engine.core.errors import Unanswered
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import AuditEvent, Incident, ProgressReport
from tests.engine.test_scheduler import APRIL_6, tasks_reporting
from tests.factories import World
from tests.faults import lose_connection, terminate_backend


def audited(world: World, action: str) -> int:
    with world.duban.db.transaction(write=False) as session:
        return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action)) or 0


def test_a_use_case_whose_connection_is_lost_before_the_commit_runs_once_more(world: World) -> None:
    attempts: list[int] = []

    def work(session: Session) -> str:
        attempts.append(1)
        record(session, Actor.system(), world.duban.clock.now(), "test.recorded", ("task", 1), "记录一次")
        if len(attempts) == 1:
            lose_connection(session)
        return "done"

    assert world.duban.transactions.run(work) == "done"
    assert len(attempts) == 2
    assert audited(world, "test.recorded") == 1
    assert world.duban.audit.verify(world["admin"]).ok


def test_a_connection_lost_twice_is_a_clear_refusal_and_writes_nothing(world: World) -> None:
    def work(session: Session) -> None:
        record(session, Actor.system(), world.duban.clock.now(), "test.recorded", ("task", 1), "记录一次")
        lose_connection(session)

    with pytest.raises(Unanswered, match="数据库没有应答"):
        world.duban.transactions.run(work)
    assert audited(world, "test.recorded") == 0


@pytest.mark.postgres
def test_a_connection_lost_at_the_commit_asks_the_person_to_look_before_retrying(world: World) -> None:
    db = world.duban.db
    if db.is_sqlite:
        pytest.skip("a connection to a server, lost while COMMIT is sent")

    def terminate_before_commit(connection: Any) -> None:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        terminate_backend(db.url, pid)

    def work(session: Session) -> None:
        record(session, Actor.system(), world.duban.clock.now(), "test.recorded", ("task", 1), "记录一次")
        event.listen(db.engine, "commit", terminate_before_commit, once=True)

    with pytest.raises(Unanswered, match="请刷新页面查看"):
        world.duban.transactions.run(work)
    assert audited(world, "test.recorded") == 0  # this time the server never saw the COMMIT


def break_open_report(world: World, monkeypatch: pytest.MonkeyPatch, times: int, error: Any = None) -> list[int]:
    """The monthly report's timer meets a lost connection (or `error`) its first `times` runs."""
    original, calls = world.duban.registry.actions["open_report"], []

    def open_report(step: Any, data: dict[str, Any]) -> dict[str, Any]:
        calls.append(step.the_task.id)
        if len(calls) <= times:
            if error is not None:
                raise error
            lose_connection(step.session)
        return original(step, data)

    monkeypatch.setitem(world.duban.registry.actions, "open_report", open_report)
    return calls


def pauses_of(world: World, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    pauses: list[float] = []
    monkeypatch.setattr(world.duban.sweep, "pause", pauses.append)
    return pauses


def test_a_timer_that_meets_a_lost_connection_is_tried_again_not_made_an_incident(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    [task_id] = tasks_reporting(world, 1)
    break_open_report(world, monkeypatch, times=7)  # the batch twice, two tries of its own twice each
    pauses = pauses_of(world, monkeypatch)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    result = world.duban.sweep.fire_due_timers()
    assert (result.fired, result.failed) == (1, 0)
    assert pauses == [2, 4]  # the pause doubles
    with world.duban.db.transaction(write=False) as session:
        assert session.scalars(select(ProgressReport.task_id)).all() == [task_id]
        assert session.scalars(select(Incident)).all() == []


def test_a_timer_whose_retries_are_spent_becomes_an_incident(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks_reporting(world, 1)
    break_open_report(world, monkeypatch, times=1000)
    pauses = pauses_of(world, monkeypatch)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    assert world.duban.sweep.fire_due_timers().failed == 1
    assert pauses == [2, 4, 8]  # three retries (DUBAN_TIMER_RETRIES), then the incident
    assert [i.error.split(":")[0] for i in world.duban.work.incidents(world["admin"])] == ["Unanswered"]


def test_an_error_in_the_process_itself_is_an_incident_at_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks_reporting(world, 1)
    break_open_report(world, monkeypatch, times=1000, error=ValueError("bad data in this task"))
    pauses = pauses_of(world, monkeypatch)
    world.duban.clock.set(APRIL_6)  # type: ignore[attr-defined]
    assert world.duban.sweep.fire_due_timers().failed == 1
    assert pauses == []
    assert [i.error for i in world.duban.work.incidents(world["admin"])] == ["ValueError: bad data in this task"]
