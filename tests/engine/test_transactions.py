"""One use case, one transaction: concurrent completions, failures half-way, refusals."""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import Executable

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.core.errors import Conflict, InvalidSubmission, NotFound, PermissionDenied
from engine.core.roles import load_roles
from engine.features.rectification import actions
from engine.store.database import Answer, Database, Rows, insert_row, read_ahead, write_behind, write_loaded
from engine.store.models import (
    AuditEvent,
    HumanTask,
    HumanTaskStatus,
    ImplementationPlan,
    Notice,
    PlanStatus,
    ProcessInstance,
    ProgressReport,
    RectificationTask,
    ReportStatus,
    User,
    cooperating_units,
)
from tests.conftest import START, WORKFLOWS
from tests.factories import ROOT, World, assert_round_trip, assignment, statements_sent, walk_to_reporting
from tests.postgres import round_trips, traced


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
            engine.complete(world["supervisor"], work.id, {"decision": decision, "comment": "意见"})
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
    assert "已经有人处理过了" in next(o for o in outcomes if o.startswith("conflict"))
    with world.duban.db.transaction(write=False) as session:
        plan = session.scalars(select(ImplementationPlan)).one()
    assert plan.status is (PlanStatus.FILED if winners == ["file"] else PlanStatus.RETURNED)


def _complete_in_another_process(url: str, work_id: int, actor: Any, queue: Any) -> None:
    engine = Duban(Database(url), load_roles(ROOT / "roles.yaml"), FakeClock(START), WORKFLOWS)
    engine.init_database()
    try:
        engine.complete(actor, work_id, {"decision": "file", "comment": ""})
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

    monkeypatch.setitem(actions.ACTIONS, "start_monthly_reporting", broken)
    with pytest.raises(RuntimeError):
        world.duban.complete(world["supervisor"], work.id, {"decision": "file", "comment": ""})
    assert snapshot(world) == before
    monkeypatch.undo()
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")


