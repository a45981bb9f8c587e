"""Reading an office's own ledger (整改任务清单) into rows: where the header is, what each column holds, which rows
are tasks and which are section rows (categories), notes or blank.

Nothing here knows the database: the rows come out as text and cells, and ledger_matching turns them into
units, leaders and categories. A column is recognised by the words offices use for it (SYNONYMS), else by
a mapping the person gives (列名 -> field, on the web page or with `--map`, or a saved profile).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from engine.core.fields import Field
from engine.core.grid import Grid
from engine.core.spreadsheet import cell_text
from engine.core.text import N_

HEADER_SCAN_ROWS = 15
#: the fields a ledger's columns may hold, with the label a person reads when asked "这一列是…？"
FIELDS: dict[str, str] = {
    "code": N_("编号"), "seq": N_("序号"), "category": N_("类别"), "problem": N_("问题/任务"),
    "target": N_("整改目标"), "measures": N_("整改措施"), "units": N_("责任单位"), "cooperating": N_("配合单位"),
    "leader": N_("牵头市领导"), "deadline": N_("整改时限"), "ignore": N_("（不导入）"),
}
PROFILE_FIELD = Field("profile_name", "line", required=False, max_length=100, label=N_("保存为列对应方案（可选）"),
                      help=N_("下次导入同样格式的台账时，选这个方案即可"))
REQUIRED = ("problem", "target", "measures", "units", "leader", "deadline")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("编号", "任务编号", "问题编号"),
    "seq": ("序号", "序", "no", "no."),
    "category": ("类别", "任务类别", "问题类别", "问题类型", "类型"),
    "problem": ("问题/任务", "问题", "反馈问题", "存在问题", "问题描述", "督察反馈问题", "反馈意见", "问题(任务)",
                "整改任务", "任务", "问题清单", "具体问题", "督察发现问题"),
    "target": ("整改目标", "目标", "整改目标任务"),
    "measures": ("整改措施", "措施", "主要措施", "整改措施及要求"),
    "units": ("责任单位", "牵头单位", "责任部门", "牵头部门", "责任主体", "整改责任单位", "牵头责任单位"),
    "cooperating": ("配合单位", "配合部门", "协办单位", "协同单位"),
    "leader": ("牵头市领导", "责任领导", "牵头领导", "责任市领导", "包案领导", "牵头市级领导", "分管市领导"),
    "deadline": ("整改时限", "完成时限", "整改期限", "时限", "完成时间", "整改时间", "时限要求"),
    "ignore": ("备注", "整改进展", "进展情况", "完成情况", "状态", "预警", "整改情况"),
}
NOTE = re.compile(r"^(注|备注|说明|附注|填表说明)\s*[:：]")
SECTION = re.compile(r"^\s*(?:[（(]\s*([一二三四五六七八九十百零〇]+)\s*[)）]|([一二三四五六七八九十百零〇]+)\s*[、.．]"
                     r"|第([一二三四五六七八九十百零〇]+)(?:部分|类|方面))\s*(\S.*)$")
NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def normal(text: Any) -> str:
    """Text compared as a person reads it: full-width forms folded (NFKC), no spaces or line breaks."""
    return "".join(unicodedata.normalize("NFKC", cell_text(text)).split()).lower()


@dataclass(frozen=True)
class Column:
    index: int  # from 0
    header: str  # as written (spaces and line breaks folded)
    field: str | None  # None: not recognised
    by_synonym: bool = True

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class SheetRow:
    number: int
    kind: str  # task | section | note | blank | header
    cells: dict[str, Any] = field(default_factory=dict)  # field -> value (tasks)
    letters: dict[str, str] = field(default_factory=dict)
    text: str = ""  # a section's or a note's text
    section: tuple[int | None, str] = (None, "")  # a section's (number, name)

    def value(self, name: str) -> Any:
        return self.cells.get(name)

    def text_of(self, name: str) -> str:
        return cell_text(self.cells.get(name))


@dataclass
class ReadLedger:
    """What was read: the header row, its columns, and every row under it."""

    header_row: int
    columns: list[Column]
    rows: list[SheetRow]
    file_kind: str

    @property
    def missing(self) -> list[str]:
        found = {column.field for column in self.columns}
        return [name for name in REQUIRED if name not in found]

    @property
    def unknown(self) -> list[Column]:
        return [column for column in self.columns if column.field is None]


def field_of(header: str, mapping: Mapping[str, str]) -> tuple[str | None, bool]:
    """(field, recognised by a synonym) of a header: the person's mapping first, then the synonyms."""
    key = normal(header)
    chosen = {normal(name): value for name, value in mapping.items()}
    if key in chosen and chosen[key] in FIELDS:
        return chosen[key], False
    for name, synonyms in SYNONYMS.items():
        if key in (normal(synonym) for synonym in synonyms):
            return name, True
    return None, False


def read_ledger(grid: Grid, mapping: Mapping[str, str] | None = None) -> ReadLedger:
    """The header row (among the first rows, the one naming the most known columns) and the rows under it."""
    mapping = mapping or {}
    number, cells = _header(grid, mapping)
    columns = _columns(cells, mapping)
    header_keys = [normal(cell) for cell in cells]
    rows = [_row(n, values, columns, header_keys) for n, values in grid.rows if n > number]
    return ReadLedger(number, columns, rows, grid.file_kind)


