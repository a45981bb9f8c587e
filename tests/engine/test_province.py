"""The benchmark province (bench/province.py): its cloned tasks are real tasks to the engine and the web UI."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bench import province
from engine.app import Duban
from engine.core.clock import LOCAL_TZ
from engine.core.statuses import TaskStatus
from engine.features.accounts.usecases import actor_for
from engine.store.audit import verify_chain
from engine.store.database import Database
from engine.store.models import HumanTask, HumanTaskStatus, RectificationTask, User
from tests.factories import PASSWORD, assert_round_trip
from webui import create_app

AS_OF = datetime(2026, 11, 3, 10, tzinfo=LOCAL_TZ)
TASKS = 60


def test_a_small_province_works_like_a_real_one(db: Database) -> None:
    """One province per backend (generating it is the slow part): steps, pages and timers on the clones."""
    province.generate(db, TASKS, as_of=AS_OF, extra_units=3, report=lambda line: None)
    duban = province.open_province(db)
    assert duban.clock.now() == AS_OF
    a_unit_officer_reports_on_a_cloned_task(duban)
    the_ledger_and_the_dashboard_show_the_province(duban)
    cloned_report_timers_fall_due_together_and_fire(duban)
    with duban.db.transaction(write=False) as session:
        assert verify_chain(session).ok


def clone_of(duban: Duban, form: str) -> tuple[HumanTask, User]:
    """Open work of this form on a cloned task, and a person of the clone's unit who may do it."""
    with duban.db.transaction(write=False) as session:
        work = session.scalars(select(HumanTask).join(RectificationTask).where(
            HumanTask.form == form, HumanTask.status == HumanTaskStatus.OPEN,
            RectificationTask.code.not_like(f"{province.TEMPLATE_PREFIX}%")).order_by(HumanTask.id)).first()
        assert work is not None, form
        person = session.scalars(select(User).where(User.role == work.role, User.unit_id == work.unit_id)).first()
        assert person is not None
        return work, person


def a_unit_officer_reports_on_a_cloned_task(duban: Duban) -> None:
    work, staff = clone_of(duban, "report_submit")
    assert work.id in {entry.work.id for entry in duban.work.inbox(actor_for(staff)).entries}
    duban.work.complete(actor_for(staff), work.id, {"progress": "按计划推进", "percent_complete": 60})
    signing, head = clone_of(duban, "report_sign")
    assert signing.task_id == work.task_id and head.unit_id == staff.unit_id
    assert_round_trip(duban, work.task_id or 0)


def the_ledger_and_the_dashboard_show_the_province(duban: Duban) -> None:
    leader = duban.accounts.user(duban.accounts.user_id("leader") or 0)
    assert leader is not None
    board = duban.reporting.dashboard(actor_for(leader))
    assert board.statuses.total == TASKS and board.curve[-1].statuses.total == TASKS
    assert board.statuses[TaskStatus.CLOSED] > 0 and board.statuses[TaskStatus.PENDING_SIGNOFF] > 0
    assert board.overdue_tasks > 0
    browser = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "test-secret", "TESTING": True,
                          "WTF_CSRF_ENABLED": False}).test_client()
    assert browser.post("/login", data={"username": "leader", "password": PASSWORD}).status_code == 302
    assert browser.get("/dashboard").status_code == 200
    ledger = browser.get("/ledger?status=pending_signoff").get_data(as_text=True)
    assert f'<span class="badge text-bg-secondary">{board.statuses[TaskStatus.PENDING_SIGNOFF]}</span>' in ledger


def cloned_report_timers_fall_due_together_and_fire(duban: Duban) -> None:
    due = province.clone_reporting_tasks(duban.db, 5)
    assert due > AS_OF
    requested = select(func.count(HumanTask.id)).where(HumanTask.form == "report_submit")
    with duban.db.transaction(write=False) as session:
        before = session.scalar(requested) or 0
    duban.clock.set(due + timedelta(minutes=1))  # type: ignore[attr-defined]
    assert duban.sweep.fire_due_timers().fired >= 5
    with duban.db.transaction(write=False) as session:
        assert (session.scalar(requested) or 0) >= before + 5