def test_invalid_data_is_refused_with_every_problem_and_saves_nothing(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    work = world.work_for("staff", task_id)[0]
    before = snapshot(world)
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.complete(world["staff"], work.id, {"content": "", "milestones": "x" * 6000,
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
            world.duban.complete(world["coordinator"], work.id, assignment(world, deadline=deadline, plan_due=plan_due))
        assert refused.value.errors == {"plan_due": problems}
        assert snapshot(world) == before
    world.do("coordinator", task_id, "assign", **assignment(world, deadline="2026-04-10", plan_due="2026-04-10"))


def test_assignment_refuses_a_lead_leader_who_is_no_active_leader(world: World) -> None:
    """The task's own leader, since deactivated, is refused like a new one who is no leader: the first checked
    with the step's writes, the second at once. Nothing is written, and every error of the form is listed."""
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
            world.duban.complete(world["coordinator"], work.id, assignment(world, **overrides))
        assert refused.value.errors == errors
        assert snapshot(world) == before
    world.do("coordinator", task_id, "assign", **assignment(world, lead_leader_id=world["leader2"].user_id))


def test_assignment_records_the_cooperating_units_before_and_after(world: World) -> None:
    """Read with the work item, the units are compared as a set: the same ones in another order change
    nothing; others replace them, and the audit event has both."""
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
    world.duban.complete(world["coordinator"], work.id, assignment(world))
    with pytest.raises(Conflict):
        world.duban.complete(world["coordinator"], work.id, assignment(world))


def test_engine_refuses_the_wrong_role_unit_and_leader(world: World) -> None:
    task_id = planned_task(world)
    work = world.work_for("supervisor", task_id)[0]
    with pytest.raises(PermissionDenied):
        world.duban.complete(world["coordinator"], work.id, {"decision": "file"})
    with pytest.raises(NotFound):
        world.duban.complete(world["other_staff"], work.id, {"decision": "file"})
    with pytest.raises(PermissionDenied):
        world.duban.register_task(world["staff"], {})
    with pytest.raises(NotFound):
        world.duban.task_page(world["other_head"], task_id)
    with pytest.raises(NotFound):
        world.duban.task_page(world["admin"], task_id)
    assert world.work_for("supervisor", task_id)[0].status is HumanTaskStatus.OPEN


def test_registration_checks_every_field(world: World) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.register_task(world["coordinator"], {
            "code": "", "category_id": 999, "title": "t", "problem": "p", "target": "t", "measures": "m",
            "lead_unit_id": 9999, "cooperating_unit_ids": [], "lead_leader_id": world["staff"].user_id,
            "deadline_kind": "date", "deadline": None})
    assert {"code"} <= set(refused.value.errors)
    world.register("1-1")
    with pytest.raises(InvalidSubmission) as duplicate:
        world.register("1-1")
    assert duplicate.value.errors == {"code": ["编号已存在"]}
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


def one_query_round_trips(db: Database, task_id: int, trace_file: Path) -> list[str]:
    with traced(db.engine, trace_file), db.transaction(write=False) as session:
        assert session.get(RectificationTask, task_id) is not None
    return round_trips(trace_file.read_text())


def test_begin_goes_with_the_first_statement(world: World, tmp_path: Path) -> None:
    """On PostgreSQL a transaction costs no round trip of its own to begin: one for each statement, one to commit."""
    db = world.duban.db
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no round trips")
    task_id = world.register("1-7")
    assert one_query_round_trips(db, task_id, tmp_path / "trace") == ["Sync", '"COMMIT"']
    with db.engine.connect() as connection:  # a statement that must run outside any transaction
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM audit_chain")
    assert one_query_round_trips(db, task_id, tmp_path / "again") == ["Sync", '"COMMIT"']


def retitle(task_id: int, title: str | None, rows: Rows | None = None) -> Executable:
    """An UPDATE of a task's title held back (on PostgreSQL) until the transaction's next statement."""
    return (update(RectificationTask).where(RectificationTask.id == task_id).values(title=title)
            .execution_options(**write_behind(rows)))


def test_a_write_held_back_is_read_by_the_next_statement_and_goes_with_commit(world: World) -> None:
    task_id = world.register("1-8")
    db = world.duban.db
    title = select(RectificationTask.title).where(RectificationTask.id == task_id)
    with db.transaction() as session:
        session.connection().execute(retitle(task_id, "改过的标题"))
        with other_connection(db) as other:
            assert other.scalar(title) == "长江干流沿岸污水直排"
        assert session.scalar(title) == "改过的标题"
        session.connection().execute(retitle(task_id, "再改的标题"))  # the last statement: it goes with COMMIT
    with other_connection(db) as other:
        assert other.scalar(title) == "再改的标题"


def test_a_write_held_back_goes_with_a_rollback(world: World) -> None:
    """Nothing of it reaches the database, and the connection's next transaction does not send it."""
    task_id = world.register("1-8")
    db = world.duban.db
    title = select(RectificationTask.title).where(RectificationTask.id == task_id)
    with pytest.raises(RuntimeError, match="after the write"), db.transaction() as session:
        session.connection().execute(retitle(task_id, "改过的标题"))
        raise RuntimeError("after the write")
    with db.transaction() as session:
        session.connection().execute(update(RectificationTask).where(RectificationTask.id == task_id)
                                     .values(problem="另一处修改"))
    with db.transaction(write=False) as session:
        assert session.scalar(title) == "长江干流沿岸污水直排"


@pytest.mark.parametrize("then_read", [True, False], ids=["failing at the next statement", "failing at commit"])
def test_a_write_held_back_that_fails_fails_its_transaction(world: World, then_read: bool) -> None:
    """Its own error (here NOT NULL), wrapped by SQLAlchemy as any other; nothing of the transaction is kept."""
    task_id = world.register("1-8")
    db = world.duban.db
    before = snapshot(world)
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.connection().execute(update(RectificationTask).where(RectificationTask.id == task_id)
                                     .values(problem="另一处修改"))
        session.connection().execute(retitle(task_id, None))
        if then_read:
            session.scalar(select(RectificationTask.title).where(RectificationTask.id == task_id))
    assert snapshot(world) == before
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).problem != "另一处修改"


def test_a_write_held_back_is_checked_for_the_rows_it_must_change(world: World) -> None:
    task_id = world.register("1-8")
    db = world.duban.db
    missing = Rows(1, lambda: Conflict("没有这一行"))
    with pytest.raises(Conflict, match="没有这一行"), db.transaction() as session:
        session.connection().execute(retitle(task_id, "改过的标题"))
        session.connection().execute(retitle(-1, "不存在的任务", missing))
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).title == "长江干流沿岸污水直排"
    with db.transaction() as session:
        session.connection().execute(retitle(task_id, "改过的标题", missing))
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).title == "改过的标题"


