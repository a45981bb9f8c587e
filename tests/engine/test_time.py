"""Time: the monthly cycle, reminders, overdue reports, deadlines and colours, on the exact days."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from engine.core.clock import LOCAL_TZ
from engine.core.statuses import ReportStatus, WarningLevel
from engine.store.models import Notice, ProgressReport, RectificationTask
from tests.factories import World, assignment, receive, report_month, walk_to_reporting


def at(day: str, hour: int = 0, minute: int = 30) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), LOCAL_TZ)


def colour(world: World, task_id: int) -> tuple[WarningLevel, list[str]]:
    with world.duban.db.transaction(write=False) as session:
        task = session.get_one(RectificationTask, task_id)
        return task.warning, [reason["code"] for reason in task.warning_reasons]


def report(world: World, period: str) -> ProgressReport:
    with world.duban.db.transaction(write=False) as session:
        return session.scalars(select(ProgressReport).where(ProgressReport.period == period)).one()


def notices(world: World, kind: str) -> list[Notice]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(Notice).where(Notice.kind == kind)))


def test_a_report_is_requested_reminded_and_marked_overdue_on_its_days(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)  # March 10
    world.go_to(at("2026-03-31", 23, 59))
    assert world.work_for("staff", task_id)[0].form == "signoff_apply"
    world.go_to(at("2026-04-01", 0, 1))
    requested = report(world, "2026-03")
    assert (requested.status, requested.due_date) == (ReportStatus.REQUESTED, date(2026, 4, 5))
    asked = next(n.text for n in notices(world, "report_requested"))
    assert asked.endswith("请于 2026年4月5日 前报送2026年3月月度进展")
    assert notices(world, "report_reminder") == []
    world.go_to(at("2026-04-02", 0, 1))  # three days before the due day
    assert len(notices(world, "report_reminder")) == 2  # the officer and the unit head
    world.go_to(at("2026-04-05", 23, 59))
    assert colour(world, task_id) == (WarningLevel.GREEN, [])
    world.go_to(at("2026-04-06", 0, 1))
    assert report(world, "2026-03").overdue
    assert colour(world, task_id) == (WarningLevel.YELLOW, ["report_overdue"])
    assert [w.form for w in world.work_for("supervisor", task_id)] == ["escalation_propose"]
    report_month(world, task_id)
    assert colour(world, task_id) == (WarningLevel.GREEN, [])


def test_a_report_sent_up_in_time_is_not_overdue(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", progress="进展", percent_complete=20)
    world.do("head", task_id, "report_sign", decision="submit", comment="")  # sent up on 1 April
    world.go_to(at("2026-04-07"))  # the supervisor has not reviewed it yet: not the unit's fault
    assert not report(world, "2026-03").overdue
    assert world.work_for("supervisor", task_id)[0].form == "report_review"
    assert colour(world, task_id) == (WarningLevel.GREEN, [])


def test_a_draft_the_head_has_not_signed_by_the_due_day_is_overdue(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", progress="进展", percent_complete=20)
    world.go_to(at("2026-04-06"))
    assert report(world, "2026-03").overdue


def test_deadline_colours_change_exactly_on_their_days(world: World) -> None:
    task_id = world.register(deadline="2026-06-30")
    walk_to_reporting(world, task_id)
    for _ in ("March", "April"):
        world.next_month()
        report_month(world, task_id)
    world.go_to(at("2026-05-30", 23, 59))
    assert colour(world, task_id) == (WarningLevel.GREEN, [])
    world.go_to(at("2026-05-31", 0, 0))  # deadline - 30 days, at local midnight
    world.tick(seconds=1)
    assert colour(world, task_id)[0] is WarningLevel.YELLOW
    assert "deadline_near" in colour(world, task_id)[1]
    world.go_to(at("2026-06-30", 23, 59))
    assert colour(world, task_id)[0] is WarningLevel.YELLOW
    world.go_to(at("2026-07-01", 0, 1))
    level, reasons = colour(world, task_id)
    assert level is WarningLevel.RED and reasons[0] == "deadline_passed"
    assert "overdue_action" in [w.form for w in world.work_for("supervisor", task_id)]


def test_extending_the_deadline_restarts_its_timers(world: World) -> None:
    task_id = world.register(deadline="2026-04-30")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    world.go_to(at("2026-05-01", 0, 1))
    assert colour(world, task_id) == (WarningLevel.RED, ["deadline_passed"])
    world.do("supervisor", task_id, "overdue_action", decision="extend", new_deadline="2026-09-30",
             comment="涉及征地拆迁，同意延期")
    assert colour(world, task_id) == (WarningLevel.GREEN, [])
    world.go_to(at("2026-08-30", 23, 59))
    assert "deadline_near" not in colour(world, task_id)[1]
    world.go_to(at("2026-08-31", 0, 1))
    assert "deadline_near" in colour(world, task_id)[1]


def test_two_yellow_months_in_a_row_turn_red(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id, lagging=True)
    assert colour(world, task_id) == (WarningLevel.YELLOW, ["lagging"])
    world.next_month()
    report_month(world, task_id, lagging=True)
    assert colour(world, task_id) == (WarningLevel.RED, ["repeated_yellow", "lagging"])
    world.next_month()
    report_month(world, task_id)
    assert colour(world, task_id) == (WarningLevel.GREEN, [])


def test_a_standing_task_reports_monthly_and_is_never_red_for_a_deadline(world: World) -> None:
    task_id = world.register(deadline_kind="standing", deadline=None)
    world.do("coordinator", task_id, "assign", **assignment(world, deadline_kind="standing", deadline=None))
    receive(world, task_id)
    world.do("staff", task_id, "plan_draft", content="长效机制", milestones="每月", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")
    for _ in range(14):
        world.next_month()
        report_month(world, task_id)
    assert colour(world, task_id) == (WarningLevel.GREEN, [])
    with world.duban.db.transaction(write=False) as session:
        assert len(session.scalars(select(ProgressReport.id)).all()) == 14


def test_changing_the_deadline_at_assignment_moves_its_timers(world: World) -> None:
    task_id = world.register(deadline="2026-03-20")  # registered 10 March: already within 30 days
    assert colour(world, task_id)[0] is WarningLevel.YELLOW
    world.do("coordinator", task_id, "assign", **assignment(world, deadline="2026-12-31"))
    receive(world, task_id)
    assert colour(world, task_id) == (WarningLevel.GREEN, [])
    world.go_to(at("2026-03-25"))
    assert colour(world, task_id) == (WarningLevel.GREEN, [])


def test_review_due_dates_count_working_days_across_the_spring_festival(world: World) -> None:
    world.go_to(at("2026-02-12", 9))
    task_id = world.register(deadline="2027-12-31")
    world.do("coordinator", task_id, "assign", **assignment(world, plan_due="2026-03-01"))
    world.do("staff", task_id, "plan_draft", content="稿", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    review = world.work_for("supervisor", task_id)[0]
    assert review.due_at is not None
    # 5 working days from Thu 12 Feb 2026: 13, Sat 14 (make-up day), 24, 25, 26 (15-23 is the holiday)
    assert review.due_at.astimezone(LOCAL_TZ).date() == date(2026, 2, 26)
