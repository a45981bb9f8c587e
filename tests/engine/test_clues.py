"""问题线索: registered by the office, investigated and decided by the discipline commission, closed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.statuses import ClueStatus, ClueVerdict
from engine.features.clues.queries import ClueFilters
from engine.store.models import AuditEvent, InstanceStatus, ProcessInstance
from tests.escalations import clues, do_clue, register_clue
from tests.factories import World

PERSONS = [{"name": "赵六", "post": "江阳区生态环境局执法大队大队长", "measure": "party_discipline",
            "detail": "党内警告"},
           {"name": "钱七", "post": "江阳区生态环境局副局长", "measure": "admonition", "detail": ""}]


def test_a_clue_from_registration_to_closure(world: World) -> None:
    task_id = world.register()
    clue_id = register_clue(world, task_ids=[task_id], unit_ids=[world.units["jiangyang"], world.units["ecology"]])
    [clue] = clues(world)
    assert (clue.id, clue.number, clue.status) == (clue_id, "XS-2026-001", ClueStatus.INVESTIGATING)
    assert [t.code for t in clue.tasks] == ["1-1"] and [u.name for u in clue.units] == ["市生态环境局", "江阳区"]
    assert [w.form for w in world.work_for("discipline")] == ["clue_investigate"]
    assert world.work_for("discipline")[0].due_at.date().isoformat() == "2026-04-30"  # type: ignore[union-attr]
    do_clue(world, "discipline", "clue_investigate", findings="经核查，该排污口确系直排", verdict="founded")
    assert clues(world)[0].status is ClueStatus.DETERMINING
    do_clue(world, "discipline", "clue_responsibility", responsibility="江阳区生态环境局负有监管责任")
    do_clue(world, "discipline", "clue_decision", decision="给予相关责任人党纪处分和诫勉", decided_on="2026-03-10",
            document_number="泸纪发〔2026〕5号", persons=PERSONS)
    assert [w.form for w in world.work_for("coordinator")] == ["assign", "clue_close"]
    do_clue(world, "coordinator", "clue_close", feedback="已向中央第五督察组报送办理结果")
    [clue] = clues(world)
    assert (clue.status, clue.verdict, clue.document_number) == (ClueStatus.CLOSED, ClueVerdict.FOUNDED,
                                                                 "泸纪发〔2026〕5号")
    assert [(p.name, p.measure) for p in clue.persons] == [("赵六", "party_discipline"), ("钱七", "admonition")]
    with world.duban.db.transaction(write=False) as session:
        assert session.get_one(ProcessInstance, clue.instance_id).status is InstanceStatus.COMPLETED
        events = session.execute(select(AuditEvent.action, AuditEvent.task_id).where(
            AuditEvent.object_type == "clue")).all()
    assert [action for action, _ in events] == ["clue.registered", "clue.investigated", "clue.responsibility",
                                                "clue.decided", "clue.closed"]
    assert {task for _, task in events} == {None}  # a clue's record stays out of the task's history, units see that
    page = world.duban.clues.page(world["leader"], clue_id)
    assert [event.action for event in page.history][-1] == "clue.closed" and page.open_work == []


def test_an_unfounded_clue_goes_straight_to_the_office_to_close(world: World) -> None:
    register_clue(world)
    do_clue(world, "discipline", "clue_investigate", findings="经核查，举报问题不属实", verdict="unfounded")
    assert clues(world)[0].status is ClueStatus.CLOSING
    assert world.work_for("discipline") == []
    do_clue(world, "coordinator", "clue_close", feedback="经核查不属实，已反馈")
    assert clues(world)[0].status is ClueStatus.CLOSED


def test_clues_are_only_for_the_roles_allowed(world: World) -> None:
    clue_id = register_clue(world)
    for username in ("supervisor", "publicity", "staff", "head", "admin"):
        with pytest.raises(PermissionDenied):
            world.duban.clues.ledger(world[username], ClueFilters())
        with pytest.raises(PermissionDenied):
            world.duban.clues.page(world[username], clue_id)
    for username in ("leader", "discipline", "coordinator"):
        assert [row.clue.id for row in world.duban.clues.ledger(world[username], ClueFilters()).rows] == [clue_id]
    for username in ("discipline", "supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            world.duban.clues.register(world[username], {})
    work = world.work_for("discipline")[0]
    with pytest.raises(PermissionDenied):
        world.duban.work.complete(world["coordinator"], work.id, {"findings": "x", "verdict": "founded"})
    with pytest.raises(NotFound):  # may not see clues at all: the work is not there for them
        world.duban.work.complete(world["staff"], work.id, {"findings": "x", "verdict": "founded"})
    with pytest.raises(NotFound):
        world.duban.work.item(world["discipline"], work.id)  # clue work has its own page, not a task's
    assert world.duban.work.clue_item(world["discipline"], work.id).page.clue.id == clue_id
    assert clues(world)[0].status is ClueStatus.INVESTIGATING


def test_a_registration_is_checked_before_anything_is_saved(world: World) -> None:
    with pytest.raises(InvalidSubmission) as error:
        register_clue(world, received_on="2026-03-11", reply_due="2026-03-01", title="", task_ids=[999])
    assert error.value.errors == {"title": ["必填"]}
    with pytest.raises(InvalidSubmission) as error:
        register_clue(world, received_on="2026-03-11", reply_due="2026-03-01", task_ids=[999], unit_ids=[999])
    assert error.value.errors == {"received_on": ["收到日期不能晚于今天"], "reply_due": ["办结时限不能早于收到日期"],
                                  "task_ids": ["没有这个整改任务"], "unit_ids": ["没有这个单位"]}
    assert clues(world) == []
    register_clue(world)
    register_clue(world)
    assert [c.number for c in clues(world)] == ["XS-2026-001", "XS-2026-002"]


def test_a_clue_decision_lists_every_bad_person(world: World) -> None:
    register_clue(world)
    do_clue(world, "discipline", "clue_investigate", findings="部分属实", verdict="partly")
    do_clue(world, "discipline", "clue_responsibility", responsibility="监管责任")
    with pytest.raises(InvalidSubmission) as error:
        do_clue(world, "discipline", "clue_decision", decision="处分", decided_on="2026-03-10",
                persons=[{"name": "赵六", "measure": "fired"}])
    assert error.value.errors == {"persons": ["第 1 人：请选择处理措施"]}
    assert clues(world)[0].status is ClueStatus.DECIDING
