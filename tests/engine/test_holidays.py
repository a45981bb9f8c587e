"""The administrators' holiday table: consulted before chinese-calendar, so a year the package does not cover yet
(2027 here) gets its holidays — 2027-01-01 (元旦) is no working day in a 公示 period."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from engine.core import workdays
from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, PermissionDenied
from engine.core.spreadsheet import ImportRejected
from engine.core.text import chinese_date
from engine.features.signoff.forms import draft_notice, notice_period
from engine.store.models import AuditEvent, CalendarDay, RectificationTask
from tests.factories import World
from tests.xlsx import xlsx

HEADER = "\ufeff日期,类型,名称\n".encode()  # as Excel saves a UTF-8 CSV: with a BOM


def csv(*rows: str) -> bytes:
    return HEADER + "\n".join(rows).encode()


@pytest.fixture(autouse=True)
def empty_table() -> Iterator[None]:
    """The calendar is per process: each test starts and ends without an administrators' table."""
    workdays.use_table({})
    yield
    workdays.use_table({})


def test_the_table_comes_first_then_the_package_then_weekdays() -> None:
    assert not workdays.is_working_day(date(2026, 10, 7))  # the package: National Day week
    assert workdays.is_working_day(date(2027, 1, 1))  # not covered: a Friday counts
    workdays.use_table({date(2026, 10, 7): True, date(2027, 1, 1): False, date(2027, 2, 6): True})
    assert workdays.is_working_day(date(2026, 10, 7))
    assert not workdays.is_working_day(date(2027, 1, 1))
    assert workdays.is_working_day(date(2027, 2, 6))  # a Saturday made a working day
    assert workdays.is_working_day(date(2027, 1, 4)) and not workdays.is_working_day(date(2027, 1, 2))
    assert workdays.covered(date(2027, 6, 1)) and not workdays.covered(date(2028, 6, 1))
    assert workdays.uncovered_years([date(2026, 1, 1), date(2027, 3, 1), date(2028, 3, 1)]) == [2028]


def test_new_years_day_2027_is_no_working_day_of_a_notice_once_the_admin_lists_it(world: World) -> None:
    assert notice_period(date(2026, 12, 31), 5) == (date(2026, 12, 31), date(2027, 1, 6))  # 元旦 counted
    world.duban.holidays.add(world["admin"], date(2027, 1, 1), "holiday", "元旦")
    assert notice_period(date(2026, 12, 31), 5) == (date(2026, 12, 31), date(2027, 1, 7))
    assert notice_period(date(2027, 1, 1), 5) == (date(2027, 1, 4), date(2027, 1, 8))
    workdays.use_table({})
    world.duban.holidays.load()  # as at start-up: the table is read back from the database
    assert not workdays.is_working_day(date(2027, 1, 1))


def test_the_notice_text_writes_its_dates_without_leading_zeros(world: World) -> None:
    world.duban.holidays.add(world["admin"], date(2027, 1, 1), "holiday", "元旦")
    start, end = notice_period(date(2027, 1, 1), 5)
    task_id = world.register()
    with world.duban.db.transaction(write=False) as session:
        text = draft_notice(session.get_one(RectificationTask, task_id), "江阳区", start, end, 5)
    assert "公示期为 2027年1月4日 至 2027年1月8日" in text
    assert chinese_date(date(2027, 1, 1)) == "2027年1月1日"


def test_adding_and_deleting_a_day_is_audited_and_a_day_is_listed_once(world: World) -> None:
    admin = world["admin"]
    world.duban.holidays.add(admin, date(2027, 2, 6), "workday", "春节调休")
    with pytest.raises(InvalidSubmission):
        world.duban.holidays.add(admin, date(2027, 2, 6), "holiday", "")
    with pytest.raises(InvalidSubmission):
        world.duban.holidays.add(admin, None, "", "")
    with pytest.raises(PermissionDenied):
        world.duban.holidays.add(world["staff"], date(2027, 2, 7), "holiday", "")
    [day] = world.duban.holidays.days(admin)
    assert (day.day, day.working, day.name) == (date(2027, 2, 6), True, "春节调休")
    assert workdays.is_working_day(date(2027, 2, 6))
    world.duban.holidays.delete(admin, day.id)
    assert world.duban.holidays.days(admin) == [] and not workdays.is_working_day(date(2027, 2, 6))
    with world.duban.db.transaction(write=False) as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("calendar.%"))))
    assert actions == ["calendar.day_added", "calendar.day_deleted"]