def _header(grid: Grid, mapping: Mapping[str, str]) -> tuple[int, list[Any]]:
    best: tuple[int, int, list[Any]] = (0, 0, [])
    for number, cells in grid.rows[:HEADER_SCAN_ROWS]:
        distinct = {normal(cell) for cell in cells if cell_text(cell)}
        known = len({field_of(text, mapping)[0] for text in distinct} - {None, "ignore"})
        if known > best[0]:
            best = (known, number, cells)
    if best[0] < 2:
        found = [cell_text(cell) for _, cells in grid.rows[:HEADER_SCAN_ROWS] for cell in cells if cell_text(cell)]
        raise ValueError("没有找到表头行：前 15 行中没有认得的列名（如 序号、反馈问题、责任单位、责任领导、完成时限）。"
                         f"文件前几行的内容：{'、'.join(dict.fromkeys(found[:12]))}")
    return best[1], best[2]


def _columns(cells: list[Any], mapping: Mapping[str, str]) -> list[Column]:
    columns: list[Column] = []
    taken: set[str] = set()
    for index, cell in enumerate(cells):
        header = " ".join(cell_text(cell).split())
        if not header or normal(header) in (normal(c.header) for c in columns):
            continue  # a merged header's copies, or an empty column
        name, by_synonym = field_of(header, mapping)
        if name in taken and name != "ignore":
            name = "ignore"  # a second column for the same field (责任单位 and 牵头单位): the first is read
        if name:
            taken.add(name)
        columns.append(Column(index, header, name, by_synonym))
    return columns


def _row(number: int, values: list[Any], columns: list[Column], header_keys: list[str]) -> SheetRow:
    texts = [cell_text(value) for value in values]
    filled = [text for text in texts if text]
    if not filled:
        return SheetRow(number, "blank")
    distinct = list(dict.fromkeys(filled))
    if [normal(value) for value in values[:len(header_keys)]] == header_keys:
        return SheetRow(number, "header", text=" ".join(distinct))
    if NOTE.match(unicodedata.normalize("NFKC", distinct[0])):
        return SheetRow(number, "note", text="\n".join(distinct))
    if len(distinct) == 1 and (section := section_of(distinct[0])):
        return SheetRow(number, "section", text=distinct[0], section=section)
    if len(distinct) == 2 and chinese_number(normal(distinct[0])) is not None:  # 一 | 大气污染防治方面
        return SheetRow(number, "section", text="、".join(distinct), section=(chinese_number(normal(distinct[0])),
                                                                              distinct[1]))
    used = [column for column in columns if column.field and column.field != "ignore"]
    cells = {c.field: values[c.index] if c.index < len(values) else None for c in used if c.field}
    return SheetRow(number, "task", cells, {c.field: c.letter for c in used if c.field})


def section_of(text: str) -> tuple[int | None, str] | None:
    """(number, name) of a section row's text (一、大气污染防治方面 / （二）水污染防治 / 大气污染防治方面)."""
    plain = " ".join(unicodedata.normalize("NFKC", text).split())
    match = SECTION.match(plain)
    if match:
        numeral = next(group for group in match.groups()[:3] if group)
        return chinese_number(numeral), match.group(4).strip()
    if plain.endswith("方面") and not plain.isdigit() and len(plain) <= 40:
        return None, plain
    return None


def chinese_number(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20 (the numbers of sections)."""
    if "百" in text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return NUMERALS.get(tens, 1) * 10 + (NUMERALS.get(ones, 0) if ones else 0)
    return NUMERALS.get(text) if len(text) == 1 else None


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`列名=字段` pairs (the CLI's --map) as header -> field; the field by its name (deadline) or label (整改时限)."""
    by_label = {normal(label): name for name, label in FIELDS.items()}
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, equals, wanted = pair.rpartition("=")
        name = wanted.strip() if wanted.strip() in FIELDS else by_label.get(normal(wanted))
        if not equals or not header.strip() or name is None:
            accepted = "、".join(f"{name}（{label}）" for name, label in FIELDS.items())
            raise ValueError(f"「{pair}」应写成 列名=字段，字段可为：{accepted}")
        mapping[header.strip()] = name
    return mapping


def mapping_fields(columns: Sequence[Column]) -> tuple[Field, ...]:
    """The mapping step's form: for each column of the file, the field it holds ("这一列是…？"); a profile's name."""
    asked = tuple(Field(f"column_{column.index}", "choice", required=False, choices=FIELDS, label=column.header,
                        blank=N_("这一列是…？"), initial=column.field, widget="select") for column in columns)
    return (*asked, PROFILE_FIELD)


def mapping_from(columns: Sequence[Column], answers: Mapping[str, Any]) -> dict[str, str]:
    """header -> field from the mapping step's answers (a column left open is not imported)."""
    return {column.header: answers.get(f"column_{column.index}") or "ignore" for column in columns}