def test_writes_held_back_go_with_commit_in_one_round_trip(world: World, tmp_path: Path) -> None:
    db = world.duban.db
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no round trips")
    task_id = world.register("1-7")
    with traced(db.engine, tmp_path / "trace"), db.transaction() as session:
        assert session.get(RectificationTask, task_id) is not None
        session.connection().execute(retitle(task_id, "改过的标题"))
        session.connection().execute(retitle(task_id, "再改的标题"))
    assert round_trips((tmp_path / "trace").read_text()) == ["Sync", "Sync"]  # BEGIN and SELECT; both UPDATEs, COMMIT
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).title == "再改的标题"


def test_a_read_held_back_keeps_its_answer_when_it_comes(world: World) -> None:
    """On PostgreSQL with the transaction's next statement; on SQLite at once."""
    task_id = world.register("1-7")
    db = world.duban.db
    answer = Answer()
    with db.transaction() as session:
        session.connection().execute(select(RectificationTask.code).where(RectificationTask.id == task_id),
                                     execution_options=write_behind(answer))
        assert answer.came is db.is_sqlite
        session.execute(select(func.count()).select_from(RectificationTask))
        assert answer.came and answer.row == ("1-7",)


def test_a_read_sent_ahead_is_answered_with_the_next_statement_or_when_asked(world: World) -> None:
    task_id = world.register("1-7")
    code = select(RectificationTask.code).where(RectificationTask.id == bindparam("id"))
    with world.duban.db.transaction() as session:
        carried = read_ahead(session, code, {"id": task_id})
        session.execute(select(func.count()).select_from(RectificationTask))
        assert carried.came and carried.first_row(session) == ("1-7",)
        alone = read_ahead(session, code, {"id": task_id + 1000})
        assert alone.first_row(session) is None  # nothing carried it: it is read when asked


def test_rows_inserted_one_by_one_take_ids_drawn_ahead(world: World) -> None:
    """insert_row: on PostgreSQL the ids come from the table's sequence, drawn 1, 2, 4… at a time, and the INSERTs
    go with the next statement; on SQLite each INSERT returns its id. Either way the ids are new and ascending."""
    db = world.duban.db
    task_id = world.register()
    with statements_sent(db.engine) as sent, db.transaction() as session:
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.task_id == task_id))
        ids = [insert_row(session, ProgressReport.__table__, {
            "task_id": task_id, "instance_id": instance_id, "period": f"2025-{month:02d}",
            "status": ReportStatus.REQUESTED, "requested_at": START, "due_date": date(2025, month, 5)})
            for month in range(1, 8)]
        stored = session.scalars(select(ProgressReport.id).where(ProgressReport.task_id == task_id)
                                 .order_by(ProgressReport.id)).all()
    assert stored == ids == sorted(set(ids))
    draws = [parameters["count"] for statement, parameters in sent if "generate_series" in statement]
    returned = [statement for statement, _ in sent if statement.startswith("INSERT INTO progress_reports")]
    if db.is_sqlite:
        assert draws == [] and len(returned) == 7 and all("RETURNING" in statement for statement in returned)
    else:
        assert draws == [1, 2, 4] and not any("RETURNING" in statement for statement in returned)


def _to_report(world: World, task_id: int) -> tuple[str, str, dict[str, Any]]:
    walk_to_reporting(world, task_id)
    world.next_month()
    return "staff", "report_submit", {"progress": "按计划推进", "percent_complete": 50}


def _to_assign(world: World, task_id: int) -> tuple[str, str, dict[str, Any]]:
    return "coordinator", "assign", assignment(world)


@pytest.mark.parametrize(("bring_to", "waits"), [(_to_report, 3), (_to_assign, 3)], ids=["monthly report", "交办"])
def test_a_person_s_step_waits_on_postgresql_a_few_times(world: World, tmp_path: Path, bring_to: Any,
                                                         waits: int) -> None:
    """The work item with its instance, its task (and the ids of its units) and its report; the writes, the audit
    head, 交办's leader check and the reports the colour is assessed from; the audit events with COMMIT."""
    db = world.duban.db
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no round trips")
    task_id = world.register("1-7")
    username, form, data = bring_to(world, task_id)
    work = next(work for work in world.work_for(username, task_id) if work.form == form)
    with traced(db.engine, tmp_path / "trace"):
        world.duban.complete(world[username], work.id, data)
    assert round_trips((tmp_path / "trace").read_text()) == ["Sync"] * waits
    assert_round_trip(world.duban, task_id)


