from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from engine.app import Duban
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.roles import RoleModel, load_roles
from engine.features.accounts import users
from engine.store.database import Database
from tests.factories import CHEAP_HASHER, ROOT, World, build_world, load_world
from tests.postgres import TemplateCopies, postgres_database, postgres_schema

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
    """A database of the test's own: a copy of the test city when the test uses the `world`, else a fresh,
    empty one (a SQLite file, or a PostgreSQL schema dropped afterwards)."""
    if request.param == "postgres" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only: the test works on the database file itself")
    city = "world" in request.fixturenames
    if request.param == "sqlite":
        if city:
            shutil.copyfile(request.getfixturevalue("sqlite_city"), tmp_path / "duban.sqlite3")
        yield f"sqlite:///{tmp_path / 'duban.sqlite3'}"
    elif city:
        with request.getfixturevalue("postgres_city").copy() as url:
            yield url
    else:
        with postgres_schema(POSTGRES_URL) as url:
            yield url


@pytest.fixture(scope="session")
def sqlite_city(tmp_path_factory: pytest.TempPathFactory, roles: RoleModel) -> Path:
    """The test city built once per test process; each test that uses it works on a copy of the file."""
    folder = tmp_path_factory.mktemp("city")
    build_city(f"sqlite:///{folder / 'city.sqlite3'}", roles, folder)
    return folder / "city.sqlite3"


@pytest.fixture(scope="session")
def postgres_city(tmp_path_factory: pytest.TempPathFactory, roles: RoleModel) -> Iterator[TemplateCopies]:
    """The test city in a PostgreSQL database of its own, the template each test's database is copied from."""
    with postgres_database(POSTGRES_URL, prefix="city") as url:
        build_city(url, roles, tmp_path_factory.mktemp("city"))
        copies = TemplateCopies(POSTGRES_URL, make_url(url).database or "")
        try:
            yield copies
        finally:
            copies.close()


def build_city(url: str, roles: RoleModel, storage: Path) -> None:
    database = Database(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP_HASHER)
        build_world(Duban(database, roles, FakeClock(START), WORKFLOWS, storage=storage))
    database.dispose()  # a template database must have no connections


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
    """The test city: its database was copied from one built by build_world (see database_url)."""
    return load_world(duban)
