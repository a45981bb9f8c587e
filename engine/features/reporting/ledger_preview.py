"""How duban understood a ledger, row by row, before anything is registered: the preview a person confirms.

Every task row comes out with its code, category, lead and cooperating units, leader, deadline and kind,
each checked with the same rules as registering one task by hand (REGISTRATION_FIELDS, check_assignment).
Warnings (a deadline already past, a unit read from its short name, a group expanded) are kept apart from
problems: a problem anywhere refuses the whole file, a warning is for the person to look at. Section rows,
notes, blank rows and repeated headers are listed as read or skipped.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.core.errors import InvalidSubmission
from engine.core.fields import clean
from engine.core.roles import RoleModel
from engine.core.spreadsheet import Problem, cell_text
from engine.core.statuses import DeadlineKind
from engine.core.text import N_
from engine.features.rectification.forms import REGISTRATION_FIELDS, check_assignment
from engine.features.reporting.ledger_deadlines import read_deadline
from engine.features.reporting.ledger_matching import Categories, Leaders, Units, nearest
from engine.features.reporting.ledger_reading import FIELDS, Column, ReadLedger, SheetRow, normal, section_of
from engine.features.rounds.register import current_round_id
from engine.store.models import InspectionRound, RectificationTask, Unit
from engine.workflow.step import Step

TITLE_MAX = 60
DEADLINE_TEXT_MAX = 100
#: which ledger field a registration field comes from, to place the engine's messages
SOURCE_OF = {"code": "code", "category_id": "category", "title": "problem", "problem": "problem",
             "target": "target", "measures": "measures", "lead_unit_id": "units", "cooperating_unit_ids": "units",
             "lead_leader_id": "leader", "deadline_kind": "deadline", "deadline": "deadline"}
SKIPPED = {"note": N_("注释行"), "blank": N_("空行"), "header": N_("重复的表头")}


@dataclass
class PreviewRow:
    number: int
    code: str = ""
    category: str = ""
    title: str = ""
    lead_unit: str = ""
    cooperating_units: list[str] = field(default_factory=list)
    leader: str = ""
    deadline_kind: DeadlineKind | None = None
    deadline: date | None = None
    deadline_text: str = ""
    reading: str = ""
    existing: bool = False  # already in the ledger as in the file
    letters: dict[str, str] = field(default_factory=dict)  # field -> the column's letter in Excel
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict, repr=False)  # registration data, checked


@dataclass
class LedgerPreview:
    file_kind: str
    header_row: int
    columns: list[Column]
    rows: list[PreviewRow] = field(default_factory=list)
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # (row, as written, category)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, why, text)
    file_problems: list[Problem] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    #: the inspection round the tasks are registered in (codes are compared with that round's ledger)
    round_name: str = ""

    @property
    def problems(self) -> list[Problem]:
        return [*self.file_problems, *(problem for row in self.rows for problem in row.problems)]

    @property
    def warning_count(self) -> int:
        return sum(len(row.warnings) for row in self.rows)

    @property
    def needs_mapping(self) -> bool:
        return any(problem.row == 0 and problem.column in FIELDS.values() for problem in self.file_problems)

    def mapping(self) -> dict[str, str]:
        """Each column's field, as a profile saves it (header -> field; an unknown column is not imported)."""
        return {column.header: column.field or "ignore" for column in self.columns}

    def in_order(self) -> list[tuple[int, str, Any]]:
        """Every row under the header as the file has them: (row, task | section | skipped, what was read)."""
        lines = [(row.number, "task", row) for row in self.rows]
        lines += [(number, "section", (text, category)) for number, text, category in self.sections]
        lines += [(number, "skipped", (why, text)) for number, why, text in self.skipped]
        return sorted(lines, key=lambda line: line[0])

    def new_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if not row.existing]


def preview_ledger(step: Step, ledger: ReadLedger, roles: RoleModel, round_id: int | None = None) -> LedgerPreview:
    """Every row of the ledger as understood, for the round given (else the current one); new categories are
    created in `step` (rolled back unless confirmed)."""
    preview = LedgerPreview(ledger.file_kind, ledger.header_row, ledger.columns)
    chosen = step.session.get(InspectionRound, round_id or current_round_id(step.session) or 0)
    if chosen is None:
        raise InvalidSubmission({"round_id": [N_("没有这个督察批次")]})
    preview.round_name = chosen.name
    if ledger.missing:
        preview.file_problems = [_missing(ledger, name) for name in ledger.missing]
        return preview
    reader = _RowReader(step, ledger, roles, chosen.id)
    for row in ledger.rows:
        if row.kind == "section":
            preview.sections.append((row.number, row.text, reader.enter_section(row)))
        elif row.kind == "task":
            preview.rows.append(reader.read(row))
        else:
            preview.skipped.append((row.number, SKIPPED[row.kind], row.text))
    if not preview.rows:
        preview.file_problems.append(Problem(0, "", f"表头（第 {ledger.header_row} 行）下面没有任务行"))
    reader.check(preview.rows)
    preview.new_categories = reader.categories.created
    return preview


