"""One use case, one transaction: concurrent completions, failures half-way, refusals."""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.exc import IntegrityError

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.core.errors import Conflict, InvalidSubmission, NotFound, PermissionDenied
from engine.core.roles import load_roles
from engine.core.statuses import PlanStatus
from engine.store.database import Database
from engine.store.models import (
    AuditEvent,
    HumanTask,
    HumanTaskStatus,
    ImplementationPlan,
    ProcessInstance,
    ProgressReport,
    RectificationTask,
    User,
    cooperating_units,
)
from tests.conftest import START, WORKFLOWS
from tests.factories import ROOT, World, assignment, statements_sent, walk_to_reporting


@contextmanager
def other_connection(db: Database) -> Iterator[Connection]:
    """A connection of another pool, as another process would have; the pool is closed afterwards."""
    other = Database(db.url)
    try:
        with other.engine.connect() as connection:
            yield connection
    finally:
        other.dispose()


def snapshot(world: World) -> dict[str, Any]:
    """Everything a failed step must leave untouched."""
    with world.duban.db.transaction(write=False) as session:
        return {
            "audit": session.scalar(select(func.count(AuditEvent.id))),
            "work": session.execute(select(HumanTask.id, HumanTask.status).order_by(HumanTask.id)).all(),
            "instances": session.execute(select(ProcessInstance.id, ProcessInstance.state_json,
                                                ProcessInstance.lock_version).order_by(ProcessInstance.id)).all(),
            "plans": session.execute(select(ImplementationPlan.id, ImplementationPlan.status)).all(),
            "tasks": session.execute(select(
                RectificationTask.id, RectificationTask.status, RectificationTask.lead_unit_id,
                RectificationTask.lead_leader_id, RectificationTask.deadline_kind, RectificationTask.deadline,
                RectificationTask.warning).order_by(RectificationTask.id)).all(),
            "units": session.execute(select(cooperating_units).order_by(*cooperating_units.c)).all(),
        }


def planned_task(world: World) -> int:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="稿", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    return task_id


