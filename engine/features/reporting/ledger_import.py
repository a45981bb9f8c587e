"""Bringing in the ledger (台账) from an Excel workbook: register the new tasks of one, all or nothing.

Import columns (header names; order free, other columns ignored, header within the first rows):

    编号 · 类别 · 问题/任务 · 整改目标 · 整改措施 · 责任单位 · 牵头市领导 · 整改时限

- 问题/任务: the first line is the task's name, the lines after it the problem as the
  inspection found it; a single line is both.
- 类别: a category's name, its number, or "N. 名称". A category not in the system is created
  only when written as "N. 名称" with a new number (a deliberate declaration); a bare name
  that matches nothing is an error, as it is most likely a typo.
- 责任单位: the lead unit first, then the cooperating units, separated by 、 ， ; or line
  breaks; each by its name or its code (roles.yaml). An unknown unit is an error.
- 牵头市领导: the leader's name as in their account, optionally followed by （职务）.
- 整改时限: a date (an Excel date, 2026-12-31, 2026/12/31, 2026年12月31日, 2026年12月底,
  2026年底), 立行立改 (optionally with a date: 立行立改（2026-06-30）) or 长期坚持.

All or nothing: every row is checked with the same rules as registering one task by hand
(REGISTRATION_FIELDS and check_assignment); any problem rejects the file and lists every
problem by row and column. A row whose 编号 is already in the ledger with the same content
is left as it is, so importing the same file twice changes nothing; with different
content it is an error (changes to a registered task go through 交办, not an import).
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.core.errors import InvalidSubmission
from engine.core.fields import clean
from engine.core.spreadsheet import (
    Column,
    ImportRejected,
    Problem,
    Row,
    append_row,
    cell_text,
    styled_sheet,
    workbook_bytes,
)
from engine.core.statuses import DeadlineKind
from engine.features.rectification.forms import REGISTRATION_FIELDS, check_assignment
from engine.features.rectification.tasks import create_task
from engine.store.models import Category, RectificationTask, Unit, User
from engine.workflow.step import Step

RESPONSIBLE_KINDS = ("department", "county", "park")
IMMEDIATE, STANDING = "立行立改", "长期坚持"
#: (column, width in characters) of the ledger's own columns, in order
LEDGER_HEADERS = (("编号", 8), ("类别", 18), ("问题/任务", 46), ("整改目标", 40), ("整改措施", 56),
                  ("责任单位", 22), ("牵头市领导", 11), ("整改时限", 14))
LEDGER_COLUMNS = (
    Column("编号", ("任务编号",)),
    Column("类别", ("任务类别", "问题类别")),
    Column("问题/任务", ("问题", "存在问题", "整改任务", "任务", "问题(任务)")),
    Column("整改目标"),
    Column("整改措施"),
    Column("责任单位", ("牵头单位",)),
    Column("牵头市领导", ("牵头领导", "责任市领导")),
    Column("整改时限", ("完成时限", "时限")),
)
#: which column a registration field comes from, to place the engine's messages
FIELD_COLUMNS = {"code": "编号", "category_id": "类别", "title": "问题/任务", "problem": "问题/任务",
                 "target": "整改目标", "measures": "整改措施", "lead_unit_id": "责任单位",
                 "cooperating_unit_ids": "责任单位", "lead_leader_id": "牵头市领导", "deadline_kind": "整改时限",
                 "deadline": "整改时限"}
UNIT_SEPARATORS = re.compile(r"[、，,;；/\n]+")
CATEGORY_PATTERN = re.compile(r"^(\d{1,3})\s*[.．、]\s*(\S.*)$")
LEADER_PATTERN = re.compile(r"^(.+?)\s*[（(](.*)[)）]$")
IMMEDIATE_WITH_DATE = re.compile(r"^立行立改\s*[（(]\s*(.+?)\s*[)）]$")
DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月底?$"), "month"),
    (re.compile(r"^(\d{4})年底$"), "year"),
)


class ProgressReporter(Protocol):
    """Told how far a long import or export has come (the CLI draws a bar)."""

    def stage(self, label: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class _Silent:
    def stage(self, label: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


SILENT = _Silent()


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # codes of the tasks registered
    unchanged: list[str] = field(default_factory=list)  # codes already in the ledger as in the file
    new_categories: list[str] = field(default_factory=list)
    task_ids: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


# --- reading a cell ----------------------------------------------------------------------

def parse_deadline(value: Any) -> tuple[str, str | None]:
    """(deadline_kind, ISO date or None) from a 整改时限 cell; ValueError says what is accepted."""
    if isinstance(value, datetime):
        return DeadlineKind.DATE.value, value.date().isoformat()
    if isinstance(value, date):
        return DeadlineKind.DATE.value, value.isoformat()
    text = "".join(cell_text(value).split())
    if text == STANDING:
        return DeadlineKind.STANDING.value, None
    if text == IMMEDIATE:
        return DeadlineKind.IMMEDIATE.value, None
    match = IMMEDIATE_WITH_DATE.match(text)
    if match:
        return DeadlineKind.IMMEDIATE.value, _date_text(match.group(1)).isoformat()
    return DeadlineKind.DATE.value, _date_text(text).isoformat()


def _date_text(text: str) -> date:
    for pattern, precision in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return _date_of(precision, *(int(part) for part in match.groups()))
    raise ValueError("应为日期（如 2026-12-31）、立行立改或长期坚持")


def _date_of(precision: str, year: int, month: int = 12, day: int = 0) -> date:
    try:
        if precision != "day":
            day = calendar.monthrange(year, month)[1]
        return date(year, month, day)
    except ValueError:
        raise ValueError("不是有效的日期") from None


def split_problem(text: str) -> tuple[str, str]:
    """问题/任务: the first line names the task, the rest is the problem; one line is both."""
    first, _, rest = text.partition("\n")
    first, rest = first.strip(), rest.strip()
    return (first, rest) if rest else (first, first)


def normal_text(text: str) -> str:
    return cell_text(text)


# --- resolving names to rows of the database ---------------------------------------------

@dataclass
class Lookups:
    categories: dict[int, Category]
    units: dict[str, Unit]
    leaders: dict[str, list[User]]
    existing: dict[str, RectificationTask]

    @classmethod
    def load(cls, session: Session, codes: Sequence[str]) -> Lookups:
        units: dict[str, Unit] = {}
        for unit in session.scalars(select(Unit)):
            units.setdefault(unit.code, unit)
            units.setdefault(unit.name, unit)
        leaders: dict[str, list[User]] = {}
        for user in session.scalars(select(User).where(User.role == "leader", User.active.is_(True))
                                    .order_by(User.id)):
            leaders.setdefault(user.display_name, []).append(user)
        existing = session.scalars(select(RectificationTask).options(selectinload(
            RectificationTask.cooperating_units)).where(RectificationTask.code.in_(codes)))
        return cls({c.number: c for c in session.scalars(select(Category))}, units, leaders,
                   {task.code: task for task in existing})

    def category(self, text: str) -> int:
        if text.isdigit():
            if int(text) in self.categories:
                return self.categories[int(text)].id
            raise ValueError(f"没有序号为 {text} 的类别")
        match = CATEGORY_PATTERN.match(text)
        name = match.group(2).strip() if match else text
        found = [c for c in self.categories.values() if c.name == name]
        if match and int(match.group(1)) in self.categories:
            category = self.categories[int(match.group(1))]
            if category.name != name:
                raise ValueError(f"类别 {category.number} 在系统中是「{category.name}」，与文件中的「{name}」不一致")
            return category.id
        if found:
            return found[0].id
        raise ValueError("没有这个类别；新类别请写成「序号. 名称」，如「6. 土壤污染防治方面」")

    def units_of(self, text: str) -> tuple[int, list[int]]:
        names = [name.strip() for name in UNIT_SEPARATORS.split(text) if name.strip()]
        unknown = [name for name in names if name not in self.units]
        if unknown:
            raise ValueError(f"没有这个单位：{'、'.join(unknown)}（请用系统中的单位名称或代码）")
        wrong = [name for name in names if self.units[name].kind not in RESPONSIBLE_KINDS]
        if wrong:
            raise ValueError(f"不能作为责任单位：{'、'.join(wrong)}（应为市级部门、区县或园区）")
        ids = [self.units[name].id for name in names]
        if len(set(ids)) != len(ids):
            raise ValueError("同一单位写了不止一次")
        return ids[0], ids[1:]

    def leader(self, text: str) -> int:
        match = LEADER_PATTERN.match(text)
        name, title = (match.group(1).strip(), match.group(2).strip()) if match else (text, "")
        people = self.leaders.get(name, [])
        if title and len(people) > 1:
            people = [person for person in people if person.title == title]
        if not people:
            raise ValueError(f"没有名为「{name}」的牵头市领导账号")
        if len(people) > 1:
            raise ValueError(f"有 {len(people)} 位名为「{name}」的牵头市领导，请在姓名后加（职务）区分")
        return people[0].id


# --- importing -----------------------------------------------------------------------------

def import_rows(step: Step, rows: Sequence[Row], progress: ProgressReporter = SILENT) -> ImportResult:
    """Check every row, then register the new ones; ImportRejected (nothing done) if any row is wrong."""
    result = ImportResult()
    if not rows:
        raise ImportRejected([Problem(0, "", "表头下面没有任务行")])
    problems = declare_categories(step, rows, result)
    lookups = Lookups.load(step.session, [row.text("编号") for row in rows])
    progress.stage("校验", len(rows))
    new_rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for row in rows:
        data, row_problems = _checked_row(step, row, lookups, first_row)
        problems += row_problems
        if not row_problems and data["code"] in lookups.existing:
            result.unchanged.append(data["code"])
        elif not row_problems:
            new_rows.append(data)
        progress.advance()
    if problems:
        raise ImportRejected(problems)
    progress.stage("登记", len(new_rows))
    for data in new_rows:
        result.task_ids[data["code"]] = create_task(step, data).id
        result.created.append(data["code"])
        progress.advance()
    return result


def declare_categories(step: Step, rows: Sequence[Row], result: ImportResult) -> list[Problem]:
    """Create the categories the file declares as "N. 名称" with a new number (audited)."""
    known = {c.number: c.name for c in step.session.scalars(select(Category))}
    declared: dict[int, tuple[str, Row]] = {}
    problems: list[Problem] = []
    for row in rows:
        match = CATEGORY_PATTERN.match(row.text("类别"))
        if not match or int(match.group(1)) in known:
            continue
        number, name = int(match.group(1)), match.group(2).strip()
        if number in declared and declared[number][0] != name:
            problems.append(row.problem("类别", f"类别 {number} 在第 {declared[number][1].number} 行写作"
                                                f"「{declared[number][0]}」，两处不一致"))
        elif name in known.values():
            problems.append(row.problem("类别", f"类别「{name}」在系统中的序号不是 {number}"))
        declared.setdefault(number, (name, row))
    for number, (name, _row) in sorted(declared.items()):
        category = Category(number=number, name=name)
        step.session.add(category)
        step.session.flush()
        step.audit("category.created", ("category", category.id), f"导入台账时新建类别 {number}. {name}",
                   after={"number": number, "name": name})
        result.new_categories.append(f"{number}. {name}")
    return problems


def _checked_row(step: Step, row: Row, lookups: Lookups,
                 first_row: dict[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    data, problems = _resolve(row, lookups)
    bad_columns = {problem.column for problem in problems}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean(REGISTRATION_FIELDS, data)
    except InvalidSubmission as exc:
        problems += _engine_problems(row, exc.errors, bad_columns)
    else:
        problems += _engine_problems(row, check_assignment(step, cleaned), bad_columns)
    code = data["code"]
    if code in first_row:
        problems.append(row.problem("编号", f"与第 {first_row[code]} 行的编号重复"))
    elif code:
        first_row[code] = row.number
    if not problems and code in lookups.existing:
        differences = _differences(lookups.existing[code], cleaned)
        if differences:
            problems.append(row.problem("编号", f"编号已在台账中，但{'、'.join(differences)}与台账不一致；"
                                              "已登记任务的变更请在系统中通过交办办理，不能用导入覆盖"))
    return cleaned or data, problems


def _resolve(row: Row, lookups: Lookups) -> tuple[dict[str, Any], list[Problem]]:
    title, problem = split_problem(row.text("问题/任务"))
    data: dict[str, Any] = {"code": row.text("编号"), "title": title, "problem": problem,
                            "target": row.text("整改目标"), "measures": row.text("整改措施"),
                            "category_id": None, "lead_unit_id": None, "cooperating_unit_ids": [],
                            "lead_leader_id": None, "deadline_kind": None, "deadline": None}
    problems: list[Problem] = []
    readers: dict[str, Callable[[], None]] = {
        "类别": lambda: data.update(category_id=lookups.category(row.text("类别"))),
        "责任单位": lambda: data.update(zip(("lead_unit_id", "cooperating_unit_ids"),
                                          lookups.units_of(row.text("责任单位")), strict=True)),
        "牵头市领导": lambda: data.update(lead_leader_id=lookups.leader(row.text("牵头市领导"))),
        "整改时限": lambda: data.update(zip(("deadline_kind", "deadline"), parse_deadline(row.values.get("整改时限")),
                                        strict=True)),
    }
    for column, read in readers.items():
        if not row.text(column) and not isinstance(row.values.get(column), date):
            problems.append(row.problem(column, "必须填写"))
            continue
        try:
            read()
        except ValueError as exc:
            problems.append(row.problem(column, str(exc)))
    return data, problems


def _engine_problems(row: Row, errors: dict[str, list[str]], skip: set[str]) -> list[Problem]:
    problems = []
    for name, messages in errors.items():
        column = FIELD_COLUMNS.get(name, name)
        if column in skip:
            continue
        skip.add(column)
        text = "；".join("必须填写" if message == "必填" else message for message in messages)
        if name == "title":
            text = f"第一行（任务名称）{text}"
        problems.append(row.problem(column, text))
    return problems


def _differences(task: RectificationTask, data: dict[str, Any]) -> list[str]:
    same = {
        "类别": task.category_id == data["category_id"],
        "问题/任务": (normal_text(task.title), normal_text(task.problem)) == (data["title"], data["problem"]),
        "整改目标": normal_text(task.target) == data["target"],
        "整改措施": normal_text(task.measures) == data["measures"],
        "责任单位": (task.lead_unit_id, sorted(u.id for u in task.cooperating_units))
        == (data["lead_unit_id"], sorted(data["cooperating_unit_ids"])),
        "牵头市领导": task.lead_leader_id == data["lead_leader_id"],
        "整改时限": (task.deadline_kind.value, task.deadline.isoformat() if task.deadline else None)
        == (data["deadline_kind"], data["deadline"]),
    }
    return [column for column, equal in same.items() if not equal]


def template_workbook() -> bytes:
    """An empty ledger with the import columns (the first sheet is what is imported), the rules, an example."""
    workbook = Workbook()
    styled_sheet(workbook, "整改任务台账", LEDGER_HEADERS)
    rules = styled_sheet(workbook, "填写说明", (("列", 14), ("填写要求", 90)), first=False)
    example = styled_sheet(workbook, "示例（不导入）", LEDGER_HEADERS, first=False)
    append_row(example, ["6-1", "6. 土壤污染防治方面",
                       "历史遗留废渣场未规范处置\n某工业园区历史遗留废渣场未采取防渗措施，存在环境风险。",
                       "2027年底前完成废渣规范处置和场地修复。",
                       "1. 开展排查评估\n2. 制定处置方案\n3. 完成处置和修复",
                       "市生态环境局、泸县", "刘振华", "2027-12-31"])
    for line in (("编号", "必填，不超过 32 个字符，不能与其他任务重复。"),
                 ("类别", "类别名称、序号，或「序号. 名称」；新类别只能写成「序号. 名称」。"),
                 ("问题/任务", "第一行为任务名称（不超过 200 字），其后为督察反馈的问题；只写一行时两者相同。"),
                 ("整改目标 / 整改措施", "必填。"),
                 ("责任单位", "先写牵头单位，再写配合单位，用「、」分隔；单位名称或代码须与系统一致。"),
                 ("牵头市领导", "牵头市领导的姓名（与系统账号一致），同名时在姓名后加（职务）。"),
                 ("整改时限", "日期（如 2027-12-31、2027年12月底）、立行立改或长期坚持。"),
                 ("导入规则", "只导入第一个工作表。任何一行有误，整个文件都不导入，并列出全部问题；"
                              "已在台账中且内容相同的任务跳过。")):
        append_row(rules, line)
    return workbook_bytes(workbook)


