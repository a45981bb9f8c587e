"""A long inbox comes a page at a time, oldest first, with a link to the rest."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.features.work import inbox
from tests.factories import World
from tests.webui.conftest import Browser, transactions_of


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "INBOX_PAGE_SIZE", 2)


def test_the_inbox_shows_a_page_and_links_to_the_rest(small_pages: None, world: World,
                                                      login_as: Callable[[str], Browser]) -> None:
    for number in range(1, 4):
        world.register(code=f"1-{number}")
    coordinator = login_as("coordinator")
    first = coordinator.get("/inbox").get_data(as_text=True)
    assert "1-1" in first and "1-2" in first and "1-3" not in first
    assert '<span class="badge text-bg-secondary">3</span>' in first
    assert 'href="/inbox?page=2"' in first and "下一页" in first
    second = coordinator.get("/inbox?page=2").get_data(as_text=True)
    assert "1-3" in second and "1-1" not in second and "下一页" not in second
    assert coordinator.get("/inbox?page=99").status_code == 200  # past the end: the last page


def test_every_entry_is_on_exactly_one_page(small_pages: None, world: World) -> None:
    for number in range(1, 6):
        world.register(code=f"1-{number}")
    duban, coordinator = world.duban, world["coordinator"]
    pages = [duban.work.inbox(coordinator, number) for number in (1, 2, 3)]
    codes = [entry.work.task.code for page in pages for entry in page.entries]  # type: ignore[union-attr]
    assert codes == ["1-1", "1-2", "1-3", "1-4", "1-5"]
    assert {(page.total, page.pages) for page in pages} == {(5, 3)}


def test_the_inbox_page_reads_the_database_twice(world: World, login_as: Callable[[str], Browser]) -> None:
    """The person's session, then all the page shows (work, reminders, read marks, unread count, units) in one
    transaction: each further transaction is a BEGIN, a COMMIT and, on PostgreSQL, a pool check of its own."""
    world.register(code="1-1")
    coordinator = login_as("coordinator")
    coordinator.get("/inbox")
    page, transactions = transactions_of(world.duban, coordinator, "/inbox")
    assert page.status_code == 200 and "1-1" in page.get_data(as_text=True)
    assert transactions == 2