def test_an_import_lists_every_bad_row_and_imports_nothing(world: World) -> None:
    admin = world["admin"]
    bad = csv("2027-01-01,holiday,元旦", "2027-13-01,holiday,", "2027-01-02,休息日,", "2027/1/1,holiday,重复")
    with pytest.raises(ImportRejected) as refused:
        world.duban.holidays.import_file(admin, bad, "2027.csv")
    messages = [str(problem) for problem in refused.value.problems]
    assert len(messages) == 3
    assert any("第 3 行" in m and "2027-13-01" in m for m in messages)
    assert any("第 4 行" in m and "休息日" in m for m in messages)
    assert any("第 5 行" in m and "与第 2 行重复" in m for m in messages)
    assert world.duban.holidays.days(admin) == []


def test_a_csv_or_a_workbook_fills_the_table(world: World) -> None:
    admin = world["admin"]
    assert world.duban.holidays.import_file(admin, csv("2027-01-01,holiday,元旦", "2027年2月6日,补班,春节"),
                                            "2027.CSV") == 2
    workbook = xlsx([(date(2027, 2, 11), "holiday", "春节"), ("2027-02-06", "workday", "春节调休")],
                    header=("日期", "类型", "名称"))
    assert world.duban.holidays.import_file(admin, workbook, "2027.xlsx") == 2
    with world.duban.db.transaction(write=False) as session:
        days = {row.day: row.working for row in session.scalars(select(CalendarDay))}
    assert days == {date(2027, 1, 1): False, date(2027, 2, 6): True, date(2027, 2, 11): False}
    assert not workdays.is_working_day(date(2027, 2, 11))


def test_the_years_a_deadline_reaches_without_any_calendar(world: World) -> None:
    world.register(code="9-1", deadline="2028-06-30")
    assert world.duban.holidays.years_without_calendar() == [2027, 2028]
    world.duban.holidays.add(world["admin"], date(2027, 1, 1), "holiday", "元旦")
    assert world.duban.holidays.years_without_calendar() == [2028]


def test_the_command_line_operator_may_keep_the_table(world: World) -> None:
    world.duban.holidays.add(Actor.system(), date(2027, 1, 1), "holiday", "元旦")
    assert not workdays.is_working_day(date(2027, 1, 1))


def test_objections_filed_before_tracking_codes_get_one_on_upgrade(world: World) -> None:
    from alembic import command
    from sqlalchemy import text

    from tests.engine.test_signoff import publish, reporting_task

    notice_id = publish(world, reporting_task(world))
    world.duban.public.file_objection(notice_id, {"content": "排污口夜间仍在排水，整改不到位。"}, "192.0.2.1")
    world.duban.db.dispose()
    config = world.duban.db._alembic_config()
    with world.duban.db.migration_connection() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0017")  # the migration before the tracking codes
    world.duban.db.upgrade_schema()
    with world.duban.db.engine.connect() as connection:
        codes = connection.execute(text("SELECT tracking_code FROM objections")).scalars().all()
    assert len(codes) == 1 and codes[0] and len(codes[0]) == 12


def test_a_notice_published_before_new_year_2027_does_not_count_new_years_day(world: World) -> None:
    from tests.engine.test_signoff import at, publish, reporting_task

    world.duban.holidays.add(world["admin"], date(2027, 1, 1), "holiday", "元旦")
    task_id = reporting_task(world)
    world.go_to(at("2026-12-30"))
    publish(world, task_id)
    [notice] = world.duban.public.open_notices()
    # five working days: 12-30, 12-31, then 1-4, 1-5, 1-6 (without the table 1-1 counted and it ended on 1-5)
    assert (notice.start_date, notice.end_date) == (date(2026, 12, 30), date(2027, 1, 6))
