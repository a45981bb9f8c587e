"""A changed rectification.bpmn deployed as a new version, and running instances moved onto it (or not)."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from engine.core.clock import LOCAL_TZ
from engine.core.errors import InvalidSubmission
from engine.core.text import Text
from engine.features.processes import planning
from engine.store.models import AuditEvent, ProcessInstance, SignoffNotice
from tests.factories import (
    ROOT,
    World,
    apply_for_signoff,
    assert_round_trip,
    assignment,
    checklist,
    receive,
    sign_off,
    statements_sent,
    walk_to_reporting,
)

CLOSED_END = ('<bpmn:endEvent id="closed_for_good" name="已销号，不再打开" duban:status="closed">'
              '<bpmn:incoming>f_close_reopen</bpmn:incoming></bpmn:endEvent>')


def changed_rectification() -> bytes:
    """The plan's first step renamed, and a signed-off task no longer reopened: it ends there."""
    text = (ROOT / "workflows" / "rectification.bpmn").read_text(encoding="utf-8")
    text = text.replace('name="编制整改实施方案"', 'name="制定整改实施方案"')
    text = re.sub(r"\s*<bpmn:flowNodeRef>(reopen|restart_reporting)</bpmn:flowNodeRef>", "", text)
    text = re.sub(r'<bpmn:userTask id="reopen".*?</bpmn:userTask>', CLOSED_END, text, flags=re.S)
    text = re.sub(r'\s*<bpmn:serviceTask id="restart_reporting".*?</bpmn:serviceTask>', "", text, flags=re.S)
    text = re.sub(r'\s*<bpmn:sequenceFlow id="f_(reopen_restart|restart_merge)"[^>]*/>', "", text)
    text = text.replace('targetRef="reopen"', 'targetRef="closed_for_good"')
    text = text.replace("<bpmn:incoming>f_restart_merge</bpmn:incoming>", "")
    return text.encode("utf-8")


def rectification_instance(world: World, task_id: int) -> ProcessInstance:
    with world.duban.db.transaction(write=False) as session:
        instance = session.scalars(select(ProcessInstance).where(
            ProcessInstance.task_id == task_id, ProcessInstance.process_id == "rectification")).one()
        session.expunge(instance)
        return instance


def at_plan_draft(world: World, code: str) -> int:
    task_id = world.register(code)
    world.do("coordinator", task_id, "assign", **assignment(world))
    receive(world, task_id)
    return task_id


def in_notice(world: World, code: str) -> tuple[int, datetime]:
    """A task whose 公示 is published: its instance waits on the notice period's timer; when that is over."""
    task_id = world.register(code)
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    with world.duban.db.transaction(write=False) as session:
        end = session.scalar(select(func.max(SignoffNotice.end_date)).where(SignoffNotice.task_id == task_id))
    assert end is not None
    return task_id, datetime.combine(end + timedelta(days=1), time(0, 30), LOCAL_TZ)


def test_a_changed_file_is_shown_as_a_diff_then_deployed_and_audited(world: World) -> None:
    admin = world["admin"]
    diffs = {diff.process_id: diff for diff in world.duban.versions.preview(admin, "rectification.bpmn",
                                                                             changed_rectification())}
    rectification = diffs["rectification"]
    assert (rectification.from_number, rectification.number) == (1, 2)
    assert [change.bpmn_id for change in rectification.added] == ["closed_for_good"]
    assert sorted(change.bpmn_id for change in rectification.removed) == ["reopen", "restart_reporting"]
    renamed = {change.bpmn_id: change.what for change in rectification.changed}["draft_plan"]
    assert "bpmn_name" in renamed
    assert diffs["monthly_report"].same_as == 1 and not diffs["monthly_report"].is_new()

    deployed = world.duban.versions.deploy(admin, "rectification.bpmn", changed_rectification())
    assert [(diff.process_id, diff.number) for diff in deployed] == [("rectification", 2)]
    current = [row for row in world.duban.versions.versions(admin) if row.process_id == "rectification"]
    assert [(row.number, row.current) for row in current] == [(2, True), (1, False)]
    with world.duban.db.transaction(write=False) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "process.deployed")
                                .order_by(AuditEvent.seq.desc())).first()
        assert event is not None and event.after is not None
        assert event.after["removed"] == ["reopen", "restart_reporting"] or \
            sorted(event.after["removed"]) == ["reopen", "restart_reporting"]
        assert "第 2 版" in event.summary

    with pytest.raises(InvalidSubmission, match="都已部署过"):
        world.duban.versions.deploy(admin, "rectification.bpmn", changed_rectification())
    broken = changed_rectification().replace(b'duban:form="plan_draft"', b'duban:form="no_such_form"')
    with pytest.raises(InvalidSubmission, match="no_such_form"):
        world.duban.versions.preview(admin, "rectification.bpmn", broken)


