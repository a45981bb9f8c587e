"""Every figure of the monthly bulletin equals what the registers list for that month: the ledger, the
escalation register and the monthly reports, on a city with three months of activity."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from engine.core.clock import LOCAL_TZ, local_midnight
from engine.core.periods import next_period, parse_period
from engine.core.statuses import ReportStatus, TaskStatus
from engine.features.escalation.queries import EscalationFilters
from engine.features.rectification.queries import LedgerFilters, month_end
from engine.features.reporting.bulletin import SUPERVISION_ACTIONS, BulletinData
from engine.store.models import AuditEvent, ProgressReport
from tests.engine.test_dashboard_and_bulletin import all_tasks, bulletin_text, stage_city
from tests.escalations import propose
from tests.factories import World

MONTHS = ("2026-03", "2026-04", "2026-05")


def three_months(world: World) -> dict[str, int]:
    """stage_city's March and April, an escalation approved in April, then May with its reports and chases."""
    ids = stage_city(world)
    propose(world, ids["overdue"], 1)
    world.do("leader", ids["overdue"], "escalation_approve", decision="approve", comment="同意通报")
    world.next_month()  # 2026-05-01: April's reports are requested, due 2026-05-06
    world.go_to(datetime(2026, 5, 12, 9, tzinfo=LOCAL_TZ))
    world.duban.escalation.propose(world["supervisor"], ids["pending"], "现场检查发现仍有直排")
    world.tick(hours=1)
    return ids


def ledger_total(world: World, **filters: object) -> int:
    return world.duban.tasks.ledger(world["coordinator"], LedgerFilters(**filters)).total  # type: ignore[arg-type]


def register_total(world: World, **filters: object) -> int:
    return world.duban.escalation.ledger(world["coordinator"],
                                         EscalationFilters(**filters)).total  # type: ignore[arg-type]


def reports_due_in(world: World, month: str) -> list[ProgressReport]:
    first, after = parse_period(month), parse_period(next_period(month))
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(ProgressReport).where(
            ProgressReport.due_date >= first, ProgressReport.due_date < after,
            ProgressReport.status != ReportStatus.CANCELLED)))


def audited(world: World, action: str, month: str) -> int:
    with world.duban.db.transaction(write=False) as session:
        return session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == action, AuditEvent.task_id.is_not(None),
            AuditEvent.at >= local_midnight(parse_period(month)), AuditEvent.at < month_end(month))) or 0


def assert_tasks_match_the_ledger(world: World, data: BulletinData, month: str) -> None:
    assert data.statuses.total == ledger_total(world, registered_by=month)
    assert data.statuses[TaskStatus.CLOSED] == ledger_total(world, closed_by=month)
    assert len(data.signed_off) == ledger_total(world, closed_in=month)
    for line in data.categories:
        category_id = next(c for c in world.categories if line.label.startswith(f"{_number(world, c)}."))
        assert line.statuses.total == ledger_total(world, registered_by=month, category_id=category_id)
        assert line.closed_in_month == ledger_total(world, closed_in=month, category_id=category_id)


def _number(world: World, category_id: int) -> int:
    return world.categories.index(category_id) + 1


def assert_reports_match(world: World, data: BulletinData, month: str) -> None:
    due = reports_due_in(world, month)
    assert len(data.reports) == len(due)
    assert len(data.overdue_reports()) == sum(1 for report in due if report.overdue)
    assert len(data.lagging_reports()) == sum(1 for r in due if r.lagging and r.status is ReportStatus.ACCEPTED)


def assert_escalations_match_the_register(world: World, data: BulletinData, month: str) -> None:
    assert data.escalations.started == register_total(world, opened_in=month)
    assert len(data.escalations.issued) == register_total(world, approved_in=month)
    for action, label in SUPERVISION_ACTIONS.items():
        assert data.supervision[label] == audited(world, action, month)


def assert_deadlines_match_the_tasks(world: World, data: BulletinData, month: str) -> None:
    """The tasks registered by the month's end and open at it, whose deadline is past or falls next month."""
    end, following = month_end(month), next_period(month)
    today = world.duban.clock.now().astimezone(LOCAL_TZ).date()
    open_at_end = [task for task in all_tasks(world) if task.registered_at < end and task.deadline
                   and task.deadline_kind.has_date() and not (task.closed_at and task.closed_at < end)]
    assert sorted(line.code for line in data.past_deadline) == sorted(
        task.code for task in open_at_end if task.deadline < min(parse_period(following), today))
    assert sorted(line.code for line in data.due_next_month) == sorted(
        task.code for task in open_at_end
        if parse_period(following) <= task.deadline < parse_period(next_period(following)))


def test_every_bulletin_figure_equals_the_registers(world: World) -> None:
    three_months(world)
    for month in MONTHS:
        data = world.duban.reporting.bulletin_data(world["coordinator"], month)
        assert_tasks_match_the_ledger(world, data, month)
        assert_reports_match(world, data, month)
        assert_escalations_match_the_register(world, data, month)
        assert_deadlines_match_the_tasks(world, data, month)
    april = world.duban.reporting.bulletin_data(world["coordinator"], "2026-04")
    assert april.escalations.started == 2 and len(april.escalations.issued) == 1  # proposals ≠ approvals
    assert Counter(item["level"] for item in april.escalations.issued) == {"通报": 1}
    may = world.duban.reporting.bulletin_data(world["coordinator"], "2026-05")
    assert may.escalations.started == 1 and may.escalations.issued == []
    assert [line.code for line in april.due_next_month] == ["1-2"]  # due 2026-05-15
    current = {status: ledger_total(world, status=status) for status in TaskStatus}
    assert may.statuses.counts == current  # the current month is told as it stands now


def test_the_bulletin_tells_escalations_started_and_approved(world: World) -> None:
    three_months(world)
    text, _ = bulletin_text(world.duban.reporting.bulletin(world["coordinator"], "2026-04"))
    assert "2026年4月启动督办问责2次，经领导批准实施问责措施1次：通报1次。" in text
    text, _ = bulletin_text(world.duban.reporting.bulletin(world["coordinator"], "2026-05"))
    assert "2026年5月启动督办问责" in text and "尚无经领导批准实施" in text


def test_the_register_lists_a_months_escalations(world: World) -> None:
    three_months(world)
    assert register_total(world, opened_in="2026-04") == 2
    assert register_total(world, approved_in="2026-04") == 1
    assert register_total(world, opened_in="2026-03") == register_total(world, approved_in="2026-05") == 0
    assert register_total(world, opened_in="2026-4") == register_total(world)  # not a month: no filter
