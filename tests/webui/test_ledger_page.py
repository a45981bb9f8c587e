"""The ledger page: its search box finds a task by several words, and each column's header sorts by it."""
from __future__ import annotations

import re
from collections.abc import Callable

from tests.factories import World
from tests.webui.conftest import Browser


def row_codes(html: str) -> list[str]:
    return re.findall(r'<td data-label="编号" class="text-nowrap">([^<]+)</td>', html)


def test_the_search_finds_a_task_by_two_words_and_a_header_sorts_both_ways(login_as: Callable[[str], Browser],
                                                                           world: World) -> None:
    for code, title in (("1-10", "沱江沿岸非法码头整治"), ("1-2", "蓝田片区黑臭水体"), ("1-9", "码头扬尘")):
        world.register(code, title=title)
    coordinator = login_as("coordinator")
    found = coordinator.get("/ledger?q=沱江+码头").get_data(as_text=True)
    assert row_codes(found) == ["1-10"]
    page = coordinator.get("/ledger").get_data(as_text=True)
    assert row_codes(page) == ["1-2", "1-9", "1-10"]  # codes in their natural order
    assert 'aria-sort="ascending"' in page and "sort=-code" in page
    newest_first = coordinator.get("/ledger?sort=-code").get_data(as_text=True)
    assert row_codes(newest_first) == ["1-10", "1-9", "1-2"]
    by_title = coordinator.get("/ledger?sort=title&q=码头").get_data(as_text=True)
    assert row_codes(by_title) == ["1-10", "1-9"] and 'name="sort" value="title"' in by_title
    assert coordinator.get("/ledger?sort=drop+table").status_code == 200  # an unknown column: the usual order
