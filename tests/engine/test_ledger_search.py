"""The ledger's search finds a task by any of its texts, word by word, and its rows sort by any column."""
from __future__ import annotations

from datetime import datetime

from engine.core.clock import LOCAL_TZ
from engine.features.rectification.ledger_order import SORTS, search_words
from engine.features.rectification.queries import LedgerFilters
from tests.factories import World, walk_to_reporting


def codes(world: World, **filters: object) -> list[str]:
    page = world.duban.tasks.ledger(world["coordinator"], LedgerFilters(**filters))  # type: ignore[arg-type]
    return [row.task.code for row in page.rows]


def test_words_are_split_at_spaces_and_commas_chinese_ones_too() -> None:
    assert search_words("沱江 码头") == ["沱江", "码头"]
    assert search_words(" 沱江　码头，截污、 沱江 ") == ["沱江", "码头", "截污"]
    assert search_words("   ") == []


def test_every_word_must_be_found_somewhere_in_the_task_its_units_or_its_reports(world: World) -> None:
    world.register("1-1", title="沱江沿岸非法码头整治", problem="码头砂石堆放扬尘。")
    world.register("1-2", title="蓝田片区黑臭水体", problem="水体黑臭。", cooperating_unit_ids=[])
    assert codes(world, q="沱江 码头") == ["1-1"]  # two words, each in the title
    assert codes(world, q="蓝田") == ["1-2"]
    assert codes(world, q="码头 蓝田") == []  # both words, not either
    assert codes(world, q="市水务局") == ["1-1"]  # a cooperating unit's name: only 1-1 has one
    assert codes(world, q="扬尘 100%_") == []  # % and _ are searched for as themselves


def test_a_word_in_a_monthly_report_finds_its_task(world: World) -> None:
    task = world.register("2-1", title="园区污水处理厂提标")
    world.register("2-2", title="另一个任务")
    walk_to_reporting(world, task)
    world.duban.clock.set(datetime(2026, 4, 2, 9, tzinfo=LOCAL_TZ))  # type: ignore[attr-defined]
    world.duban.sweep.fire_due_timers()  # March is over: its report is asked for
    world.do("staff", task, "report_submit", progress="完成膜生物反应器安装", percent_complete=60)
    assert codes(world, q="膜生物反应器") == ["2-1"]


def test_codes_sort_naturally_and_every_column_sorts_both_ways(world: World) -> None:
    for code in ("1-10", "1-2", "1-1", "1-9"):
        world.register(code, title=f"任务 {code}")
    assert codes(world) == ["1-1", "1-2", "1-9", "1-10"]
    assert codes(world, sort="-code") == ["1-10", "1-9", "1-2", "1-1"]
    for key in SORTS:
        for way in (key, f"-{key}"):
            assert sorted(codes(world, sort=way)) == ["1-1", "1-10", "1-2", "1-9"], way
    assert codes(world, sort="title") == ["1-1", "1-10", "1-2", "1-9"]  # titles sort as text
