"""A live duban on a free port, a headless Chromium, and one browser context per person.

Each test module gets its own site (a SQLite file, a fake clock, the test city) served by a
thread, so a module's scenarios may walk time forward without disturbing the others.
"""
from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import make_server

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.core.roles import load_roles
from engine.features.accounts import users
from engine.store.database import Database
from tests.conftest import START, WORKFLOWS
from tests.e2e.people import Person, Site
from tests.factories import CHEAP_HASHER, ROOT, build_world
from webui import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
NOT_FOUND = "e2e: Chromium not found — install Debian's chromium (apt-get install chromium) or run .ci/run"
SCREENSHOTS = Path(__file__).with_name("screenshots")


def browser_missing() -> bool:
    return not CHROMIUM.exists() or importlib.util.find_spec("playwright") is None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is an e2e test, and is skipped, saying why, without a browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if browser_missing():
                item.add_marker(pytest.mark.skip(reason=NOT_FOUND))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[Site]:
    """The real app on a SQLite file, served on a free port until the module's tests are done (with the module's
    SETTINGS, if it has any)."""
    with pytest.MonkeyPatch.context() as patch:
        # argon2's production cost is deliberate; a test city needs its accounts quickly
        patch.setattr(users, "HASHER", CHEAP_HASHER)
        folder = tmp_path_factory.mktemp("site")
        duban = Duban(Database(f"sqlite:///{folder / 'duban.sqlite3'}"), load_roles(ROOT / "roles.yaml"),
                      FakeClock(START), WORKFLOWS, storage=folder / "evidence",
                      settings=getattr(request.module, "SETTINGS", None))
        world = build_world(duban)
        app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "e2e-secret", "TESTING": True,
                          "SEND_FILE_MAX_AGE_DEFAULT": 3600})
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns a failure
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Site(f"http://127.0.0.1:{server.server_port}", world, browser, SCREENSHOTS)
        server.shutdown()
        thread.join()
        duban.db.dispose()


@pytest.fixture
def person(request: pytest.FixtureRequest, site: Site) -> Iterator[Callable[..., Person]]:
    """person(username, phone=False): a fresh browser context for that person, logged in."""
    site.begin(SCREENSHOTS / request.module.__name__.rsplit(".", 1)[-1] / request.node.name)
    opened: list[Person] = []

    def open_context(username: str, phone: bool = False, login: bool = True) -> Person:
        someone = site.person(username, phone=phone)
        opened.append(someone)
        if login:
            someone.login()
        return someone

    yield open_context
    for someone in opened:
        someone.close()
