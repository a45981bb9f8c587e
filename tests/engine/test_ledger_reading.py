"""An office's own ledger read as it is: header found, synonyms, section rows, notes, free-text deadlines, units by
short names and groups, leaders by title; .xlsx, .xls and .csv; each imported into a fresh database."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.core import archive
from engine.core.actor import Actor
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import DeadlineKind
from engine.features.accounts.usecases import actor_for
from engine.features.reporting.ledger_deadlines import read_deadline
from engine.store.models import Category, RectificationTask
from tests.engine.test_ledger_io import counts
from tests.factories import PASSWORD, World
from tests.ledgers import CITY_LEDGER, HEADER, ledger_csv, ledger_xls, ledger_xlsx

COUNTIES = ["江阳区", "龙马潭区", "纳溪区", "泸县", "合江县", "叙永县", "古蔺县"]
#: code -> (category, lead unit, cooperating units, leader, kind, deadline, deadline as written)
EXPECTED = {
    "2-1": ("大气污染防治方面", "市住房城乡建设局", ["市综合行政执法局", *COUNTIES], "executive",
            DeadlineKind.DATE, date(2018, 12, 31), "2018年12月底前"),
    "2-2": ("大气污染防治方面", "市生态环境局", ["市发展改革委", "市经济和信息化局"], "leader",
            DeadlineKind.IMMEDIATE, None, "立行立改、长期坚持"),
    "1-1": ("水污染防治方面", "江阳区", [], "leader2", DeadlineKind.DATE, date(2019, 6, 30), "2019年6月"),
    "1-2": ("水污染防治方面", "江阳区", COUNTIES[1:], "leader", DeadlineKind.DATE, date(2018, 6, 30),
            "2018年6月底前完成并长期坚持"),
    "3-1": ("土壤污染防治方面", "市水务局", ["纳溪区"], "leader", DeadlineKind.DATE, date(2027, 12, 31), None),
}


@pytest.fixture
def office(world: World) -> World:
    """The test city with an executive vice mayor: the only leader holding the title 常务副市长."""
    user_id = world.duban.accounts.create_user(Actor.system(), username="executive", password=PASSWORD,
                                               display_name="executive", role="leader", title="常务副市长")
    user = world.duban.accounts.user(user_id)
    assert user is not None
    world.actors["executive"] = actor_for(user)
    return world


def imported(world: World) -> dict[str, tuple[object, ...]]:
    with world.duban.db.transaction(write=False) as session:
        tasks = session.scalars(select(RectificationTask).options(
            selectinload(RectificationTask.category), selectinload(RectificationTask.lead_unit),
            selectinload(RectificationTask.cooperating_units), selectinload(RectificationTask.lead_leader)))
        return {task.code: (task.category.name, task.lead_unit.name, sorted(u.name for u in task.cooperating_units),
                            task.lead_leader.display_name, task.deadline_kind, task.deadline, task.deadline_text)
                for task in tasks}


def expected(csv_dates: bool = False) -> dict[str, tuple[object, ...]]:
    rows = {code: (*row[:2], sorted(row[2]), *row[3:]) for code, row in EXPECTED.items()}
    if csv_dates:  # a CSV file has no date cells: the date is text, kept as written
        rows["3-1"] = (*rows["3-1"][:6], "2027/12/31")
    return rows


@pytest.mark.parametrize("content", [
    pytest.param(ledger_xlsx(), id="xlsx"),
    pytest.param(ledger_xls(), id="xls"),
])
def test_a_city_ledger_is_imported_as_the_office_keeps_it(office: World, content: bytes) -> None:
    result = office.duban.reporting.import_tasks(office["coordinator"], content, file_name="清单")
    assert sorted(result.created) == sorted(EXPECTED)
    assert result.new_categories == ["3. 土壤污染防治方面"]
    assert imported(office) == expected()
    with office.duban.db.transaction(write=False) as session:
        titles = {task.code: task.title for task in session.scalars(select(RectificationTask))}
    assert titles["2-1"] == "建筑工地扬尘管控不力"  # a long problem is named by its first sentence
    assert titles["2-2"] == "工业炉窑治理滞后"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_csv_ledger_in_utf8_or_gb18030_is_imported(office: World, encoding: str) -> None:
    office.duban.reporting.import_tasks(office["coordinator"], ledger_csv(encoding))
    assert imported(office) == expected(csv_dates=True)


def test_the_preview_shows_each_row_as_understood_with_warnings_apart(office: World) -> None:
    before = counts(office.duban)
    preview = office.duban.reporting.preview_import(office["coordinator"], ledger_xlsx())
    assert counts(office.duban) == before  # a preview keeps nothing, not even the new category
    assert preview.header_row == 3 and not preview.problems
    assert [(number, category) for number, _text, category in preview.sections] == [
        (4, "2. 大气污染防治方面"), (8, "1. 水污染防治方面"), (11, "3. 土壤污染防治方面")]
    assert [(number, why) for number, why, _text in preview.skipped] == [(7, "空行"), (13, "注释行")]
    rows = {row.code: row for row in preview.rows}
    first = rows["2-1"]
    assert first.reading == "「2018年12月底前」读作 2018-12-31"
    assert "整改时限 2018-12-31 已过" in first.warnings
    assert "「市住建局」读作 市住房城乡建设局" in first.warnings
    assert any(warning.startswith("「各区县党委政府」展开为 7 个单位") for warning in first.warnings)
    assert "「常务副市长」按职务读作 executive" in first.warnings
    assert rows["1-2"].reading == "「2018年6月底前完成并长期坚持」读作 2018-06-30，并长期坚持"
    assert rows["2-2"].reading == "「立行立改、长期坚持」读作 立行立改"
    assert rows["3-1"].warnings == []


def test_reimporting_the_ledger_changes_nothing(office: World) -> None:
    office.duban.reporting.import_tasks(office["coordinator"], ledger_xlsx())
    before = counts(office.duban)
    again = office.duban.reporting.import_tasks(office["coordinator"], ledger_xls())
    assert again.created == [] and sorted(again.unchanged) == sorted(EXPECTED)
    assert counts(office.duban) == before


def test_unknown_units_and_leaders_are_named_with_the_nearest_ones(office: World) -> None:
    ledger = [("section", "一、大气污染防治方面"),
              ("1", "问题", "目标", "措施", "市住房城建局、火星局", "分管副市长", "下个月", ""),
              ("2", "问题", "目标", "措施", "市整改工作领导小组办公室", "副市长", "2019年13月", "")]
    before = counts(office.duban)
    with pytest.raises(ImportRejected) as refused:
        office.duban.reporting.import_tasks(office["coordinator"], ledger_xlsx(ledger))
    messages = {(p.row, p.column): p.message for p in refused.value.problems}
    assert "您是不是指 市住房城乡建设局？" in messages[(5, "责任单位")] and "火星局" in messages[(5, "责任单位")]
    assert "分管副市长" in messages[(5, "责任领导")]
    assert "立行立改或长期坚持" in messages[(5, "完成 时限")]
    assert "不能作为责任单位" in messages[(6, "责任单位")]
    assert "有 2 位" in messages[(6, "责任领导")] and "请写姓名" in messages[(6, "责任领导")]
    assert "不是有效的日期" in messages[(6, "完成 时限")]
    assert any(p.letter == "E" for p in refused.value.problems)
    assert counts(office.duban) == before


def test_an_unknown_header_is_mapped_by_the_person_and_saved_as_a_profile(office: World) -> None:
    header = tuple("牵头处室" if name == "责任单位" else name for name in HEADER)
    content = ledger_xlsx(CITY_LEDGER, header)
    preview = office.duban.reporting.preview_import(office["coordinator"], content)
    assert preview.needs_mapping and not preview.rows
    assert "牵头处室" in preview.problems[0].message and "--map 列名=units" in preview.problems[0].message
    mapped = office.duban.reporting.preview_import(office["coordinator"], content, mapping={"牵头处室": "units"})
    assert not mapped.problems and len(mapped.rows) == 5
    office.duban.reporting.save_import_profile(office["coordinator"], "市整改办清单", mapped.mapping())
    assert office.duban.reporting.import_profiles(office["coordinator"])["市整改办清单"]["牵头处室"] == "units"
    office.duban.reporting.import_tasks(office["coordinator"], content, profile="市整改办清单")
    assert imported(office) == expected()


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"", "文件是空的", id="empty"),
    pytest.param(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "文件内容是 pdf", id="pdf"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "可能设置了打开密码", id="damaged-xls"),
    pytest.param(b"PK\x03\x04" + b"\x00" * 100, ".xlsx 或 .xls", id="damaged-zip"),
    pytest.param("序号,反馈问题\n1,问题\n".encode("utf-16"), ".xlsx 或 .xls", id="utf16-csv"),
    pytest.param(b"\xff\xfe\xfa\x80,\x81\n", "GB18030", id="undecodable-csv"),
    pytest.param("会议纪要,第一次\n出席,张三\n".encode(), "没有找到表头行", id="not-a-ledger"),
    pytest.param(f"序号,反馈问题\n1,\"{'很' * 200_000}\"\n".encode(), "无法读取这个 CSV 文件", id="huge-csv-cell"),
])
def test_files_that_cannot_be_read_are_refused_with_their_reason(office: World, content: bytes,
                                                                 message: str) -> None:
    before = counts(office.duban)
    with pytest.raises(ImportRejected) as refused:
        office.duban.reporting.import_tasks(office["coordinator"], content)
    assert message in str(refused.value.problems[0])
    assert counts(office.duban) == before


def test_a_task_row_before_any_section_needs_a_category(office: World) -> None:
    ledger = [("1", "问题", "目标", "措施", "江阳区", "leader", "2027年底前", "")]
    with pytest.raises(ImportRejected) as refused:
        office.duban.reporting.import_tasks(office["coordinator"], ledger_xlsx(ledger))
    assert "上面没有类别行" in str(refused.value.problems[0])


def test_existing_categories_are_matched_by_name_whatever_their_number(office: World) -> None:
    with office.duban.db.transaction(write=False) as session:
        before = {c.number: c.name for c in session.scalars(select(Category))}
    office.duban.reporting.import_tasks(office["coordinator"], ledger_xlsx())
    with office.duban.db.transaction(write=False) as session:
        after = {c.number: c.name for c in session.scalars(select(Category))}
    assert after == {**before, 3: "土壤污染防治方面"}


@pytest.mark.parametrize(("cell", "kind", "day"), [
    ("2018年12月底前", DeadlineKind.DATE, date(2018, 12, 31)),
    ("2019年底前", DeadlineKind.DATE, date(2019, 12, 31)),
    ("2019年6月", DeadlineKind.DATE, date(2019, 6, 30)),
    ("２０１９年２月底", DeadlineKind.DATE, date(2019, 2, 28)),
    ("2020年上半年", DeadlineKind.DATE, date(2020, 6, 30)),
    ("2020年第三季度", DeadlineKind.DATE, date(2020, 9, 30)),
    ("2018年12月31日前", DeadlineKind.DATE, date(2018, 12, 31)),
    ("2018年底前基本完成，2020年底前全面完成", DeadlineKind.DATE, date(2020, 12, 31)),
    ("立行立改", DeadlineKind.IMMEDIATE, None),
    ("长期坚持", DeadlineKind.STANDING, None),
    ("立行立改、长期坚持", DeadlineKind.IMMEDIATE, None),
    ("2018年6月底前完成并长期坚持", DeadlineKind.DATE, date(2018, 6, 30)),
    ("立行立改（2026-06-30）", DeadlineKind.IMMEDIATE, date(2026, 6, 30)),
    (2019, DeadlineKind.DATE, date(2019, 12, 31)),
])
def test_free_text_deadlines(cell: object, kind: DeadlineKind, day: date | None) -> None:
    deadline = read_deadline(cell)
    assert (deadline.kind, deadline.date) == (kind, day)


def test_several_dates_are_read_as_the_latest_and_said_so() -> None:
    assert read_deadline("2018年底前基本完成，2020年底前全面完成").reading.endswith("（写有多个日期，取最晚的）")


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(office: World,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(ImportRejected) as refused:
        office.duban.reporting.preview_import(office["coordinator"], ledger_xlsx())
    assert "解压后超过" in str(refused.value.problems[0])
