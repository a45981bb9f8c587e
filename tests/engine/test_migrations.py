"""The migrations build exactly the schema the models describe."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine.features.rectification.queries import LedgerFilters
from engine.store.database import Database
from engine.store.models import Base
from engine.store.search_index import is_search_object
from tests.factories import World

#: as the migrations' environment compares: the search index's tables, triggers and indexes are no model's
COMPARED = {"compare_type": True, "include_name": lambda name, kind, parent: not is_search_object(name)}


def test_migrated_schema_matches_the_models(db: Database) -> None:
    db.upgrade_schema()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARED)
        assert compare_metadata(context, Base.metadata) == []
    assert db.schema_is_current()


def test_a_database_made_by_the_first_migration_upgrades_to_the_latest(db: Database) -> None:
    from alembic import command
    from sqlalchemy import text

    config = db._alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO units (code, name, kind, position) VALUES ('old', '旧单位', 'county', 0)"))
    assert not db.schema_is_current()
    db.upgrade_schema()
    assert db.schema_is_current()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARED)
        assert compare_metadata(context, Base.metadata) == []
        assert connection.execute(text("SELECT name FROM units WHERE code = 'old'")).scalar() == "旧单位"


def test_process_state_is_compressed_with_lz4_on_postgresql(db: Database) -> None:
    from sqlalchemy import text

    if db.is_sqlite:
        return  # SQLite stores the state as it is
    db.upgrade_schema()
    with db.engine.connect() as connection:
        method = connection.execute(text(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'process_instances'::regclass AND attname = 'state_json'")).scalar_one()
    assert method == "l"


def test_a_city_with_tasks_upgrades_across_a_migration_that_copies_the_tasks_table(world: World) -> None:
    from alembic import command
    from sqlalchemy import text

    db = world.duban.db
    world.register("1-1", title="沱江沿岸非法码头整治")
    if not db.is_sqlite:
        return  # PostgreSQL alters a table in place
    config = db._alembic_config()
    with db.engine.connect() as connection:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0018")  # before the rounds (0019 copies rectification_tasks)
    db.dispose()
    db.upgrade_schema()  # with the tasks' rows referred to by their reports, work items, audit events…
    assert db.schema_is_current()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM rectification_tasks")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    assert world.duban.tasks.ledger(world["coordinator"], LedgerFilters(q="非法码头")).total == 1  # indexed again



def test_migration_0026_goes_down_without_the_cases_escalations_and_up_again(world: World) -> None:
    """An escalation is a task's or a complaint case's, never neither; downgraded, the cases' escalations go."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from tests.engine.test_case_escalation import overdue_case

    overdue_case(world)  # three cases overdue: three escalations, with their triggers
    db = world.duban.db
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text("UPDATE escalations SET case_id = NULL"))
    config = db._alembic_config()
    with db.engine.connect() as connection:
        if db.is_sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0025")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM escalations")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM escalation_triggers")).scalar() == 0
    db.dispose()
    db.upgrade_schema()
    assert db.schema_is_current()


def test_the_case_import_jobs_migration_goes_down_and_up_again(db: Database) -> None:
    from alembic import command
    from sqlalchemy import inspect

    db.upgrade_schema()
    config = db._alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0026")
    assert "case_import_jobs" not in inspect(db.engine).get_table_names()
    db.dispose()
    db.upgrade_schema()
    assert "case_import_jobs" in inspect(db.engine).get_table_names() and db.schema_is_current()
