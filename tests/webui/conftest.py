from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from filelock import FileLock
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.test import TestResponse

from engine.app import Duban
from engine.features.accounts import users
from tests.factories import CHEAP_HASHER, PASSWORD, World
from webui import create_app
from webui.cli import main

Call = Callable[..., TestResponse]
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WEBUI = Path(__file__).resolve().parents[2] / "webui"
#: where `duban demo` puts the demo city's evidence in the tests (not the default: the setting must be obeyed)
DEMO_STORAGE = "stored-elsewhere"
#: every page template: the shared layout in webui/templates, each feature's in webui/<feature>/templates
TEMPLATE_FILES = sorted(WEBUI.glob("**/templates/**/*.html"))


class Browser:
    """A test client that behaves like a person with a browser: it sends the CSRF token it was given."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def submit(self, url: str, data: dict[str, Any], follow: bool = True) -> TestResponse:
        """GET the page, take its CSRF token, POST the form."""
        page = self.client.get(url)
        match = CSRF_FIELD.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return self.client.post(url, data={"csrf_token": match.group(1), **data}, follow_redirects=follow)

    def post_with_token_from(self, page_url: str, url: str, data: dict[str, Any]) -> TestResponse:
        page = self.client.get(page_url)
        token = CSRF_FIELD.search(page.get_data(as_text=True))
        assert token
        return self.client.post(url, data={"csrf_token": token.group(1), **data}, follow_redirects=True)


@pytest.fixture(scope="session")
def demo_city(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> tuple[Path, str]:
    """The demo city as `duban demo` builds it (about half a minute), and what the command printed: built once
    for the whole run, the test processes taking turns (pytest-xdist's recipe), read-only (see demo_copy)."""
    # under pytest-xdist, the parent of a worker's temporary folder is the run's, shared by all its workers
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    instance, output = shared / "demo-city", shared / "demo-city.txt"
    with FileLock(shared / "demo-city.lock"):
        if not output.exists():
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(users, "HASHER", CHEAP_HASHER)
                result = CliRunner().invoke(main, ["demo"], env={
                    "DUBAN_INSTANCE": str(instance), "DATABASE_URL": "", "DUBAN_STORAGE": str(instance / DEMO_STORAGE)})
            assert result.exit_code == 0, result.output
            output.write_text(result.output, encoding="utf-8")
    return instance, output.read_text(encoding="utf-8")


def demo_copy(demo_city: tuple[Path, str], folder: Path) -> Path:
    """A copy of the demo city's instance folder (database and evidence) for a module that changes it."""
    shutil.copytree(demo_city[0], folder, dirs_exist_ok=True)
    return folder


@pytest.fixture
def app(duban: Duban, world: World) -> Flask:
    return create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "test-secret", "TESTING": True})


@pytest.fixture
def login_as(app: Flask) -> Callable[[str], Browser]:
    def login(username: str) -> Browser:
        browser = Browser(app.test_client())
        response = browser.submit("/login", {"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "用户名或密码不正确" not in response.get_data(as_text=True)
        return browser
    return login


@pytest.fixture
def client(app: Flask) -> Browser:
    return Browser(app.test_client())


def token_of(duban: Duban, world: World, username: str, scope: str = "write", **data: Any) -> str:
    return str(duban.tokens.create(world[username], {"name": "对接", "scope": scope, **data}).secret)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(app: Flask, duban: Duban, world: World) -> Callable[[str, str], Call]:
    """A caller of the API with a token of this person: api("coordinator")("get", "/inbox")."""
    def caller(username: str, scope: str = "write") -> Call:
        token, client = bearer(token_of(duban, world, username, scope)), app.test_client()

        def call(method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
            return client.open(f"/api/v1{path}", method=method.upper(), headers={**token, **(headers or {})},
                               **kwargs)
        return call
    return caller


def statements_of(duban: Duban, browser: Browser, path: str) -> tuple[TestResponse, list[str]]:
    """GET path: the page, and the SQL statements the request sent."""
    sent: list[str] = []

    def keep(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    return _get_with(duban, browser, path, "before_cursor_execute", keep), sent


def transactions_of(duban: Duban, browser: Browser, path: str) -> tuple[TestResponse, int]:
    """GET path: the page, and how many transactions the request began (each is a BEGIN, a COMMIT and, on
    PostgreSQL, a pool check of its own)."""
    begun: list[object] = []

    def count(connection: object) -> None:
        begun.append(connection)

    return _get_with(duban, browser, path, "begin", count), len(begun)


def _get_with(duban: Duban, browser: Browser, path: str, name: str, listener: Callable[..., None]) -> TestResponse:
    """GET path with `listener` on the database engine's event `name` while the request lasts."""
    event.listen(duban.db.engine, name, listener)
    try:
        return browser.get(path)
    finally:
        event.remove(duban.db.engine, name, listener)
