"""The ledger in Excel: importing new tasks (all or nothing), re-importing, exporting and round trips."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.roles import RoleModel
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import DeadlineKind, TaskStatus
from engine.features.accounts.usecases import actor_for
from engine.features.rectification.queries import LedgerFilters
from engine.features.reporting.ledger_deadlines import parse_deadline
from engine.features.reporting.ledger_preview import split_problem
from engine.store.database import Database
from engine.store.models import (
    AuditEvent,
    Category,
    HumanTask,
    HumanTaskStatus,
    ProcessInstance,
    RectificationTask,
    User,
)
from tests.conftest import WORKFLOWS
from tests.factories import World, assert_round_trip, assignment, report_month, walk_to_reporting
from tests.xlsx import LEDGER_HEADER, sheet_of, table_of, xlsx

GOOD_ROWS = [
    ("1-1", "1. 水污染防治方面", "长江干流沿岸污水直排\n沿江部分排污口污水直排长江。", "2026年底前完成截污纳管。",
     "1. 排查排污口\n2. 截污纳管", "江阳区、water", "leader", date(2026, 12, 31)),
    ("1-2", "水污染防治方面", "黑臭水体反弹", "消除黑臭水体。", "1. 清淤\n2. 补水", "naxi", "leader2（副市长）",
     "立行立改"),
    ("2-1", "2", "扬尘管控不力\n建筑工地扬尘管控措施落实不到位。", "工地扬尘全面受控。", "1. 每日巡查",
     "市住房城乡建设局、市综合行政执法局、江阳区", "leader", "长期坚持"),
]


def counts(duban: Duban) -> dict[str, int]:
    with duban.db.transaction(write=False) as session:
        return {name: session.scalar(select(func.count(model.id))) or 0 for name, model in (
            ("tasks", RectificationTask), ("instances", ProcessInstance), ("work", HumanTask),
            ("audit", AuditEvent), ("categories", Category))}


def test_a_good_file_registers_every_task_and_starts_its_process(world: World) -> None:
    result = world.duban.reporting.import_tasks(world["coordinator"], xlsx(GOOD_ROWS, above=2), file_name="清单.xlsx")
    assert result.created == ["1-1", "1-2", "2-1"] and result.unchanged == [] and not result.dry_run
    with world.duban.db.transaction(write=False) as session:
        tasks = {t.code: t for t in session.scalars(select(RectificationTask).options(
            selectinload(RectificationTask.cooperating_units)))}
        assign = session.scalars(select(HumanTask.task_id).where(HumanTask.form == "assign",
                                                                 HumanTask.status == HumanTaskStatus.OPEN)).all()
        imported = session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.imported")).one()
    first = tasks["1-1"]
    assert (first.title, first.problem) == ("长江干流沿岸污水直排", "沿江部分排污口污水直排长江。")
    assert first.lead_unit_id == world.units["jiangyang"]
    assert [u.code for u in first.cooperating_units] == ["water"]
    assert (first.deadline_kind, first.deadline) == (DeadlineKind.DATE, date(2026, 12, 31))
    assert (tasks["1-2"].title, tasks["1-2"].problem) == ("黑臭水体反弹", "黑臭水体反弹")
    assert tasks["1-2"].lead_leader_id == world["leader2"].user_id
    assert (tasks["1-2"].deadline_kind, tasks["1-2"].deadline) == (DeadlineKind.IMMEDIATE, None)
    assert tasks["2-1"].deadline_kind is DeadlineKind.STANDING and tasks["2-1"].category_id == world.categories[1]
    assert len(tasks["2-1"].cooperating_units) == 2
    assert all(task.status is TaskStatus.REGISTERED for task in tasks.values())
    assert sorted(assign) == sorted(task.id for task in tasks.values())  # each waits for 交办
    assert imported.actor_name == "coordinator" and "清单.xlsx" in imported.summary
    for task in tasks.values():
        assert_round_trip(world.duban, task.id)
    world.do("coordinator", tasks["1-1"].id, "assign", **assignment(world))  # the process really runs


def test_a_file_with_many_mistakes_is_refused_whole_with_every_problem_named(world: World) -> None:
    world.register("9-9", title="已有任务")
    before = counts(world.duban)
    rows = [
        ("1-1", "1. 水污染防治方面", "好的一行", "目标", "措施", "江阳区", "leader", "2026-12-31"),
        ("1-2", "1. 水污染防治方面", "未知单位", "目标", "措施", "江阳区、火星局", "leader", "2026-12-31"),
        ("1-3", "1. 水污染防治方面", "坏日期", "目标", "措施", "江阳区", "leader", "2026-13-45"),
        ("1-1", "1. 水污染防治方面", "重复编号", "目标", "措施", "江阳区", "leader", "2026-12-31"),
        ("1-5", "1. 水污染防治方面", "缺目标", "", "措施", "江阳区", "leader", "2026-12-31"),
        ("1-6", "土壤污染防治", "未知类别", "目标", "措施", "江阳区", "leader", "2026-12-31"),
        ("1-7", "1. 大气", "类别名称不一致", "目标", "措施", "江阳区", "leader", "2026-12-31"),
        ("1-8", "1. 水污染防治方面", "未知领导", "目标", "措施", "江阳区", "王大锤", "2026-12-31"),
        ("1-9", "1. 水污染防治方面", "办公室不是责任单位", "目标", "措施", "市整改工作领导小组办公室", "leader",
         "长期坚持"),
        ("9-9", "1. 水污染防治方面", "与台账不同", "目标", "措施", "江阳区", "leader", "2026-12-31"),
        ("", "1. 水污染防治方面", "缺编号", "目标", "措施", "江阳区、江阳区", "leader", "下个月"),
        ("1-12", "7. 新类别", "新类别但单位缺", "目标", "措施", "", "", ""),
    ]
    with pytest.raises(ImportRejected) as refused:
        world.duban.reporting.import_tasks(world["coordinator"], xlsx(rows))
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {
        (3, "责任单位"), (4, "整改时限"), (5, "编号"), (6, "整改目标"), (7, "类别"), (8, "类别"), (9, "牵头市领导"),
        (10, "责任单位"), (11, "编号"), (12, "编号"), (12, "责任单位"), (12, "整改时限"), (13, "责任单位"),
        (13, "牵头市领导"), (13, "整改时限"),
    }
    messages = {(p.row, p.column): p.message for p in refused.value.problems}
    assert "火星局" in messages[(3, "责任单位")]
    assert "第 2 行" in messages[(5, "编号")]
    assert "问题/任务" in messages[(11, "编号")] and "交办" in messages[(11, "编号")]
    assert "F3" in str(refused.value.problems[0]) or any("F3" in str(p) for p in refused.value.problems)
    assert counts(world.duban) == before  # nothing imported: no task, no process, no category, no audit event


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    content = xlsx(GOOD_ROWS)
    world.duban.reporting.import_tasks(world["coordinator"], content)
    before = counts(world.duban)
    again = world.duban.reporting.import_tasks(world["coordinator"], content)
    assert again.created == [] and again.unchanged == ["1-1", "1-2", "2-1"]
    assert counts(world.duban) == before


def test_a_check_only_import_reports_but_keeps_nothing(world: World) -> None:
    before = counts(world.duban)
    checked = world.duban.reporting.import_tasks(world["coordinator"], xlsx(GOOD_ROWS), dry_run=True)
    assert checked.dry_run and checked.created == ["1-1", "1-2", "2-1"]
    assert counts(world.duban) == before


def test_a_new_category_is_created_only_from_number_and_name(world: World) -> None:
    rows = [("6-1", "6. 土壤污染防治方面", "废渣场", "目标", "措施", "泸县", "leader", "2027年12月底")]
    created = select(func.count()).where(AuditEvent.action == "category.created")
    with world.duban.db.transaction(write=False) as session:
        before = session.scalar(created)
    result = world.duban.reporting.import_tasks(world["coordinator"], xlsx(rows))
    assert result.new_categories == ["6. 土壤污染防治方面"]
    with world.duban.db.transaction(write=False) as session:
        task = session.scalars(select(RectificationTask)).one()
        assert (task.category.number, task.category.name, task.deadline) == (6, "土壤污染防治方面", date(2027, 12, 31))
        assert session.scalar(created) == before + 1  # the city's own categories were created before


def test_only_the_coordinator_imports(world: World) -> None:
    from engine.core.errors import PermissionDenied

    for username in ("supervisor", "staff", "leader"):
        with pytest.raises(PermissionDenied):
            world.duban.reporting.import_tasks(world[username], xlsx(GOOD_ROWS))


def test_files_that_are_not_ledgers_are_refused_with_a_reason(world: World) -> None:
    with pytest.raises(ImportRejected) as not_excel:
        world.duban.reporting.import_tasks(world["coordinator"], b"%PDF-1.4 not a workbook")
    assert "xlsx" in str(not_excel.value.problems[0])
    with pytest.raises(ImportRejected) as no_header:
        world.duban.reporting.import_tasks(world["coordinator"], xlsx([("1",)], header=("编号", "名称")))
    assert "没有找到表头行" in str(no_header.value.problems[0]) and "名称" in str(no_header.value.problems[0])
    with pytest.raises(ImportRejected) as no_columns:
        world.duban.reporting.import_tasks(world["coordinator"], xlsx([("1", "x", "江阳区")],
                                                                      header=("编号", "名称", "责任单位")))
    missing = {"问题/任务", "整改目标", "整改措施", "牵头市领导", "整改时限"}
    assert {p.column for p in no_columns.value.problems} == missing
    assert "没有认出的列：名称" in no_columns.value.problems[0].message
    with pytest.raises(ImportRejected) as empty:
        world.duban.reporting.import_tasks(world["coordinator"], xlsx([]))
    assert "没有任务行" in str(empty.value.problems[0])


@pytest.mark.parametrize(("cell", "expected"), [
    (datetime(2026, 6, 30), ("date", "2026-06-30")), ("2026/6/30", ("date", "2026-06-30")),
    ("2026年6月30日", ("date", "2026-06-30")), ("2026年6月底", ("date", "2026-06-30")),
    ("2026年底", ("date", "2026-12-31")), ("立行立改", ("immediate", None)),
    ("立行立改（2026-07-01）", ("immediate", "2026-07-01")), (" 长期 坚持 ", ("standing", None)),
])
def test_deadline_cells(cell: Any, expected: tuple[str, str | None]) -> None:
    assert parse_deadline(cell) == expected


@pytest.mark.parametrize("cell", ["2026-02-30", "明年", "2026年13月", 45000])
def test_bad_deadline_cells(cell: Any) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_deadline(cell)


def test_problem_cell_first_line_is_the_name() -> None:
    assert split_problem("名称\n 问题一\n\n问题二 ") == ("名称", "问题一\n\n问题二")
    assert split_problem("只有一行") == ("只有一行", "只有一行")


# --- export --------------------------------------------------------------------------------

def staged_ledger(world: World) -> dict[str, int]:
    ids = {"1-1": world.register("1-1", deadline="2026-06-30"),
           "1-2": world.register("1-2", deadline_kind="immediate", deadline="2026-04-10",
                                 problem="第一行问题\r\n第二行问题"),
           "2-1": world.register("2-1", category_id=world.categories[1], deadline_kind="standing", deadline=None,
                                 lead_unit_id=world.units["naxi"], cooperating_unit_ids=[],
                                 lead_leader_id=world["leader2"].user_id, title="扬尘", problem="扬尘")}
    walk_to_reporting(world, ids["1-1"])
    world.next_month()
    report_month(world, ids["1-1"])
    return ids


def test_export_has_the_import_columns_and_the_state_of_each_task(world: World) -> None:
    staged_ledger(world)
    content, count = world.duban.reporting.export_ledger(world["coordinator"], LedgerFilters())
    assert count == 3
    sheet = sheet_of(content)
    headers = [cell.value for cell in sheet[1]]
    assert tuple(headers[:8]) == LEDGER_HEADER
    assert headers[8:] == ["状态", "预警", "最近交账日期", "最近进展", "销号日期"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width > 30
    rows = {row["编号"]: row for row in table_of(content)}
    assert rows["1-1"]["状态"] == "推进中" and rows["1-1"]["最近进展"].startswith("2026-03：完成 50%")
    assert rows["1-1"]["最近交账日期"].date() == date(2026, 4, 1)
    assert rows["1-1"]["整改时限"].date() == date(2026, 6, 30)
    assert rows["1-2"]["整改时限"] == "立行立改（2026-04-10）" and rows["1-2"]["状态"] == "未启动"
    assert rows["2-1"]["整改时限"] == "长期坚持" and rows["2-1"]["问题/任务"] == "扬尘"
    assert rows["2-1"]["责任单位"] == "纳溪区" and rows["1-1"]["责任单位"] == "江阳区、市水务局"
    assert rows["1-1"]["预警"].startswith(("绿", "黄", "红"))
    assert sheet_of(content, 1).title == "说明"


def test_export_is_filtered_like_the_page_and_scoped_to_the_unit(world: World) -> None:
    staged_ledger(world)
    filters = LedgerFilters(category_id=world.categories[0])
    content, count = world.duban.reporting.export_ledger(world["coordinator"], filters)
    assert count == 2 and {row["编号"] for row in table_of(content)} == {"1-1", "1-2"}
    assert "类别：1. 水污染防治方面" in [c.value for c in sheet_of(content, 1)["B"]][4]
    content, count = world.duban.reporting.export_ledger(world["other_staff"], LedgerFilters())
    assert count == 1 and [row["编号"] for row in table_of(content)] == ["2-1"]
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "ledger.exported")) == 2


def test_export_then_import_into_a_fresh_database_gives_the_same_tasks(world: World, roles: RoleModel,
                                                                         tmp_path: Path) -> None:
    staged_ledger(world)
    content, _ = world.duban.reporting.export_ledger(world["coordinator"], LedgerFilters())
    fresh = Duban(Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}"), roles,
                  FakeClock(datetime(2026, 5, 1, 9, tzinfo=LOCAL_TZ)), WORKFLOWS)
    fresh.init_database()
    for name in ("leader", "leader2"):
        fresh.accounts.create_user(Actor.system(), username=name, password="Secret-pass-1", display_name=name,
                                   role="leader", unit_code=None, title="副市长")
    coordinator_id = fresh.accounts.create_user(Actor.system(), username="coord", password="Secret-pass-1",
                                                display_name="c", role="coordinator", unit_code="office")
    coordinator = fresh.accounts.user(coordinator_id)
    assert coordinator is not None
    result = fresh.reporting.import_tasks(actor_for(coordinator), content)
    assert sorted(result.created) == ["1-1", "1-2", "2-1"] and len(result.new_categories) == 2
    assert snapshot(fresh) == snapshot(world.duban)
    assert fresh.reporting.import_tasks(actor_for(coordinator), content).unchanged == ["1-1", "1-2", "2-1"]
    again, _ = fresh.reporting.export_ledger(Actor.system(), LedgerFilters())
    assert [row[c] for row in table_of(again) for c in LEDGER_HEADER] == \
        [row[c] for row in table_of(content) for c in LEDGER_HEADER]


def snapshot(duban: Duban) -> dict[str, tuple[Any, ...]]:
    with duban.db.transaction(write=False) as session:
        tasks = session.scalars(select(RectificationTask).options(selectinload(RectificationTask.cooperating_units)))
        leaders = dict(session.execute(select(User.id, User.display_name)).all())
        return {t.code: (t.category.number, t.category.name, t.title, t.problem.replace("\r\n", "\n"), t.target,
                         t.measures, t.lead_unit.code, [u.code for u in t.cooperating_units],
                         leaders[t.lead_leader_id], t.deadline_kind, t.deadline) for t in tasks}


def test_text_that_looks_like_a_formula_is_exported_as_text(world: World) -> None:
    world.register("1-1", title="=HYPERLINK(\"http://example.invalid\",\"点此\")", problem="=1+1")
    content, _ = world.duban.reporting.export_ledger(world["coordinator"], LedgerFilters())
    cell = sheet_of(content)["C2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
