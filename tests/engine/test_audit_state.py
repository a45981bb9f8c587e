"""`duban audit verify --state`: every business row against the last after-image the audit trail holds of it."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import insert, select, text

from engine.app import Duban
from engine.core.actor import Actor
from engine.store.audit import event_hash, record
from engine.store.database import Database
from engine.store.models import AuditEvent, Category, ProgressReport
from engine.store.state import check_state
from tests.factories import World, report_month, walk_to_reporting
from webui.cli import main


def reporting_task(world: World) -> tuple[int, int]:
    """A task walked to its first accepted monthly report: the task's id and the report's."""
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    with world.duban.db.transaction(write=False) as session:
        report_id = session.scalars(select(ProgressReport.id).where(ProgressReport.task_id == task_id)).one()
    return task_id, report_id


def edit_behind_duban(db: Database, user_id: int, task_id: int, report_id: int) -> None:
    """What someone with the database in hand does: a user made admin, a task's status and title, a report's text."""
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'admin' WHERE id = :id"), {"id": user_id})
        connection.execute(text("UPDATE rectification_tasks SET status = 'closed', title = '已整改完毕' "
                                "WHERE id = :id"), {"id": task_id})
        connection.execute(text("UPDATE progress_reports SET progress = '全部完成' WHERE id = :id"), {"id": report_id})


def differences(db: Database) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    with db.transaction(write=False) as session:
        report = check_state(session)
    return {(found.table, found.row_id): (found.problem, found.fields) for found in report.differences}


def test_rows_written_by_duban_are_as_audited(world: World) -> None:
    reporting_task(world)
    assert differences(world.duban.db) == {}
    with world.duban.db.transaction(write=False) as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last is not None and last.state is not None and "progress_reports" in last.state
    assert event_hash(last) == last.hash
    last.state["progress_reports"] = {}  # the hash covers the images: they cannot be edited unnoticed
    assert event_hash(last) != last.hash


def test_rows_changed_by_sql_are_named_with_their_fields(world: World) -> None:
    task_id, report_id = reporting_task(world)
    staff = world["staff"].user_id
    assert staff is not None
    edit_behind_duban(world.duban.db, staff, task_id, report_id)
    found = differences(world.duban.db)
    assert found == {
        ("users", str(staff)): ("changed", ("role",)),
        ("rectification_tasks", str(task_id)): ("changed", ("status", "title")),
        ("progress_reports", str(report_id)): ("changed", ("progress",)),
    }


def test_rows_inserted_or_deleted_by_sql_are_named(world: World) -> None:
    task_id, _ = reporting_task(world)
    with world.duban.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM task_status_changes WHERE task_id = :id"), {"id": task_id})
        connection.execute(text("INSERT INTO categories (number, name) VALUES (99, '凭空出现')"))
    problems = {problem for (table, _), (problem, _) in differences(world.duban.db).items()}
    assert problems == {"deleted", "unrecorded"}


def test_the_command_line_names_each_row_and_fails(world: World, tmp_path: Path) -> None:
    task_id, report_id = reporting_task(world)
    env = {"DATABASE_URL": world.duban.db.url, "DUBAN_INSTANCE": str(tmp_path), "SECRET_KEY": "k" * 32}
    intact = CliRunner().invoke(main, ["audit", "verify", "--state"], env=env)
    assert intact.exit_code == 0, intact.output
    assert "business rows as audited" in intact.output
    staff = world["staff"].user_id
    assert staff is not None
    edit_behind_duban(world.duban.db, staff, task_id, report_id)
    result = CliRunner().invoke(main, ["audit", "verify", "--state"], env=env)
    assert result.exit_code == 1
    assert "audit chain intact" in result.output  # the chain itself was not touched: only the rows tell
    assert f"users #{staff} changed outside duban (fields: role;" in result.output
    assert f"rectification_tasks #{task_id} changed outside duban (fields: status, title;" in result.output
    assert f"progress_reports #{report_id} changed outside duban (fields: progress;" in result.output
    world.duban.accounts.refuse(Actor.system(), "GET /x", "")  # duban keeps working on top of it


def test_rows_written_before_images_were_kept_are_vouched_for_once(duban: Duban) -> None:
    duban.db.upgrade_schema()
    with duban.db.transaction() as session:  # as an older duban left it: an event, and a row with no image
        session.execute(insert(Category).values(number=7, name="旧版本登记的类别"))
        record(session, Actor.system(), duban.clock.now(), "category.created", ("category", 1), "导入类别")
    assert differences(duban.db) == {("categories", "1"): ("unrecorded", ())}
    duban.init_database()
    assert differences(duban.db) == {}
    with duban.db.transaction(write=False) as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions.count("audit.state_baseline") == 1
    duban.init_database()  # once only
    with duban.db.transaction(write=False) as session:
        assert session.scalars(select(AuditEvent.action)).all().count("audit.state_baseline") == 1


def test_a_link_changed_by_sql_is_named_on_the_row_that_owns_it(world: World) -> None:
    task_id, _ = reporting_task(world)
    with world.duban.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM task_cooperating_units WHERE task_id = :id"), {"id": task_id})
    assert differences(world.duban.db) == {("rectification_tasks", str(task_id)): ("changed", ("cooperating_units",))}