def test_a_loaded_row_is_written_by_one_checked_statement(world: World) -> None:
    """write_loaded: the row holds the values, the object reads them with nothing left to flush, and a row gone
    meanwhile fails the transaction (a StaleDataError, which a use case turns into a Conflict)."""
    db = world.duban.db
    with db.transaction() as session:
        notice = Notice(created_at=START, role="unit_staff", kind="test", text="原文")
        session.add(notice)
    with db.transaction() as session:
        loaded = session.get_one(Notice, notice.id)
        write_loaded(session, loaded, {"text": "改过", "kind": "changed"})
        assert loaded.text == "改过" and not session.dirty
    with db.transaction(write=False) as session:
        written = session.execute(select(Notice.text, Notice.kind).where(Notice.id == notice.id)).one()
        assert tuple(written) == ("改过", "changed")
    with pytest.raises(StaleDataError, match=f"notices {notice.id}"), db.transaction() as session:
        loaded = session.get_one(Notice, notice.id)
        session.connection().execute(delete(Notice).where(Notice.id == notice.id))
        write_loaded(session, loaded, {"text": "不存在了"})
    with db.transaction(write=False) as session:
        assert session.scalar(select(Notice.text).where(Notice.id == notice.id)) == "改过"


def test_a_check_that_fails_at_the_next_statement_fails_there(world: World) -> None:
    task_id = world.register("1-8")
    db = world.duban.db
    with pytest.raises(Conflict, match="没有这一行"), db.transaction() as session:
        session.connection().execute(retitle(-1, "不存在的任务", Rows(1, lambda: Conflict("没有这一行"))))
        session.scalar(select(RectificationTask.title).where(RectificationTask.id == task_id))
        pytest.fail("the statement after the held write ran on")


def test_a_commit_that_fails_on_a_held_write_leaves_no_transaction_open(world: World) -> None:
    """SQLAlchemy sends no ROLLBACK after a failed commit: a connection used again must not carry on the failed
    transaction, nor commit its writes later."""
    task_id = world.register("1-8")
    db = world.duban.db
    with db.engine.connect() as connection:
        connection.execute(update(RectificationTask).where(RectificationTask.id == task_id)
                           .values(problem="失败的事务"))
        with pytest.raises(Conflict):  # at once on SQLite, at the commit on PostgreSQL
            connection.execute(retitle(-1, "不存在的任务", Rows(1, lambda: Conflict("没有这一行"))))
            connection.commit()
        connection.rollback()
        assert connection.scalar(text("SELECT 1")) == 1
        connection.commit()
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).problem != "失败的事务"


def test_a_held_write_in_a_savepoint_fails_the_savepoint_only(world: World) -> None:
    """Within a savepoint writes go at once: a failure rolls back to the savepoint and the transaction goes on."""
    task_id = world.register("1-8")
    db = world.duban.db
    with db.transaction() as session:
        with pytest.raises(IntegrityError), session.begin_nested():
            session.connection().execute(retitle(task_id, None))
        session.connection().execute(retitle(task_id, "改过的标题"))
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).title == "改过的标题"


def test_a_held_write_sends_its_values_as_they_were_given(world: World) -> None:
    """A JSON value changed after the write was held back is written as it was when the write was made."""
    task_id = world.register("1-8")
    db = world.duban.db
    reasons: list[dict[str, Any]] = [{"code": "deadline_near"}]
    with db.transaction() as session:
        session.connection().execute(update(RectificationTask).where(RectificationTask.id == task_id)
                                     .values(warning_reasons=reasons).execution_options(**write_behind()))
        reasons.append({"code": "changed afterwards"})
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).warning_reasons == [{"code": "deadline_near"}]


def test_a_connection_lost_with_writes_held_fails_with_its_own_error(world: World) -> None:
    db = world.duban.db
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server to close a connection")
    task_id = world.register("1-8")
    other = Database(db.url)
    with pytest.raises(OperationalError), db.transaction() as session:
        backend = session.scalar(text("SELECT pg_backend_pid()"))
        session.connection().execute(retitle(task_id, "改过的标题"))
        with other.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            connection.commit()
        session.scalar(select(RectificationTask.title).where(RectificationTask.id == task_id))
    other.dispose()
    with db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).title == "长江干流沿岸污水直排"
