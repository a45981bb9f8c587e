from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import engine.users
from engine.clock import LOCAL_TZ, FakeClock
from engine.db import Database
from engine.roles import RoleModel, load_roles
from engine.service import Duban
from tests.factories import ROOT, World, build_world

START = datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL_TZ)
WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn"))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2's production cost is deliberate; tests need many accounts quickly."""
    monkeypatch.setattr(engine.users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def roles() -> RoleModel:
    return load_roles(ROOT / "roles.yaml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'duban.sqlite3'}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def duban(db: Database, roles: RoleModel, clock: FakeClock) -> Duban:
    return Duban(db, roles, clock, WORKFLOWS)


@pytest.fixture
def world(duban: Duban) -> World:
    return build_world(duban)