def test_a_new_version_is_what_new_instances_start_on_and_a_restart_keeps_it(world: World) -> None:
    world.duban.versions.deploy(world["admin"], "rectification.bpmn", changed_rectification())
    assert world.duban.init_database() == []  # the file on disk is version 1: deployed before, nothing changes
    task_id = at_plan_draft(world, "1-1")
    assert [w.name for w in world.work_for("staff", task_id) if w.form == "plan_draft"] == ["制定整改实施方案"]


def test_instances_at_several_steps_move_and_one_that_cannot_stays_untouched(world: World) -> None:
    closed = world.register("1-4")
    walk_to_reporting(world, closed)
    sign_off(world, closed)  # (its 公示 takes the clock on: done first)
    drafting = at_plan_draft(world, "1-1")
    reviewing = at_plan_draft(world, "1-2")
    world.do("staff", reviewing, "plan_draft", content="方案", milestones="无", contact="李四")
    world.do("head", reviewing, "plan_sign", decision="submit", comment="")
    noticed, notice_over = in_notice(world, "1-3")
    untouched = rectification_instance(world, closed)
    admin = world["admin"]
    world.duban.versions.deploy(admin, "rectification.bpmn", changed_rectification())

    plan = world.duban.versions.migrate(admin, "rectification", 2, dry_run=True)
    assert sorted(row.task_code for row in plan.movable) == ["1-1", "1-2", "1-3"]
    assert [row.task_code for row in plan.refused] == ["1-4"]
    assert "重新打开（问题复发等）" in plan.refused[0].reasons[0]
    assert isinstance(plan.refused[0].reasons[0].params["steps"], Text)  # each step's name in the reader's language
    assert {row.task_code: row.waiting for row in plan.movable}["1-1"] == ["制定整改实施方案"]
    assert rectification_instance(world, drafting).version_id == untouched.version_id  # a dry run moves nothing

    report = world.duban.versions.migrate(admin, "rectification", 2)
    assert sorted(row.task_code for row in report.movable) == ["1-1", "1-2", "1-3"]
    after = rectification_instance(world, closed)
    assert (after.version_id, after.state_json, after.lock_version) == \
        (untouched.version_id, untouched.state_json, untouched.lock_version)
    for task_id in (drafting, reviewing, noticed, closed):
        assert_round_trip(world.duban, task_id)

    # the open work item says what the new version says, and the process goes on from it
    assert [w.name for w in world.work_for("staff", drafting) if w.form == "plan_draft"] == ["制定整改实施方案"]
    world.do("staff", drafting, "plan_draft", content="方案", milestones="无", contact="李四")
    world.do("supervisor", reviewing, "plan_review", decision="file", comment="")
    # the timer keeps its instant: nothing before the notice period is over, then the leader approves and it ends
    world.go_to(notice_over - timedelta(days=1))
    assert [w.form for w in world.work_for("leader", noticed)] == []
    world.go_to(notice_over)
    world.do("leader", noticed, "signoff_approve", decision="approve", comment="同意销号")
    assert rectification_instance(world, noticed).status.value == "completed"  # the new end, no reopening
    with world.duban.db.transaction(write=False) as session:
        moved = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "process.migrated"))
    assert moved == 3


def without_plan_signing() -> bytes:
    """The unit head no longer signs the plan: the drafted plan goes straight to the supervision group."""
    text = (ROOT / "workflows" / "rectification.bpmn").read_text(encoding="utf-8")
    text = re.sub(r"\s*<bpmn:flowNodeRef>(sign_plan|plan_signed)</bpmn:flowNodeRef>", "", text)
    text = re.sub(r'\s*<bpmn:(userTask|exclusiveGateway) id="(sign_plan|plan_signed)".*?</bpmn:\1>', "", text,
                  flags=re.S)
    text = re.sub(r'\s*<bpmn:sequenceFlow id="f_plan_signed".*?</bpmn:sequenceFlow>', "", text, flags=re.S)
    text = re.sub(r'\s*<bpmn:sequenceFlow id="f_(sign_gw|plan_back)"[^>]*/>', "", text)
    text = re.sub(r'\s*<bpmndi:BPMN(Shape|Edge) id="(sign_plan|plan_signed|f_sign_gw|f_plan_signed|f_plan_back)_di"'
                  r'.*?</bpmndi:BPMN\1>', "", text, flags=re.S)
    text = text.replace('targetRef="sign_plan"', 'targetRef="review_plan"')
    text = text.replace("<bpmn:incoming>f_plan_back</bpmn:incoming>", "")
    return text.replace("<bpmn:incoming>f_plan_signed</bpmn:incoming>", "<bpmn:incoming>f_draft_sign</bpmn:incoming>") \
        .encode("utf-8")