def test_two_people_completing_the_same_step_at_once(world: World) -> None:
    task_id = planned_task(world)
    work = world.work_for("supervisor", task_id)[0]
    second = Duban(Database(world.duban.db.url), world.duban.roles, world.duban.clock, WORKFLOWS)
    second.init_database()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(engine: Duban, decision: str) -> None:
        barrier.wait()
        try:
            engine.work.complete(world["supervisor"], work.id, {"decision": decision, "comment": "意见"})
            outcomes.append(decision)
        except Conflict as exc:
            outcomes.append(f"conflict: {exc}")

    threads = [threading.Thread(target=attempt, args=(engine, decision))
               for engine, decision in ((world.duban, "file"), (second, "return"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if not o.startswith("conflict")]
    assert len(winners) == 1 and len(outcomes) == 2, outcomes
    assert "这项工作已由supervisor于 " in next(o for o in outcomes if o.startswith("conflict"))  # who, and when
    with world.duban.db.transaction(write=False) as session:
        plan = session.scalars(select(ImplementationPlan)).one()
    assert plan.status is (PlanStatus.FILED if winners == ["file"] else PlanStatus.RETURNED)


def _complete_in_another_process(url: str, work_id: int, actor: Any, queue: Any) -> None:
    engine = Duban(Database(url), load_roles(ROOT / "roles.yaml"), FakeClock(START), WORKFLOWS)
    engine.init_database()
    try:
        engine.work.complete(actor, work_id, {"decision": "file", "comment": ""})
        queue.put("done")
    except Conflict:
        queue.put("conflict")


def test_two_processes_race_for_the_same_step(world: World, tmp_path: Path) -> None:
    task_id = planned_task(world)
    work = world.work_for("supervisor", task_id)[0]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_complete_in_another_process,
                                 args=(world.duban.db.url, work.id, world["supervisor"], queue)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert sorted(queue.get(timeout=5) for _ in processes) == ["conflict", "done"]
    with world.duban.db.transaction(write=False) as session:
        reporting = session.scalar(select(func.count(ProcessInstance.id)).where(
            ProcessInstance.process_id == "monthly_report"))
    assert reporting == 1  # the step ran once: one monthly-report cycle, not two


def test_a_failure_half_way_leaves_nothing_written(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    task_id = planned_task(world)
    work = world.work_for("supervisor", task_id)[0]
    before = snapshot(world)

    def broken(step: Any, data: Any) -> None:
        raise RuntimeError("the action failed after the plan was marked filed")

    monkeypatch.setitem(world.duban.registry.actions, "start_monthly_reporting", broken)
    with pytest.raises(RuntimeError):
        world.duban.work.complete(world["supervisor"], work.id, {"decision": "file", "comment": ""})
    assert snapshot(world) == before
    monkeypatch.undo()
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")


def test_invalid_data_is_refused_with_every_problem_and_saves_nothing(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    work = next(work for work in world.work_for("staff", task_id) if work.form == "plan_draft")
    before = snapshot(world)
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.work.complete(world["staff"], work.id, {"content": "", "milestones": "x" * 6000,
                                                       "completion_date": "2026-02-30", "contact": ""})
    assert set(refused.value.errors) == {"content", "milestones", "completion_date", "contact"}
    assert snapshot(world) == before


def test_the_plan_is_due_from_today_to_the_deadline(world: World) -> None:
    """交办 sets when the plan is due: not in the past, and not after the deadline the plan must meet."""
    task_id = world.register()
    work = world.work_for("coordinator", task_id)[0]
    before = snapshot(world)
    for deadline, plan_due, problems in (("2026-03-31", "2026-04-10", ["方案报送期限不能晚于整改时限"]),
                                         ("2026-03-01", "2026-03-05", ["方案报送期限不能早于今天",
                                                                       "方案报送期限不能晚于整改时限"])):
        with pytest.raises(InvalidSubmission) as refused:
            data = assignment(world, deadline=deadline, plan_due=plan_due)
            world.duban.work.complete(world["coordinator"], work.id, data)
        assert refused.value.errors == {"plan_due": problems}
        assert snapshot(world) == before
    world.do("coordinator", task_id, "assign", **assignment(world, deadline="2026-04-10", plan_due="2026-04-10"))


def test_assignment_refuses_a_lead_leader_who_is_no_active_leader(world: World) -> None:
    """The task's own leader, since deactivated, is refused like a new one who is no leader. Nothing is written,
    and every error of the form is listed."""
    task_id = world.register()
    work = world.work_for("coordinator", task_id)[0]
    with world.duban.db.transaction() as session:
        session.execute(update(User).where(User.id == world["leader"].user_id).values(active=False))
    before = snapshot(world)
    no_leader = ["请选择一位牵头市领导"]
    for overrides, errors in (({}, {"lead_leader_id": no_leader}),
                              ({"plan_due": "2026-03-01"}, {"lead_leader_id": no_leader,
                                                            "plan_due": ["方案报送期限不能早于今天"]}),
                              ({"lead_leader_id": world["staff"].user_id}, {"lead_leader_id": no_leader}),
                              ({"lead_leader_id": 99999, "cooperating_unit_ids": [99998]},
                               {"lead_leader_id": no_leader, "cooperating_unit_ids": ["没有这个单位"]})):
        with pytest.raises(InvalidSubmission) as refused:
            world.duban.work.complete(world["coordinator"], work.id, assignment(world, **overrides))
        assert refused.value.errors == errors
        assert snapshot(world) == before
    world.do("coordinator", task_id, "assign", **assignment(world, lead_leader_id=world["leader2"].user_id))


def test_assignment_records_the_cooperating_units_before_and_after(world: World) -> None:
    """The units are compared as a set: the same ones in another order change nothing; others replace them, and
    the audit event has both."""
    units = world.units
    task_id = world.register(cooperating_unit_ids=[units["water"], units["naxi"]])
    with statements_sent(world.duban.db.engine) as sent:
        world.do("coordinator", task_id, "assign",
                 **assignment(world, cooperating_unit_ids=[units["naxi"], units["water"]]))
    written = [statement for statement, _ in sent
               if "task_cooperating_units" in statement and not statement.startswith("SELECT")]
    assert written == []  # the same units in another order: nothing to write
    other = world.register("1-2", cooperating_unit_ids=[units["water"], units["naxi"]])
    world.do("coordinator", other, "assign", **assignment(world, cooperating_unit_ids=[units["naxi"]]))
    with world.duban.db.transaction(write=False) as session:
        assigned = {event.task_id: event for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.assigned"))}
        assert {unit.id for unit in session.get_one(RectificationTask, task_id).cooperating_units} == {
            units["water"], units["naxi"]}
        assert [unit.id for unit in session.get_one(RectificationTask, other).cooperating_units] == [units["naxi"]]
    kept = sorted([units["water"], units["naxi"]])
    assert (assigned[task_id].before["cooperating_unit_ids"], assigned[task_id].after["cooperating_unit_ids"]) == (
        kept, kept)
    assert (assigned[other].before["cooperating_unit_ids"], assigned[other].after["cooperating_unit_ids"]) == (
        kept, [units["naxi"]])


def test_a_completed_step_cannot_be_completed_again(world: World) -> None:
    task_id = world.register()
    work = world.work_for("coordinator", task_id)[0]
    world.duban.work.complete(world["coordinator"], work.id, assignment(world))
    with pytest.raises(Conflict):
        world.duban.work.complete(world["coordinator"], work.id, assignment(world))


def test_engine_refuses_the_wrong_role_unit_and_leader(world: World) -> None:
    task_id = planned_task(world)
    work = world.work_for("supervisor", task_id)[0]
    with pytest.raises(PermissionDenied):
        world.duban.work.complete(world["coordinator"], work.id, {"decision": "file"})
    with pytest.raises(NotFound):
        world.duban.work.complete(world["other_staff"], work.id, {"decision": "file"})
    with pytest.raises(PermissionDenied):
        world.duban.tasks.register(world["staff"], {})
    with pytest.raises(NotFound):
        world.duban.work.task_page(world["other_head"], task_id)
    with pytest.raises(NotFound):
        world.duban.work.task_page(world["admin"], task_id)
    assert world.work_for("supervisor", task_id)[0].status is HumanTaskStatus.OPEN


def test_registration_checks_every_field(world: World) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.tasks.register(world["coordinator"], {
            "code": "", "category_id": 999, "title": "t", "problem": "p", "target": "t", "measures": "m",
            "lead_unit_id": 9999, "cooperating_unit_ids": [], "lead_leader_id": world["staff"].user_id,
            "deadline_kind": "date", "deadline": None})
    assert {"code"} <= set(refused.value.errors)
    world.register("1-1")
    with pytest.raises(InvalidSubmission) as duplicate:
        world.register("1-1")
    assert duplicate.value.errors == {"code": ["本批次已有这个编号"]}
    with pytest.raises(InvalidSubmission) as wrong:
        world.register("1-2", lead_leader_id=world["staff"].user_id, deadline=None,
                       cooperating_unit_ids=[world.units["jiangyang"]])
    assert set(wrong.value.errors) == {"lead_leader_id", "deadline", "cooperating_unit_ids"}


def test_every_state_change_is_audited(world: World) -> None:
    task_id = planned_task(world)
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")
    with world.duban.db.transaction(write=False) as session:
        actions_seen = session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task_id)
                                       .order_by(AuditEvent.id)).all()
    for expected in ("task.registered", "process.started", "task.assigned", "plan.drafted", "plan.signed",
                     "plan.filed", "task.status", "work.completed"):
        assert expected in actions_seen
    assert actions_seen.count("work.completed") == 4


def test_a_connection_the_server_closed_is_replaced_before_use(world: World) -> None:
    """A database restart or a terminated backend: the next use case gets a new connection, not an error."""
    db = world.duban.db
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server to close a connection")
    with db.transaction(write=False) as session:
        backend = session.scalar(text("SELECT pg_backend_pid()"))
    with other_connection(db) as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        other.commit()
        while other.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend}):
            other.rollback()
    task_id = world.register("1-9")
    with db.transaction(write=False) as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) != backend
        assert session.get(RectificationTask, task_id) is not None


