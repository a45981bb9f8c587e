"""督办问责: triggers, the ladder, each level approved / changed / rejected, carried out by its role, and refusals."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.app import Duban
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.core.statuses import EscalationLevel, EscalationStatus, EscalationTriggerKind, ReportStatus, TaskStatus
from engine.features.escalation.ladder import EscalationLadder, PastEscalation
from engine.features.escalation.queries import EscalationFilters
from engine.store.database import Database
from engine.store.models import (
    AccountablePerson,
    AuditEvent,
    InstanceStatus,
    Notice,
    ProcessInstance,
    ProgressReport,
    RectificationTask,
)
from tests.conftest import WORKFLOWS
from tests.engine.test_time import at
from tests.escalations import (
    CARRY_OUT,
    carry_out,
    commit_and_close,
    escalations,
    forms_of,
    propose,
    walk_escalation,
)
from tests.factories import World, build_world, report_month, sign_off, walk_to_reporting

LEVELS = [1, 2, 3, 4]
CARRIERS = {"coordinator", "supervisor", "publicity", "discipline"}


def overdue_task(world: World, code: str = "1-1") -> int:
    """A task reporting monthly whose March report is overdue on 6 April: an escalation is proposed."""
    task_id = world.register(code, deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.go_to(at("2026-04-06", 0, 1))
    return task_id


def instance_of(world: World, escalation_id: int) -> ProcessInstance:
    [escalation] = [e for e in escalations(world) if e.id == escalation_id]
    with world.duban.db.transaction(write=False) as session:
        return session.get_one(ProcessInstance, escalation.instance_id)


def notices(world: World, kind: str) -> list[Notice]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(Notice).where(Notice.kind == kind)))


# --- triggers -------------------------------------------------------------------------------

def test_an_overdue_report_opens_an_escalation_proposal_for_the_supervisor(world: World) -> None:
    task_id = overdue_task(world)
    [escalation] = escalations(world, task_id)
    assert escalation.status is EscalationStatus.PROPOSING
    assert escalation.trigger is EscalationTriggerKind.REPORT_OVERDUE
    assert escalation.triggers[0].detail == "2026年3月月度进展逾期未报（报送期限 2026年4月5日）"
    assert (escalation.suggested_level, escalation.suggestion) == (1, "该单位此前未因本任务被问责，建议通报")
    assert forms_of(world, "supervisor", task_id) == ["escalation_propose"]  # one item: chasing is one answer
    with world.duban.db.transaction(write=False) as session:
        instance = session.get_one(ProcessInstance, escalation.instance_id)
        parent = session.get_one(ProcessInstance, instance.parent_id)
        assert (instance.process_id, instance.task_id, parent.process_id) == ("escalation", task_id, "monthly_report")
        assert session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "escalation.triggered",
                                                               AuditEvent.task_id == task_id)).startswith("逾期未报")


def test_a_report_judged_lagging_opens_an_escalation(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id, lagging=True, comment="截污工程尚未开工")
    [escalation] = escalations(world, task_id)
    assert escalation.trigger is EscalationTriggerKind.LAGGING
    assert escalation.triggers[0].detail == "2026年3月月度进展经审核认定进度滞后：截污工程尚未开工"


def test_a_passed_deadline_opens_an_escalation_at_the_configured_level(db: Database, roles: RoleModel,
                                                                       clock: FakeClock) -> None:
    world = build_world(Duban(db, roles, clock, WORKFLOWS, Settings(escalation_deadline_start_level=2)))
    task_id = world.register(deadline="2026-04-30")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    world.go_to(at("2026-05-01", 0, 1))
    [escalation] = escalations(world, task_id)
    assert escalation.trigger is EscalationTriggerKind.DEADLINE_PASSED
    assert escalation.suggested_level == EscalationLevel.INTERVIEW
    assert sorted(forms_of(world, "supervisor", task_id)) == ["escalation_propose", "overdue_action"]


def test_an_open_escalation_absorbs_later_triggers_instead_of_flooding_the_supervisor(world: World) -> None:
    task_id = overdue_task(world)
    world.go_to(at("2026-05-06", 0, 1))  # April's report is overdue too
    started = world.duban.escalation.propose(world["supervisor"], task_id, "现场检查发现仍有直排")
    [escalation] = escalations(world, task_id)
    assert started.absorbed and started.escalation_id == escalation.id
    assert [(t.kind, t.absorbed) for t in escalation.triggers] == [
        (EscalationTriggerKind.REPORT_OVERDUE, False), (EscalationTriggerKind.REPORT_OVERDUE, True),
        (EscalationTriggerKind.MANUAL, True)]
    assert forms_of(world, "supervisor", task_id).count("escalation_propose") == 1


def test_a_supervisor_proposes_an_escalation_by_hand_with_a_reason(world: World) -> None:
    task_id = world.register()
    started = world.duban.escalation.propose(world["supervisor"], task_id, "群众反映排污口仍在直排")
    [escalation] = escalations(world, task_id)
    assert (started.escalation_id, started.absorbed) == (escalation.id, False)
    assert escalation.trigger is EscalationTriggerKind.MANUAL
    assert escalation.triggers[0].detail == "群众反映排污口仍在直排"
    with world.duban.db.transaction(write=False) as session:
        parent = session.get_one(ProcessInstance, instance_of(world, escalation.id).parent_id)
    assert parent.process_id == "rectification"
    initial = world.duban.work.item(world["supervisor"], world.work_for("supervisor", task_id)[-1].id).initial
    assert initial == {"level": 1, "reasons": "群众反映排污口仍在直排"}  # the decision itself starts empty


def test_proposing_by_hand_is_refused_to_other_roles_and_without_a_reason(world: World) -> None:
    task_id = world.register()
    for username in ("coordinator", "leader", "head", "discipline"):
        with pytest.raises(PermissionDenied):
            world.duban.escalation.propose(world[username], task_id, "理由")
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.escalation.propose(world["supervisor"], task_id, "  ")
    assert refused.value.errors == {"reason": ["必填"]}
    with pytest.raises(NotFound):
        world.duban.escalation.propose(world["supervisor"], 999, "理由")
    assert escalations(world) == []


# --- each level: approved, changed, rejected ------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_each_level_approved_is_carried_out_by_its_role_then_committed_and_closed(world: World, level: int) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, level)
    assert escalations(world, task_id)[0].status is EscalationStatus.AWAITING_APPROVAL
    assert forms_of(world, "leader", task_id) == ["escalation_approve"]
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    who, form, _ = CARRY_OUT[level]
    assert form in forms_of(world, who, task_id)
    for other in CARRIERS - {who}:
        assert not any(f.startswith("escalation_") for f in forms_of(world, other, task_id)), other
    label = EscalationLevel(level).label
    assert notices(world, "escalation_approved")[0].text == f"1-1 经牵头市领导批准，对江阳区予以{label}"
    carry_out(world, task_id, level)
    [escalation] = escalations(world, task_id)
    assert (escalation.approved_level, escalation.status) == (level, EscalationStatus.AWAITING_COMMITMENT)
    record = {1: escalation.notice, 2: escalation.interview, 3: escalation.exposure, 4: escalation.accountability}
    assert [lv for lv, rec in record.items() if rec is not None] == [level]
    assert forms_of(world, "head", task_id) == ["escalation_commitment"]
    assert forms_of(world, "staff", task_id) == ["signoff_apply", "report_submit"]  # the unit's own work goes on
    commit_and_close(world, task_id)
    [escalation] = escalations(world, task_id)
    assert escalation.status is EscalationStatus.CLOSED and escalation.commitment == "一个月内完成截污纳管"
    assert instance_of(world, escalation.id).status is InstanceStatus.COMPLETED


def test_an_accountability_referral_reaches_the_discipline_commission_with_its_persons(world: World) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, 4)
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    [escalation] = escalations(world, task_id)
    assert escalation.accountability is not None and escalation.accountability.referred_at is not None
    assert notices(world, "accountability_referred")[0].role == "discipline"
    carry_out(world, task_id, 4)
    with world.duban.db.transaction(write=False) as session:
        persons = session.execute(select(AccountablePerson.name, AccountablePerson.measure)).all()
        summary = session.scalar(select(AuditEvent.summary).where(
            AuditEvent.action == "escalation.accountability_decided"))
    assert persons == [("王五", "admonition")]  # the blank row is not a person
    assert summary == "追责调查处理结果：对相关责任人予以问责（王五（江阳区住建局副局长） 诫勉）"


@pytest.mark.parametrize("level", LEVELS)
def test_the_lead_leader_may_change_the_level(world: World, level: int) -> None:
    task_id = overdue_task(world)
    proposed = 2 if level == 1 else 1
    walk_escalation(world, task_id, proposed, approve="change", changed_to=level)
    [escalation] = escalations(world, task_id)
    assert (escalation.proposed_level, escalation.approved_level, escalation.decision) == (proposed, level, "change")
    assert escalation.decision_comment == "情节较重"
    assert escalation.status is EscalationStatus.CLOSED
    with world.duban.db.transaction(write=False) as session:
        summary = session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "escalation.approved"))
    assert summary == (f"牵头市领导将{EscalationLevel(proposed).label}调整为{EscalationLevel(level).label}"
                       "：情节较重")


@pytest.mark.parametrize("level", LEVELS)
def test_a_rejected_proposal_ends_with_the_reason_and_does_not_count(world: World, level: int) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, level)
    world.do("leader", task_id, "escalation_approve", decision="reject", comment="已补报，暂不问责")
    [escalation] = escalations(world, task_id)
    assert (escalation.status, escalation.decision_comment) == (EscalationStatus.REJECTED, "已补报，暂不问责")
    assert escalation.approved_level is None
    assert instance_of(world, escalation.id).status is InstanceStatus.COMPLETED
    for username in CARRIERS | {"head", "leader"}:
        assert not any(f.startswith("escalation_") for f in forms_of(world, username, task_id)), username
    assert notices(world, "escalation_rejected")[0].text.endswith("未获批准：已补报，暂不问责")
    world.go_to(at("2026-05-06", 0, 1))  # the next overdue report opens a new escalation, still at 通报
    assert [(e.status, e.suggested_level) for e in escalations(world, task_id)] == [
        (EscalationStatus.REJECTED, 1), (EscalationStatus.PROPOSING, 1)]


def test_the_supervisor_may_decide_not_to_escalate(world: World) -> None:
    task_id = overdue_task(world)
    world.do("supervisor", task_id, "escalation_propose", decision="drop", level=None,
             reasons="单位已说明原因并于当日补报", evidence="")
    [escalation] = escalations(world, task_id)
    assert (escalation.status, escalation.reasons) == (EscalationStatus.DROPPED, "单位已说明原因并于当日补报")
    assert forms_of(world, "leader", task_id) == []
    assert instance_of(world, escalation.id).status is InstanceStatus.COMPLETED


# --- the ladder -----------------------------------------------------------------------------------

def test_repeated_lateness_climbs_the_ladder_up_to_accountability(world: World) -> None:
    task_id = overdue_task(world)
    suggested = []
    for month in ("04", "05", "06", "07", "08"):
        world.go_to(at(f"2026-{month}-06", 0, 1))  # last month's report is overdue again
        escalation = escalations(world, task_id)[-1]
        assert escalation.status is EscalationStatus.PROPOSING
        suggested.append(escalation.suggested_level)
        walk_escalation(world, task_id, escalation.suggested_level)
    assert suggested == [1, 2, 3, 4, 4]
    assert escalations(world, task_id)[-1].suggestion.startswith("该单位已因本任务被追责")
    second = escalations(world, task_id)[1]
    assert second.suggestion.startswith("该单位已因本任务被通报（2026-04-06 批准），建议升级为约谈")


def test_the_supervisor_escalates_again_when_the_commitment_is_not_kept(world: World) -> None:
    task_id = overdue_task(world)
    walk_escalation(world, task_id, 1, finish="escalate")
    first, second = escalations(world, task_id)
    assert first.status is EscalationStatus.ESCALATED and first.closing_comment == "承诺未兑现，仍在直排"
    assert (second.predecessor_id, second.trigger, second.suggested_level) == (
        first.id, EscalationTriggerKind.REPEATED, EscalationLevel.INTERVIEW)
    assert second.triggers[0].detail == f"第 {first.id} 号督办问责（通报）后整改仍不到位：承诺未兑现，仍在直排"
    assert instance_of(world, second.id).parent_id == first.instance_id
    assert "escalation_propose" in forms_of(world, "supervisor", task_id)


def test_the_ladder_rules_are_configurable() -> None:
    now = datetime(2026, 6, 1, tzinfo=LOCAL_TZ)
    old, recent = now - timedelta(days=400), now - timedelta(days=10)
    ladder = EscalationLadder(Settings(escalation_start_level=1, escalation_deadline_start_level=3))
    assert ladder.suggest(EscalationTriggerKind.LAGGING, [], now).level is EscalationLevel.NOTICE
    assert ladder.suggest(EscalationTriggerKind.DEADLINE_PASSED, [], now).level is EscalationLevel.EXPOSURE
    notified = [PastEscalation(EscalationLevel.NOTICE, old)]
    assert ladder.suggest(EscalationTriggerKind.LAGGING, notified, now).level is EscalationLevel.INTERVIEW
    assert ladder.suggest(EscalationTriggerKind.DEADLINE_PASSED, notified, now).level is EscalationLevel.EXPOSURE
    forgetful = EscalationLadder(Settings(escalation_memory_days=365))
    assert forgetful.suggest(EscalationTriggerKind.LAGGING, notified, now).level is EscalationLevel.NOTICE
    both = [*notified, PastEscalation(EscalationLevel.INTERVIEW, recent)]
    assert forgetful.suggest(EscalationTriggerKind.LAGGING, both, now).level is EscalationLevel.EXPOSURE
    with pytest.raises(ValueError, match="between 1"):
        Settings.from_env({"DUBAN_ESCALATION_START_LEVEL": "5"})


# --- the task goes on -----------------------------------------------------------------------------

def test_the_tasks_own_process_goes_on_during_an_escalation(world: World) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, 2)
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    report_month(world, task_id)  # the unit catches up while the interview is being arranged
    world.go_to(at("2026-05-01", 0, 30))
    with world.duban.db.transaction(write=False) as session:
        reports = dict(session.execute(select(ProgressReport.period, ProgressReport.status)).all())
    assert reports == {"2026-03": ReportStatus.ACCEPTED, "2026-04": ReportStatus.REQUESTED}
    sign_off(world, task_id)
    with world.duban.db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).status is TaskStatus.CLOSED
    [escalation] = escalations(world, task_id)
    assert instance_of(world, escalation.id).status is InstanceStatus.RUNNING  # 销号 does not end an escalation
    carry_out(world, task_id, 2)
    commit_and_close(world, task_id)
    assert escalations(world, task_id)[0].status is EscalationStatus.CLOSED
    with pytest.raises(InvalidSubmission, match="任务已销号"):
        world.duban.escalation.propose(world["supervisor"], task_id, "又发现问题")


def test_signing_off_withdraws_an_escalation_nobody_has_proposed_yet(world: World) -> None:
    task_id = overdue_task(world)
    report_month(world, task_id)
    sign_off(world, task_id)
    [escalation] = escalations(world, task_id)
    assert (escalation.status, escalation.reasons) == (EscalationStatus.DROPPED, "任务已销号，不再提出问责")
    assert instance_of(world, escalation.id).status is InstanceStatus.CANCELLED
    assert forms_of(world, "supervisor", task_id) == ["reopen"]  # only the standing 重新打开 of a closed task


# --- drafts and the public -------------------------------------------------------------------------

def test_the_notice_is_drafted_from_the_tasks_record(world: World) -> None:
    task_id = overdue_task(world)
    world.go_to(at("2026-04-09", 9))
    propose(world, task_id, 1)
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    work = world.work_for("coordinator", task_id)[0]
    item = world.duban.work.item(world["coordinator"], work.id)
    assert item.extra["escalation"].id == escalations(world, task_id)[0].id
    assert item.initial is not None
    assert item.initial["title"] == "关于江阳区“1-1 长江干流沿岸污水直排”整改任务推进不力的通报"
    text = item.initial["text"]
    for expected in ("江阳区牵头负责", "1-1 长江干流沿岸污水直排", "牵头市领导：leader", "整改时限为 2027-12-31",
                     "截至 2026-04-09", "1. 2026年3月月度进展逾期未报（应于 2026-04-05 前报送，已逾期 4 天）。",
                     "市整改工作领导小组办公室"):
        assert expected in text, expected
    world.do("coordinator", task_id, "escalation_notice", number="", title=item.initial["title"], text=text)
    assert escalations(world, task_id)[0].notice.text == text  # type: ignore[union-attr]


def test_an_exposure_is_public_only_once_published(world: World) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, 3)
    assert world.duban.escalation.public_exposures() == []
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    draft = world.duban.work.item(world["publicity"], world.work_for("publicity", task_id)[0].id).initial
    assert draft is not None and "leader" not in draft["text"]  # the public draft names no official
    assert world.duban.escalation.public_exposures() == []
    carry_out(world, task_id, 3)
    [exposure] = world.duban.escalation.public_exposures()
    assert (exposure.task_code, exposure.unit_name, exposure.level_label) == ("1-1", "江阳区", "曝光")
    assert (exposure.headline, exposure.text, exposure.channel) == (
        "江阳区污水直排整改不力", "现予以公开曝光。", "泸州日报")
    assert exposure.published_on.isoformat() == "2026-04-06"


# --- refusals and validation ------------------------------------------------------------------

def test_each_step_is_refused_to_the_wrong_role_or_unit(world: World) -> None:
    task_id = overdue_task(world)
    other = world.register("2-1", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[])
    propose_work = world.work_for("supervisor", task_id)[-1]
    for username in ("coordinator", "leader", "head"):
        with pytest.raises(PermissionDenied):
            world.duban.work.complete(world[username], propose_work.id, {"decision": "drop", "reasons": "无"})
    with pytest.raises(NotFound):  # another unit's task: not even there
        world.duban.work.complete(world["other_head"], propose_work.id, {"decision": "drop", "reasons": "无"})
    propose(world, task_id, 1)
    approve_work = world.work_for("leader", task_id)[0]
    with pytest.raises(PermissionDenied):  # a leader, but not this task's lead leader
        world.duban.work.complete(world["leader2"], approve_work.id, {"decision": "approve"})
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    notice_work = world.work_for("coordinator", task_id)[0]
    with pytest.raises(PermissionDenied):
        world.duban.work.complete(world["publicity"], notice_work.id, {"title": "通报", "text": "正文"})
    carry_out(world, task_id, 1)
    commitment = world.work_for("head", task_id)[0]
    with pytest.raises(PermissionDenied):  # the officer does not commit for the unit: its head does
        world.duban.work.complete(world["staff"], commitment.id, {"commitment": "承诺", "complete_by": "2026-05-31"})
    with pytest.raises(NotFound):
        world.duban.work.complete(world["other_head"], commitment.id,
                                  {"commitment": "承诺", "complete_by": "2026-05-31"})
    assert escalations(world, task_id)[0].status is EscalationStatus.AWAITING_COMMITMENT
    assert escalations(world, other) == []


def test_a_unit_sees_its_own_escalations_not_others(world: World) -> None:
    mine = overdue_task(world)
    theirs = world.register("2-1", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[world.units["jiangyang"]])
    world.duban.escalation.propose(world["supervisor"], theirs, "纳溪区整改不力")
    [own], [other] = escalations(world, mine), escalations(world, theirs)
    staff_register = world.duban.escalation.ledger(world["staff"], EscalationFilters())
    assert [row.escalation.id for row in staff_register.rows] == [own.id]
    supervisor_register = world.duban.escalation.ledger(world["supervisor"], EscalationFilters())
    assert [row.escalation.id for row in supervisor_register.rows] == [other.id, own.id]
    assert world.duban.escalation.page(world["staff"], own.id).escalation.task.code == "1-1"
    with pytest.raises(NotFound):
        world.duban.escalation.page(world["staff"], other.id)
    with pytest.raises(PermissionDenied):
        world.duban.escalation.ledger(world["admin"], EscalationFilters())
    page = world.duban.work.task_page(world["staff"], theirs)  # jiangyang cooperates on naxi's task
    assert not [e for e in page.history if e.object_type == "escalation"]
    assert not [w for w in page.open_work if w.form.startswith("escalation_")]
    assert world.duban.escalation.of_task(world["staff"], theirs) == []
    assert [e.id for e in world.duban.escalation.of_task(world["supervisor"], theirs)] == [other.id]
    assert [e.object_type for e in world.duban.work.task_page(world["other_staff"], theirs).history].count("escalation")


def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(world: World) -> None:
    task_id = overdue_task(world)

    def refused(username: str, form: str, **data: object) -> dict[str, list[str]]:
        work = next(w for w in world.work_for(username, task_id) if w.form == form)
        with pytest.raises(InvalidSubmission) as error:
            world.duban.work.complete(world[username], work.id, data)
        assert next(w for w in world.work_for(username, task_id) if w.form == form).id == work.id
        return error.value.errors

    assert refused("supervisor", "escalation_propose", decision="propose", reasons="滞后", evidence="") == {
        "level": ["请选择问责方式"], "evidence": ["提出问责建议须说明事实依据和佐证材料"]}
    assert refused("supervisor", "escalation_propose", decision="propose", level=7, reasons="x", evidence="y") == {
        "level": ["应在 1 到 4 之间"]}
    propose(world, task_id, 2)
    assert refused("leader", "escalation_approve", decision="change", level=2, comment="同") == {
        "level": ["新的问责方式与建议相同，请选择“同意”"]}
    assert refused("leader", "escalation_approve", decision="reject", comment="") == {
        "comment": ["调整或不同意时须说明理由"]}
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    assert "held_on" in refused("supervisor", "escalation_interview", held_on="2026-05-01", place="会议室",
                                interviewees="区长", interviewers="副市长", commitments="承诺")
    carry_out(world, task_id, 2)
    assert refused("head", "escalation_commitment", commitment="尽快", complete_by="2026-04-01") == {
        "complete_by": ["完成时限须晚于今天"]}
    assert escalations(world, task_id)[0].status is EscalationStatus.AWAITING_COMMITMENT


def test_accountability_persons_are_checked_row_by_row(world: World) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, 4)
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    work = world.work_for("discipline", task_id)[0]
    persons = [{"name": "王五", "post": "局长", "measure": "", "detail": ""},
               {"name": "", "post": "科长", "measure": "admonition", "detail": ""}]
    with pytest.raises(InvalidSubmission) as error:
        world.duban.work.complete(world["discipline"], work.id, {"findings": "查明", "decision": "问责",
                                                             "decided_on": "2026-04-06", "persons": persons})
    assert error.value.errors == {"persons": ["第 1 人：请选择处理措施", "第 2 人：请填写姓名"]}
