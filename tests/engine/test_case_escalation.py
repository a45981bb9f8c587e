"""A complaint case on the escalation ladder: overdue days after its report date, or returned again and again, it is
proposed for 通报, then 约谈 …, as a task is; the register, the case's page and the bulletin's counts name it; a unit
sees only its own; an accepted result withdraws a proposal nobody made."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.errors import NotFound
from engine.core.statuses import EscalationLevel, EscalationStatus, EscalationTriggerKind
from engine.features.escalation.queries import EscalationFilters
from engine.store.models import Escalation, HumanTask, Notice, ProcessInstance
from tests.cases import ROWS, case_named, do_case, import_batch
from tests.engine.test_time import at
from tests.escalations import CARRY_OUT, escalations, today
from tests.factories import World

FIRST, SECOND = (row.split(",")[0] for row in ROWS[:2])


def case_escalations(world: World, number: str) -> list[Escalation]:
    case_id = case_named(world, number).id
    return [e for e in escalations(world) if e.case_id == case_id]


def do_escalation(world: World, username: str, escalation_id: int, form: str, **data: Any) -> HumanTask:
    with world.duban.db.transaction(write=False) as session:
        instance_id = session.scalar(select(Escalation.instance_id).where(Escalation.id == escalation_id))
    matching = [w for w in world.work_for(username) if w.instance_id == instance_id and w.form == form]
    assert matching, f"{username} has no {form} on escalation {escalation_id}: {world.work_for(username)}"
    return world.duban.work.complete(world[username], matching[0].id, data)


def climb(world: World, escalation_id: int, level: int, finish: str = "close", notice_drafted: bool = False) -> None:
    """Propose at the ladder's level, the leader approves, the level's step, the unit commits, closed or again."""
    do_escalation(world, "supervisor", escalation_id, "escalation_propose", decision="propose", level=level,
                  reasons="逾期未报告办理结果", evidence="报告时限已过三个工作日")
    do_escalation(world, "leader", escalation_id, "escalation_approve", decision="approve", comment="")
    who, form, data = CARRY_OUT[level]
    if notice_drafted:  # the notice's draft names the case (第N批-number), its place and its unit; nobody's name
        [work] = [w for w in world.work_for(who) if w.form == form]
        draft = world.duban.work.escalation_item(world[who], work.id).initial or {}
        assert draft["title"] == f"关于江阳区信访件 第1批-{FIRST} 办理不力的通报"
        assert "江阳区大山坪街道噪声问题信访件" in draft["text"] and "逾期" in draft["text"]
        assert "凌晨" not in draft["text"]  # what the complainant wrote stays out
    dated = {key: today(world).isoformat() for key in ("held_on", "decided_on") if key in data}
    do_escalation(world, who, escalation_id, form, **{**data, **dated})
    do_escalation(world, "head", escalation_id, "escalation_commitment", commitment="三日内查处到位并报告",
                  complete_by=(today(world) + timedelta(days=10)).isoformat())
    do_escalation(world, "supervisor", escalation_id, "escalation_close", decision=finish,
                  comment="已兑现" if finish == "close" else "仍未报告办理结果")


def overdue_case(world: World) -> Escalation:
    """The batch of 10 March (report due 19 March): on 24 March, three working days later, FIRST is unsigned."""
    import_batch(world)
    do_case(world, "other_staff", SECOND, "case_sign", decision="receive")
    world.go_to(at("2026-03-23", 9))
    assert case_escalations(world, FIRST) == []
    world.go_to(at("2026-03-24", 0, 30))
    [escalation] = case_escalations(world, FIRST)
    return escalation


def test_an_overdue_case_is_proposed_for_a_notice_then_climbs_to_an_interview(world: World) -> None:
    escalation = overdue_case(world)
    case = case_named(world, FIRST)
    assert (escalation.task_id, escalation.unit_id, escalation.trigger) == (
        None, case.unit_id, EscalationTriggerKind.CASE_OVERDUE)
    assert escalation.suggested_level == EscalationLevel.NOTICE and "本信访件" in escalation.suggestion
    assert f"第1批-{FIRST}" in escalation.triggers[0].detail
    climb(world, escalation.id, 1, finish="escalate", notice_drafted=True)
    [first, second] = case_escalations(world, FIRST)
    assert first.status is EscalationStatus.ESCALATED and second.predecessor_id == first.id
    assert (second.trigger, second.suggested_level) == (EscalationTriggerKind.REPEATED, EscalationLevel.INTERVIEW)
    with world.duban.db.transaction(write=False) as session:
        instance = session.get_one(ProcessInstance, second.instance_id)
        notices = list(session.scalars(select(Notice.unit_id).where(Notice.kind == "escalation_notice")))
    assert instance.task_id is None and set(notices) == {case.unit_id}
    climb(world, second.id, 2)
    assert case_escalations(world, FIRST)[1].interview is not None


def test_a_case_returned_twice_is_proposed_and_an_accepted_result_withdraws_an_unmade_proposal(world: World) -> None:
    import_batch(world)
    do_case(world, "staff", FIRST, "case_sign", decision="receive")
    report = {"finding": "confirmed", "found": "属实", "measures": "责令停工", "orders": "1"}
    for attempt in range(2):
        do_case(world, "staff", FIRST, "case_report", **report)
        assert case_escalations(world, FIRST) == []
        do_case(world, "supervisor", FIRST, "case_review", decision="return", comment=f"第{attempt + 1}次：证据不足")
    [escalation] = case_escalations(world, FIRST)
    assert escalation.trigger is EscalationTriggerKind.CASE_RETURNED
    assert "第 2 次被退回" in escalation.triggers[0].detail
    do_case(world, "staff", FIRST, "case_report", **report)
    do_case(world, "supervisor", FIRST, "case_review", decision="accept", comment="")
    [withdrawn] = case_escalations(world, FIRST)
    assert withdrawn.status is EscalationStatus.DROPPED


def test_the_register_the_case_page_and_the_counts_name_the_case_and_a_unit_sees_only_its_own(world: World) -> None:
    escalation = overdue_case(world)
    case = case_named(world, FIRST)
    register = world.duban.escalation.ledger(world["supervisor"], EscalationFilters(q=FIRST[-6:]))
    assert [row.escalation.subject_code for row in register.rows] == [f"第1批-{FIRST}"]
    assert world.duban.escalation.ledger(world["staff"], EscalationFilters()).total == 1
    other = world.duban.escalation.ledger(world["other_staff"], EscalationFilters())  # naxi's own case only
    assert [row.escalation.subject_code for row in other.rows] == [f"第1批-{SECOND}"]
    with pytest.raises(NotFound):
        world.duban.escalation.page(world["other_staff"], escalation.id)
    assert [e.id for e in world.duban.escalation.of_case(world["staff"], case.id)] == [escalation.id]
    assert world.duban.escalation.of_case(world["other_staff"], case.id) == []
    do_escalation(world, "supervisor", escalation.id, "escalation_propose", decision="propose", level=1,
                  reasons="逾期", evidence="逾期三个工作日")
    do_escalation(world, "leader", escalation.id, "escalation_approve", decision="approve", comment="")
    board = world.duban.reporting.dashboard(world["coordinator"])
    assert board.cases is not None and board.cases.escalations == {EscalationLevel.NOTICE.label: 1}
    world.tick(hours=8)
    bulletin = world.duban.reporting.bulletin_data(world["coordinator"], "2026-03")
    assert [(line["code"], line["unit"]) for line in bulletin.escalations.issued] == [(f"第1批-{FIRST}", "江阳区")]
