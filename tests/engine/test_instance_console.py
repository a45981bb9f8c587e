"""The instance console: suspending stops an instance's timers and work, resuming fires what fell due, and a
token moved back to an earlier step opens that step again for the people who do it."""
from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.app import PROCESS_FEATURES, Duban
from engine.core.clock import Clock, FakeClock
from engine.core.errors import Conflict, InvalidSubmission, PermissionDenied
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.store.models import AuditEvent, ProcessInstance, SignoffNotice
from engine.workflow.incidents import open_incident
from engine.workflow.registry import Registry
from engine.workflow.step import Step
from tests.conftest import WORKFLOWS
from tests.engine.test_process_migration import at_plan_draft, in_notice, rectification_instance
from tests.factories import World, assert_round_trip, load_world, walk_to_reporting


def actions_on(world: World, instance_id: int) -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "instance", AuditEvent.object_id == str(instance_id)).order_by(AuditEvent.seq)))


def test_a_suspended_instance_fires_no_timer_and_resuming_fires_what_fell_due(world: World) -> None:
    task_id, notice_over = in_notice(world, "1-1")
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    world.duban.console.suspend(admin, instance.id, "核实公示期间收到的来信")
    assert world.duban.console.instance(admin, instance.id).suspended

    world.go_to(notice_over + timedelta(days=3))
    assert [w.form for w in world.work_for("leader", task_id)] == []  # the notice period's timer did not fire
    timers = world.duban.console.instance(admin, instance.id).state.timers
    assert [timer.name for timer in timers] == ["公示期满"]

    world.duban.console.resume(admin, instance.id, "来信已核实，与本任务无关")
    assert world.duban.sweep.fire_due_timers().fired >= 1
    assert [w.form for w in world.work_for("leader", task_id)] == ["signoff_approve"]
    assert actions_on(world, instance.id)[-2:] == ["process.suspended", "process.resumed"]
    assert_round_trip(world.duban, task_id)