def _missing(ledger: ReadLedger, name: str) -> Problem:
    headers = "、".join(column.header for column in ledger.columns) or "（空）"
    unknown = "、".join(column.header for column in ledger.unknown)
    return Problem(0, FIELDS[name], f"找不到这一列。第 {ledger.header_row} 行的表头是：{headers}"
                   + (f"；其中没有认出的列：{unknown}" if unknown else "")
                   + f"。请指明哪一列是「{FIELDS[name]}」（网页上的对应步骤，或命令行 --map 列名={name}）")


class _RowReader:
    def __init__(self, step: Step, ledger: ReadLedger, roles: RoleModel, round_id: int) -> None:
        self.step = step
        self.round_id = round_id
        self.headers = {column.field: column.header for column in ledger.columns if column.field}
        self.units = Units(step.session.scalars(select(Unit)), roles)
        self.leaders = Leaders(step.session)
        self.categories = Categories(step)
        self.section: tuple[int | None, str] = (None, "")
        self.running: dict[int, int] = {}
        self.first_row: dict[str, int] = {}

    def enter_section(self, row: SheetRow) -> str:
        category, _warnings = self.categories.of_section(*row.section)
        self.section = (category.id, f"{category.number}. {category.name}")
        return self.section[1]

    def problem(self, row: SheetRow, name: str, message: str) -> Problem:
        return Problem(row.number, self.headers.get(name, FIELDS[name]), message, row.letters.get(name, ""))

    def read(self, row: SheetRow) -> PreviewRow:
        result = PreviewRow(row.number, letters=row.letters)
        title, problem = split_problem(row.text_of("problem"))
        result.title = title
        result.data = {"round_id": self.round_id, "code": "", "title": title, "problem": problem,
                       "target": row.text_of("target"), "measures": row.text_of("measures"), "category_id": None,
                       "lead_unit_id": None,
                       "cooperating_unit_ids": [], "lead_leader_id": None, "deadline_kind": None, "deadline": None}
        readers: dict[str, Callable[[], list[str]]] = {
            "category": lambda: self._category(row, result),
            "units": lambda: self._units(row, result),
            "leader": lambda: self._leader(row, result),
            "deadline": lambda: self._deadline(row, result),
        }
        for name, read in readers.items():
            if name != "category" and not row.text_of(name) and not isinstance(row.value(name), date):
                result.problems.append(self.problem(row, name, "必须填写"))
                continue
            try:
                result.warnings += read()
            except ValueError as exc:
                result.problems.append(self.problem(row, name, str(exc)))
        result.code = result.data["code"] = self._code(row, result)
        return result

    def _category(self, row: SheetRow, result: PreviewRow) -> list[str]:
        text = row.text_of("category")
        if not text:
            if self.section[0] is None:
                raise ValueError("这一行上面没有类别行（如「一、大气污染防治方面」），文件也没有类别列")
            result.data["category_id"], result.category = self.section
            return []
        warnings: list[str] = []
        if text.isdigit() and int(text) in self.categories.all:
            category = self.categories.all[int(text)]
        elif re.match(r"^\d+\s*[.．、]", text):
            number, name = _numbered(text)
            known = self.categories.all.get(number)
            if known and self.categories.named(name) != known:
                raise ValueError(f"类别 {number} 在系统中是「{known.name}」，与文件中的「{name}」不一致")
            category, warnings = self.categories.of_section(number, name)
        elif (section := section_of(text)) and section[0] is not None:
            category, warnings = self.categories.of_section(*section)
        else:
            found = self.categories.named(text)
            if found is None:
                names = {normal(c.name): c.name for c in self.categories.all.values()}
                raise ValueError(f"没有类别「{text}」{nearest(text, names)}（新类别请写成「序号. 名称」，"
                                 "或在任务行上方加一行类别，如「六、土壤污染防治方面」）")
            category = found
        result.data["category_id"], result.category = category.id, f"{category.number}. {category.name}"
        return warnings

    def _units(self, row: SheetRow, result: PreviewRow) -> list[str]:
        found = self.units.read(row.text_of("units"), row.text_of("cooperating"))
        result.data["lead_unit_id"] = found.lead.id
        result.data["cooperating_unit_ids"] = [unit.id for unit in found.cooperating]
        result.lead_unit, result.cooperating_units = found.lead.name, [unit.name for unit in found.cooperating]
        return found.warnings

    def _leader(self, row: SheetRow, result: PreviewRow) -> list[str]:
        leader, warnings = self.leaders.read(row.text_of("leader"))
        result.data["lead_leader_id"], result.leader = leader.id, leader.display_name
        return warnings

    def _deadline(self, row: SheetRow, result: PreviewRow) -> list[str]:
        deadline = read_deadline(row.value("deadline"))
        result.deadline_kind, result.deadline, result.reading = deadline.kind, deadline.date, deadline.reading
        result.deadline_text = deadline.text[:DEADLINE_TEXT_MAX]
        result.data.update(deadline_kind=deadline.kind.value,
                           deadline=deadline.date.isoformat() if deadline.date else None)
        if deadline.date and deadline.date < self.step.today:
            return [f"整改时限 {deadline.date.isoformat()} 已过"]
        return []

    def _code(self, row: SheetRow, result: PreviewRow) -> str:
        """编号 as written; else 类别序号-序号 (or the row's place in its section), the same on every import."""
        written = "".join(row.text_of("code").split())
        if written or "code" in self.headers:
            return written
        number = result.category.partition(".")[0] if result.category else "0"
        seq = "".join(row.text_of("seq").split()).removesuffix(".")
        if not seq:
            self.running[int(number)] = self.running.get(int(number), 0) + 1
            seq = str(self.running[int(number)])
        return f"{number}-{seq}"

    def check(self, rows: list[PreviewRow]) -> None:
        """Registration's rules on every row, duplicates within the file, and rows already in the round's ledger."""
        codes = [row.code for row in rows]
        existing = {task.code: task for task in self.step.session.scalars(
            select(RectificationTask).options(selectinload(RectificationTask.cooperating_units))
            .where(RectificationTask.round_id == self.round_id, RectificationTask.code.in_(codes)))}
        for row in rows:
            self._check_one(row, existing.get(row.code))

    def _check_one(self, row: PreviewRow, existing: RectificationTask | None) -> None:
        bad = {problem.column for problem in row.problems}
        if row.code and row.code in self.first_row:
            row.problems.append(self._problem(row, "code", f"与第 {self.first_row[row.code]} 行的编号重复"))
        self.first_row.setdefault(row.code, row.number)
        try:
            cleaned = clean(REGISTRATION_FIELDS, row.data)
        except InvalidSubmission as exc:
            row.problems += self._engine_problems(row, exc.errors, bad)
            return
        row.problems += self._engine_problems(row, check_assignment(self.step, cleaned), bad)
        row.data = {**cleaned, "deadline_text": row.deadline_text}
        if existing is not None and not row.problems:
            differences = [self.headers.get(name, FIELDS[name]) for name in _differences(existing, cleaned)]
            if differences:
                row.problems.append(self._problem(row, "code", f"编号 {row.code} 已在台账中，但"
                                                  f"{'、'.join(differences)}与台账不一致；已登记任务的变更请在系统中"
                                                  "通过交办办理，不能用导入覆盖"))
            row.existing = True

    def _problem(self, row: PreviewRow, name: str, message: str) -> Problem:
        if name not in self.headers and "seq" in self.headers:  # a code made from 序号
            name = "seq"
        return Problem(row.number, self.headers.get(name, FIELDS[name]), message, row.letters.get(name, ""))

    def _engine_problems(self, row: PreviewRow, errors: dict[str, list[str]], skip: set[str]) -> list[Problem]:
        problems = []
        for name, messages in errors.items():
            source = SOURCE_OF.get(name, name)
            column = self.headers.get(source, FIELDS.get(source, name))
            if column in skip:
                continue
            skip.add(column)
            text = "；".join("必须填写" if message == "必填" else str(message) for message in messages)
            problems.append(Problem(row.number, column, f"任务名称（第一行）{text}" if name == "title" else text,
                                    row.letters.get(source, "")))
        return problems


