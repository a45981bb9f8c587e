from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine.app import Duban
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.roles import RoleModel, load_roles
from engine.features.accounts import users
from engine.store.database import Database
from tests.factories import CHEAP_HASHER, ROOT, World, build_world
from tests.postgres import postgres_schema

START = datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL_TZ)
WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn"))
#: with DUBAN_TEST_POSTGRES_URL set, every test that uses the `db` fixture runs on SQLite and on PostgreSQL
POSTGRES_URL = os.environ.get("DUBAN_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2's production cost is deliberate; tests need many accounts quickly."""
    monkeypatch.setattr(users, "HASHER", CHEAP_HASHER)


@pytest.fixture(scope="session")
def roles() -> RoleModel:
    return load_roles(ROOT / "roles.yaml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own (dropped afterwards)."""
    if request.param == "postgres" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only: PostgreSQL's own tools do this (see README)")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'duban.sqlite3'}"
        return
    with postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def duban(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path) -> Duban:
    return Duban(db, roles, clock, WORKFLOWS, storage=tmp_path / "evidence")


@pytest.fixture
def world(duban: Duban) -> World:
    return build_world(duban)
