"""The ledger's search finds a task by any of its texts, word by word, and its rows sort by any column."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text, update

from engine.core.clock import LOCAL_TZ
from engine.features.rectification.ledger_order import SORTS
from engine.features.rectification.ledger_search import search_words
from engine.features.rectification.queries import LedgerFilters
from engine.store import search_index
from engine.store.models import RectificationTask
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


def test_chinese_without_spaces_is_one_word_found_as_it_is_written(world: World) -> None:
    world.register("1-1", title="沱江沿岸非法码头整治")
    world.register("1-2", title="沱江码头堆场扬尘", cooperating_unit_ids=[])
    assert codes(world, q="沱江码头") == ["1-2"]  # the words apart only when written apart
    assert codes(world, q="沱江 码头") == ["1-1", "1-2"]
    assert codes(world, q="非法码头") == ["1-1"]  # a part of a longer run of characters
    assert codes(world, q="河") == [] and codes(world, q="扬尘") == ["1-2"]  # one or two characters: no trigram


def test_latin_words_ignore_case_and_quotes_are_searched_for_as_themselves(world: World) -> None:
    world.register("1-1", title="COD 超标排放", problem='出水 "COD" 浓度超标。')
    assert codes(world, q="cod") == ["1-1"] and codes(world, q="Cod 超标") == ["1-1"]
    assert codes(world, q='"COD"') == ["1-1"]  # an FTS5 phrase keeps its quotes literal
    assert codes(world, q='"COD" "BOD"') == []


def test_the_index_follows_the_texts_whoever_changes_them(world: World) -> None:
    task = world.register("2-1", title="园区污水处理厂提标")
    walk_to_reporting(world, task)
    world.next_month()
    world.do("staff", task, "report_submit", progress="完成膜生物反应器安装", percent_complete=60)
    world.do("head", task, "report_sign", decision="submit", comment="")
    world.do("supervisor", task, "report_review", decision="return", comment="请写明工程量", lagging=False)
    world.do("staff", task, "report_submit", progress="完成人工湿地建设 3 公顷", percent_complete=60)
    assert codes(world, q="膜生物反应器") == [] and codes(world, q="人工湿地") == ["2-1"]  # the report rewritten
    with world.duban.db.transaction() as session:  # a text changed outside the engine's use cases
        session.execute(update(RectificationTask).where(RectificationTask.id == task).values(title="工业园区提标改造"))
    assert codes(world, q="污水处理厂") == [] and codes(world, q="提标改造") == ["2-1"]


def test_an_upgrade_puts_back_a_trigger_that_a_copied_table_lost(world: World) -> None:
    db = world.duban.db
    with db.engine.begin() as connection:
        search_index.remove(connection)
    world.register("3-1", title="赤水河流域小水电清理")  # not in the index: it is gone
    db.upgrade_schema()
    assert codes(world, q="小水电") == ["3-1"]  # rebuilt from the tables
    world.register("3-2", title="赤水河岸线小水电拆除")
    assert codes(world, q="小水电 拆除") == ["3-2"]  # and kept up to date again


def test_the_search_reads_the_text_index_not_every_row(world: World) -> None:
    world.register("1-1", title="沱江沿岸非法码头整治")
    with world.duban.db.transaction(write=False) as session:
        dialect = session.get_bind().dialect
        if dialect.name == "postgresql":
            session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table is read whole otherwise
        statement = select(RectificationTask.id).where(*LedgerFilters(q="非法码头").conditions())
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(str(row[-1]) for row in session.execute(text("EXPLAIN " + ("QUERY PLAN " if
                                                                                     dialect.name == "sqlite" else "")
                                                                       + sql)))
    if dialect.name == "sqlite":
        assert f"SCAN {search_index.TASK_TEXTS.name} VIRTUAL TABLE INDEX" in plan, plan
        assert f"SCAN {search_index.REPORT_TEXTS.name} VIRTUAL TABLE INDEX" in plan, plan
    else:  # the same expression as the index's, or PostgreSQL would not use it
        assert search_index.TASK_TEXTS.name in plan and search_index.REPORT_TEXTS.name in plan, plan


def test_codes_sort_naturally_and_every_column_sorts_both_ways(world: World) -> None:
    for code in ("1-10", "1-2", "1-1", "1-9"):
        world.register(code, title=f"任务 {code}")
    assert codes(world) == ["1-1", "1-2", "1-9", "1-10"]
    assert codes(world, sort="-code") == ["1-10", "1-9", "1-2", "1-1"]
    for key in SORTS:
        for way in (key, f"-{key}"):
            assert sorted(codes(world, sort=way)) == ["1-1", "1-10", "1-2", "1-9"], way
    assert codes(world, sort="title") == ["1-1", "1-10", "1-2", "1-9"]  # titles sort as text