def split_problem(text: str) -> tuple[str, str]:
    """问题/任务: the first line names the task, the rest is the problem; a long first line is shortened to name it."""
    first, _, rest = text.partition("\n")
    first, rest = first.strip(), rest.strip()
    if rest:
        return first, rest
    return short_title(first), first


def short_title(text: str) -> str:
    """A problem's first sentence (or its first TITLE_MAX characters) as the task's name."""
    if len(text) <= TITLE_MAX:
        return text
    sentence = re.split(r"[。；;]", text, maxsplit=1)[0]
    return sentence if len(sentence) <= TITLE_MAX else sentence[:TITLE_MAX - 1] + "…"


def _numbered(text: str) -> tuple[int, str]:
    number, name = re.split(r"\s*[.．、]\s*", text, maxsplit=1)
    return int(number), name.strip()


def _differences(task: RectificationTask, data: dict[str, Any]) -> list[str]:
    """The fields (ledger_reading.FIELDS) in which a registered task differs from a row."""
    same = {
        "category": task.category_id == data["category_id"],
        "problem": cell_text(task.problem) == data["problem"]
        and (cell_text(task.title) == data["title"] or task.title == task.problem),  # a long title shortened
        "target": cell_text(task.target) == data["target"],
        "measures": cell_text(task.measures) == data["measures"],
        "units": (task.lead_unit_id, sorted(u.id for u in task.cooperating_units))
        == (data["lead_unit_id"], sorted(data["cooperating_unit_ids"])),
        "leader": task.lead_leader_id == data["lead_leader_id"],
        "deadline": (task.deadline_kind.value, task.deadline.isoformat() if task.deadline else None)
        == (data["deadline_kind"], data["deadline"]),
    }
    return [name for name, equal in same.items() if not equal]