def test_instances_past_a_removed_step_move_and_one_at_it_stays(world: World) -> None:
    reporting = world.register("1-3")
    walk_to_reporting(world, reporting)
    drafting = at_plan_draft(world, "1-1")
    signing = at_plan_draft(world, "1-2")
    world.do("staff", signing, "plan_draft", content="方案", milestones="无", contact="李四")
    reviewing = at_plan_draft(world, "1-4")
    world.do("staff", reviewing, "plan_draft", content="方案", milestones="无", contact="李四")
    world.do("head", reviewing, "plan_sign", decision="submit", comment="")
    untouched = rectification_instance(world, signing)
    admin = world["admin"]
    world.duban.versions.deploy(admin, "rectification.bpmn", without_plan_signing())

    report = world.duban.versions.migrate(admin, "rectification", 2)
    assert sorted(row.task_code for row in report.movable) == ["1-1", "1-3", "1-4"]
    assert [(row.task_code, [str(reason) for reason in row.reasons]) for row in report.refused] == [
        ("1-2", ["新版本没有它正停留的环节：签发实施方案"])]
    assert rectification_instance(world, signing).state_json == untouched.state_json
    for task_id in (reporting, drafting, reviewing, signing):
        assert_round_trip(world.duban, task_id)
    with world.duban.db.transaction(write=False) as session:
        events = {event.object_id: event for event in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "process.migrated"))}
    moved = events[str(rectification_instance(world, reviewing).id)]
    assert moved.after is not None and moved.after["passed_removed"] == sorted(["签发实施方案", "签发？"])
    assert "仅留在历史中" in moved.summary

    # the removed step's history stays: the head's signature is still a done work item of the instance
    view = world.duban.console.instance(admin, rectification_instance(world, reviewing).id)
    assert ("签发实施方案", "completed") in {(row.name, row.status) for row in view.work}
    # and the instances go on in the new version: a drafted plan goes straight to the supervision group
    world.do("supervisor", reviewing, "plan_review", decision="file", comment="")
    world.do("staff", drafting, "plan_draft", content="方案", milestones="无", contact="李四")
    assert [w.form for w in world.work_for("supervisor", drafting)] == ["plan_review"]
    assert [w.form for w in world.work_for("head", drafting)] == []
    apply_for_signoff(world, reporting)  # the instance that had filed its plan goes on too
    assert [w.form for w in world.work_for("supervisor", reporting)] == ["signoff_verify"]
    assert_round_trip(world.duban, reporting)


@pytest.mark.parametrize("by_work_items", [False, True])
def test_the_migration_is_listed_a_page_at_a_time_with_counts_over_all(
        world: World, monkeypatch: pytest.MonkeyPatch, by_work_items: bool) -> None:
    drafting = [at_plan_draft(world, f"1-{n}") for n in range(1, 5)]
    signing = at_plan_draft(world, "2-1")
    world.do("staff", signing, "plan_draft", content="方案", milestones="无", contact="李四")
    admin = world["admin"]
    world.duban.versions.deploy(admin, "rectification.bpmn", without_plan_signing())
    if by_work_items:  # the removed gateway never holds a token: the open work items alone say who is at sign_plan
        quick = planning.removed_steps
        monkeypatch.setattr(planning, "removed_steps", lambda *specs: replace(quick(*specs), by_work_items=True))

    with statements_sent(world.duban.db.engine) as statements:
        first = world.duban.versions.migration_page(admin, "rectification", 2, page=1, per_page=2)
    assert (first.movable, first.refused, first.page, first.pages) == (4, 1, 1, 3)
    assert [row.task_code for row in first.report.rows] == ["1-1", "1-2"]
    assert all(row.can_move() for row in first.report.rows)
    reads_states = [sql for sql, _ in statements if "state_json" in sql and "process_instances" in sql]
    assert len(reads_states) == (2 if by_work_items else 3)  # the two rows tried (and, without, one pass over all)

    refused = world.duban.versions.migration_page(admin, "rectification", 2, show="refused")
    assert [(row.task_code, [str(reason) for reason in row.reasons]) for row in refused.report.rows] == [
        ("2-1", ["新版本没有它正停留的环节：签发实施方案"])]
    movable = world.duban.versions.migration_page(admin, "rectification", 2, page=9, show="movable", per_page=3)
    assert (movable.page, movable.pages, [row.task_code for row in movable.report.rows]) == (2, 2, ["1-4"])
    assert rectification_instance(world, drafting[0]).version_id == rectification_instance(world, signing).version_id