def test_what_a_transaction_wrote_stays_unseen_and_goes_when_it_fails(world: World) -> None:
    """Written to the database (flushed), invisible to everyone else until commit, gone after a failure."""
    task_id = world.register("1-8")
    db = world.duban.db
    title = select(RectificationTask.title).where(RectificationTask.id == task_id)
    with pytest.raises(RuntimeError, match="after the write"), db.transaction() as session:
        session.get_one(RectificationTask, task_id).title = "改过的标题"
        session.flush()
        assert session.scalar(title) == "改过的标题"
        with other_connection(db) as other:
            assert other.scalar(title) == "长江干流沿岸污水直排"
        raise RuntimeError("after the write")
    with db.transaction(write=False) as session:
        assert session.scalar(title) == "长江干流沿岸污水直排"


def test_the_database_refuses_a_second_report_for_a_month_and_a_second_open_work_item(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    with world.duban.db.transaction(write=False) as session:
        report = session.scalars(select(ProgressReport).where(ProgressReport.task_id == task_id)).first()
        item = session.scalars(select(HumanTask).where(HumanTask.status == HumanTaskStatus.OPEN)).first()
    assert report is not None and item is not None
    twin_report = {column: getattr(report, column) for column in ("task_id", "instance_id", "period", "status",
                                                                  "requested_at", "due_date")}
    with pytest.raises(IntegrityError), world.duban.db.transaction() as session:
        session.add(ProgressReport(**twin_report))
    twin_item = {column.key: getattr(item, column.key) for column in HumanTask.__table__.columns if column.key != "id"}
    with pytest.raises(IntegrityError), world.duban.db.transaction() as session:
        session.add(HumanTask(**twin_item))
    with world.duban.db.transaction() as session:  # a closed item of the same BPMN task may stay beside it
        session.add(HumanTask(**{**twin_item, "status": HumanTaskStatus.CANCELLED}))
