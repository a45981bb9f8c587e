"""Inboxes that can be worked: filters, sorting, one decision for many items, one item per overdue report, and the
publicity group's queue."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidSubmission
from engine.core.statuses import WarningLevel
from engine.features.public.progress_queue import QueueFilters
from engine.features.work.inbox import InboxFilters, InboxKind
from engine.store.models import AuditEvent, HumanTaskStatus, ProgressReport
from tests.engine.test_time import at
from tests.factories import World, report_month, walk_to_reporting


def codes(world: World, username: str, **filters: object) -> list[str]:
    page = world.duban.work.inbox(world[username], 1, InboxFilters(**filters))  # type: ignore[arg-type]
    return [entry.work.task.code for entry in page.entries]  # type: ignore[union-attr]


def supervisor_forms(world: World, task_id: int) -> list[str]:
    return [work.form for work in world.work_for("supervisor", task_id) if not work.standing]


def test_the_inbox_filters_by_unit_and_kind_and_sorts(world: World) -> None:
    world.register("1-1")
    world.register("1-2", lead_unit_id=world.units["naxi"])
    world.register("1-3")
    assert codes(world, "coordinator") == ["1-1", "1-2", "1-3"]
    assert codes(world, "coordinator", unit_id=world.units["naxi"]) == ["1-2"]
    assert codes(world, "coordinator", sort="newest") == ["1-3", "1-2", "1-1"]
    assert codes(world, "coordinator", kind="assign") == ["1-1", "1-2", "1-3"]
    assert codes(world, "coordinator", kind="plan_review") == []
    assert codes(world, "coordinator", due="overdue") == []  # 交办 has no due date
    page = world.duban.work.inbox(world["coordinator"], 1, InboxFilters(unit_id=world.units["naxi"]))
    assert (page.total, page.kinds) == (1, [InboxKind("assign", "交办整改任务", 3)])  # the kinds count all


def overdue_with_an_open_escalation(world: World, code: str) -> int:
    """A reporting task with an escalation open (by hand): its overdue report is chased, not proposed again."""
    task_id = world.register(code, deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.duban.escalation.propose(world["supervisor"], task_id, "现场检查发现仍有直排")
    return task_id


def test_one_item_per_overdue_report_and_the_colour_and_due_filters(world: World) -> None:
    fresh = world.register("1-1", deadline="2027-12-31")
    walk_to_reporting(world, fresh)
    world.go_to(at("2026-04-06", 0, 1))  # March is overdue: the escalation's proposal is the one item
    assert supervisor_forms(world, fresh) == ["escalation_propose"]
    world.go_to(at("2026-05-06", 0, 1))  # April too: the open escalation takes it in, April gets its 催报
    assert supervisor_forms(world, fresh) == ["escalation_propose", "report_chase"]
    assert codes(world, "supervisor", warning=WarningLevel.RED) == ["1-1", "1-1"]  # overdue twice running
    assert codes(world, "supervisor", warning=WarningLevel.YELLOW) == []
    assert codes(world, "supervisor", due="overdue") == ["1-1"]  # the proposal was due in three working days
    assert codes(world, "supervisor", due="soon", kind="report_chase") == ["1-1"]


def test_one_chase_for_many_units_is_one_transaction_of_audited_steps(world: World) -> None:
    first = overdue_with_an_open_escalation(world, "1-1")
    second = overdue_with_an_open_escalation(world, "1-2")
    world.go_to(at("2026-04-06", 0, 1))
    chases = [work.id for task_id in (first, second) for work in world.work_for("supervisor", task_id)
              if work.form == "report_chase"]
    assert len(chases) == 2
    done = world.duban.work.complete_many(world["supervisor"], chases, {"method": "notice", "note": "已发书面催报通知"})
    assert [work.status for work in done] == [HumanTaskStatus.COMPLETED] * 2
    with world.duban.db.transaction(write=False) as session:
        chased = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "report.chased")))
    assert sorted(event.task_id for event in chased) == sorted([first, second])
    assert all(event.summary.startswith("书面催报") for event in chased)


def test_a_batch_of_different_or_unbatchable_items_is_refused_whole(world: World) -> None:
    task_id = overdue_with_an_open_escalation(world, "1-1")
    world.go_to(at("2026-04-06", 0, 1))
    ids = [work.id for work in world.work_for("supervisor", task_id) if not work.standing]
    with pytest.raises(InvalidSubmission):  # a chase and an escalation proposal are different decisions
        world.duban.work.complete_many(world["supervisor"], ids, {"method": "phone", "note": "已催"})
    assert sorted(supervisor_forms(world, task_id)) == ["escalation_propose", "report_chase"]  # nothing was done
    with pytest.raises(InvalidSubmission):
        world.duban.work.complete_many(world["supervisor"], [], {"method": "phone", "note": "已催"})


def test_the_publicity_queue_comes_a_page_at_a_time_by_unit_and_month(world: World,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.features.public import progress_queue

    monkeypatch.setattr(progress_queue, "QUEUE_PAGE_SIZE", 1)
    ours = world.register("1-1", deadline="2027-12-31")
    theirs = world.register("1-2", deadline="2027-12-31", lead_unit_id=world.units["naxi"])
    walk_to_reporting(world, ours)
    world.do("coordinator", theirs, "assign", plan_due="2026-03-20")
    world.do("other_staff", theirs, "plan_draft", content="方案", milestones="节点", contact="王五")
    world.do("other_head", theirs, "plan_sign", decision="submit", comment="")
    world.do("supervisor", theirs, "plan_review", decision="file", comment="")
    world.next_month()
    report_month(world, ours)
    world.do("other_staff", theirs, "report_submit", progress="推进", percent_complete=30)
    world.do("other_head", theirs, "report_sign", decision="submit", comment="")
    world.do("supervisor", theirs, "report_review", decision="accept", comment="")
    publicity = world["publicity"]
    assert world.duban.public.count_to_publish(publicity) == 2
    first = world.duban.public.publish_queue(publicity, QueueFilters())
    assert (first.total, first.pages, len(first.reports), first.periods) == (2, 2, 1, ["2026-03"])
    naxi = world.duban.public.publish_queue(publicity, QueueFilters(unit_id=world.units["naxi"]))
    assert [report.task_id for report in naxi.reports] == [theirs]
    assert world.duban.public.publish_queue(publicity, QueueFilters(period="2026-02")).total == 0
    with world.duban.db.transaction(write=False) as session:
        report_id = session.scalar(select(ProgressReport.id).where(ProgressReport.task_id == ours))
    world.duban.public.publish_summary(publicity, report_id or 0, "排查完成")
    assert world.duban.public.count_to_publish(publicity) == 1