def test_the_work_of_a_suspended_instance_cannot_be_done(world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    instance = rectification_instance(world, task_id)
    world.duban.console.suspend(world["admin"], instance.id, "方案要求调整")
    with pytest.raises(Conflict, match="暂停"):
        world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")
    with pytest.raises(InvalidSubmission, match="原因"):
        world.duban.console.resume(world["admin"], instance.id, "  ")
    world.duban.console.resume(world["admin"], instance.id, "已调整")
    world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")


def test_a_step_done_by_mistake_is_opened_again_with_the_reason(world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    view = world.duban.console.instance(admin, instance.id)
    assert [token.bpmn_id for token in view.state.tokens if token.state == "ready"] == ["review_plan"]
    earlier = {step.bpmn_id: step.spiff_task_id for step in view.state.earlier_steps}
    assert {"assign", "draft_plan", "sign_plan"} <= earlier.keys()

    with pytest.raises(PermissionDenied):
        world.duban.console.move_back(world["supervisor"], instance.id, earlier["sign_plan"], "签错了")
    name = world.duban.console.move_back(admin, instance.id, earlier["sign_plan"], "负责人误点签发，核对后再签")
    assert name == "签发实施方案"
    assert "plan_review" not in [w.form for w in world.work_for("supervisor", task_id)]
    assert [w.form for w in world.work_for("head", task_id)] == ["plan_sign"]
    assert actions_on(world, instance.id)[-1] == "process.moved_back"
    assert_round_trip(world.duban, task_id)
    world.do("head", task_id, "plan_sign", decision="submit", comment="核对无误")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")

    with pytest.raises(InvalidSubmission, match="办理过的环节"):
        world.duban.console.move_back(admin, instance.id, view.state.tokens[0].spiff_task_id, "不是办理过的")


def test_an_incident_of_a_suspended_instance_waits_for_its_resumption(world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    instance = rectification_instance(world, task_id)
    world.duban.transactions.run(partial(open_incident, instance_id=instance.id, error=ValueError("数据有误"),
                                         now=world.duban.clock.now()))
    admin = world["admin"]
    world.duban.console.suspend(admin, instance.id, "先查明数据")
    view = world.duban.console.instance(admin, instance.id)
    assert view.blocked and [incident.error for incident in view.incidents] == ["ValueError: 数据有误"]
    with pytest.raises(Conflict, match="恢复运行"):
        world.duban.work.retry_incident(admin, view.incidents[0].id)
    world.duban.console.resume(admin, instance.id, "数据已更正")
    assert world.duban.work.retry_incident(admin, view.incidents[0].id)
    assert not world.duban.console.instance(admin, instance.id).blocked


def test_moving_back_over_an_action_that_may_run_again_runs_it_again_harmlessly(world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)  # filing the plan started the monthly reports (启动按月交账)
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    steps = {step.bpmn_id: step for step in world.duban.console.instance(admin, instance.id).state.earlier_steps}
    review = steps["review_plan"]
    assert [(action.name, action.outcome) for action in review.actions] == [("启动按月交账", "rerun")]
    assert review.can_move_back() and steps["assign"].can_move_back()
    cycles = report_cycles(world, task_id)

    world.duban.console.move_back(admin, instance.id, review.spiff_task_id, "误备案，需重新审核")
    assert [w.form for w in world.work_for("supervisor", task_id)] == ["plan_review"]
    event = last_event(world, instance.id)
    assert event.after is not None and event.after["run_again"] == ["start_monthly_reporting"]
    assert "「启动按月交账」将再次执行" in event.summary
    world.do("supervisor", task_id, "plan_review", decision="file", comment="核对无误")
    assert report_cycles(world, task_id) == cycles  # run again, it found the month's cycle live: none added
    assert_round_trip(world.duban, task_id)


class UndoesNoticeClosing:
    """A feature that says how moving back undoes 结束公示 (the signoff feature declares nothing for it)."""

    def __init__(self) -> None:
        self.refuse = False

    def register(self, registry: Registry, clock: Clock, settings: Settings) -> None:
        registry.add_undos({"close_notice": self.reopen_notice})

    def reopen_notice(self, step: Step, data: dict[str, Any]) -> None:
        notice = step.session.scalars(select(SignoffNotice).where(SignoffNotice.task_id == step.the_task.id)
                                      .order_by(SignoffNotice.id.desc())).first()
        assert notice is not None
        notice.closed_at = None
        if self.refuse:
            raise Conflict("公示已归档，不能撤销")


@pytest.fixture
def undoing(world: World, roles: RoleModel, clock: FakeClock, tmp_path: Path) -> tuple[World, UndoesNoticeClosing]:
    feature = UndoesNoticeClosing()
    duban = Duban(world.duban.db, roles, clock, WORKFLOWS, storage=tmp_path / "undoing",
                  features=(*PROCESS_FEATURES, feature))
    return load_world(duban), feature


def notice_closed(world: World, task_id: int) -> bool:
    with world.duban.db.transaction(write=False) as session:
        return session.scalars(select(SignoffNotice.closed_at).where(SignoffNotice.task_id == task_id)).one() \
            is not None


def test_an_action_with_an_undo_is_undone_and_one_without_stops_the_move(
        world: World, undoing: tuple[World, UndoesNoticeClosing]) -> None:
    task_id, notice_over = in_notice(world, "1-1")
    world.go_to(notice_over)  # 结束公示 has run: the leader approves
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    publish = next(step for step in world.duban.console.instance(admin, instance.id).state.earlier_steps
                   if step.bpmn_id == "publish_notice")
    assert [(action.name, action.outcome) for action in publish.actions] == [("结束公示", "refused")]
    with pytest.raises(InvalidSubmission, match="结束公示"):
        world.duban.console.move_back(admin, instance.id, publish.spiff_task_id, "公示内容有误")

    undoing_world, feature = undoing
    console = undoing_world.duban.console
    publish = next(step for step in console.instance(admin, instance.id).state.earlier_steps
                   if step.bpmn_id == "publish_notice")
    assert [(action.name, action.outcome) for action in publish.actions] == [("结束公示", "undo")]
    feature.refuse = True  # an undo that fails leaves everything as it was
    with pytest.raises(Conflict, match="已归档"):
        console.move_back(admin, instance.id, publish.spiff_task_id, "公示内容有误")
    assert rectification_instance(world, task_id).state_json == instance.state_json and notice_closed(world, task_id)

    feature.refuse = False
    console.move_back(admin, instance.id, publish.spiff_task_id, "公示内容有误")
    assert not notice_closed(world, task_id)
    assert [w.form for w in undoing_world.work_for("publicity", task_id)] == ["signoff_notice"]
    assert [w.form for w in undoing_world.work_for("leader", task_id)] == []
    event = last_event(world, instance.id)
    assert event.after is not None and event.after["undone"] == ["close_notice"]
    assert "已撤销「结束公示」" in event.summary
    assert_round_trip(undoing_world.duban, task_id)


def test_a_feature_declares_only_about_registered_actions() -> None:
    registry = Registry()
    with pytest.raises(ValueError, match="no_such_action"):
        registry.may_run_again(["no_such_action"])
    with pytest.raises(ValueError, match="no_such_action"):
        registry.add_undos({"no_such_action": lambda step, data: None})


def report_cycles(world: World, task_id: int) -> int:
    with world.duban.db.transaction(write=False) as session:
        return len(session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.task_id == task_id, ProcessInstance.process_id == "monthly_report")).all())


def last_event(world: World, instance_id: int) -> AuditEvent:
    with world.duban.db.transaction(write=False) as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "instance", AuditEvent.object_id == str(instance_id))
            .order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        session.expunge(event)
        return event
