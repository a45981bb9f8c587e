"""On PostgreSQL the web app and the sweep run as a role that may read and write rows but not change tables or
triggers; migrations run as the schema's owner (DUBAN_MIGRATION_DATABASE_URL). The recipe of docs/operations.md."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.core.roles import RoleModel
from engine.store.database import Database
from tests.conftest import POSTGRES_URL, START, WORKFLOWS
from tests.factories import assignment, build_world
from tests.postgres import postgres_schema

pytestmark = pytest.mark.postgres


def execute(url: str, *statements: str) -> None:
    owner = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        owner.dispose()


@pytest.fixture
def owner_and_app_urls() -> Iterator[tuple[str, str]]:
    """A schema of its own and a role of its own, granted what docs/operations.md grants the web app."""
    if not POSTGRES_URL:
        pytest.skip("DUBAN_TEST_POSTGRES_URL is not set")
    role, password = f"duban_app_{uuid4().hex[:12]}", uuid4().hex
    with postgres_schema(POSTGRES_URL) as owner_url:
        schema = make_url(owner_url).query["options"].removeprefix("-csearch_path=")
        defaults = f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT'
        execute(owner_url, f"CREATE ROLE {role} LOGIN PASSWORD '{password}'",
                f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
                f"{defaults} SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f"{defaults} USAGE, SELECT ON SEQUENCES TO {role}")
        app_url = make_url(owner_url).set(username=role, password=password).render_as_string(hide_password=False)
        try:
            yield owner_url, app_url
        finally:
            execute(owner_url, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_the_web_app_runs_as_a_role_that_cannot_alter_tables_or_triggers(
        owner_and_app_urls: tuple[str, str], roles: RoleModel, tmp_path: Path) -> None:
    owner_url, app_url = owner_and_app_urls
    duban = Duban(Database(app_url, migration_url=owner_url), roles, FakeClock(START), WORKFLOWS,
                  storage=tmp_path / "evidence")
    world = build_world(duban)  # `duban init`: migrations as the owner, then units and workflows as the app
    task_id = world.register("1-1")
    world.do("coordinator", task_id, "assign", **assignment(world))
    web_app = Duban(Database(app_url), roles, duban.clock, WORKFLOWS, storage=tmp_path / "evidence")
    web_app.init_database()  # what `duban serve` does at start: with the schema current, nothing asked of the role
    for statement in ("ALTER TABLE audit_events DISABLE TRIGGER ALL",
                      "DROP TRIGGER audit_events_append_only ON audit_events",
                      "ALTER TABLE rectification_tasks ADD COLUMN sneaky integer",
                      "TRUNCATE audit_events"):
        with pytest.raises(DatabaseError, match=r"must be owner|permission denied|append-only"):
            execute(app_url, statement)
    with pytest.raises(DatabaseError, match="append-only"):
        execute(app_url, "UPDATE audit_events SET summary = 'x' WHERE seq = 1")
    assert world.duban.audit.verify(world["admin"]).ok
    web_app.db.dispose()
    duban.db.dispose()
