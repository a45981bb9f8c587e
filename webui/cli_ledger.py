"""How `duban import-tasks` prints a ledger's preview: a table of the rows as understood, then what was skipped,
the warnings and the problems (the same reading as the web page's preview)."""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from engine.features.reporting.ledger_preview import LedgerPreview, PreviewRow

HEADERS = ("行", "编号", "类别", "牵头单位", "配合单位", "牵头市领导", "整改时限", "类型", "")
WIDEST = 24


def width(text: str) -> int:
    """Columns a text takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clipped(text: str, room: int = WIDEST) -> str:
    if width(text) <= room:
        return text
    while width(text) > room - 1:
        text = text[:-1]
    return text + "…"


def cells(row: PreviewRow) -> list[str]:
    deadline = row.deadline.isoformat() if row.deadline else ""
    state = "有误" if row.problems else ("已在台账" if row.existing else "新")
    return [str(row.number), row.code, row.category, row.lead_unit, "、".join(row.cooperating_units), row.leader,
            deadline, row.deadline_kind.label if row.deadline_kind else "", state]


def table(lines: Sequence[Sequence[str]]) -> list[str]:
    clipped_lines = [[clipped(cell) for cell in line] for line in lines]
    widths = [max(width(line[index]) for line in clipped_lines) for index in range(len(HEADERS))]
    return ["  ".join(cell + " " * (widths[index] - width(cell)) for index, cell in enumerate(line)).rstrip()
            for line in clipped_lines]


def preview_lines(preview: LedgerPreview) -> list[str]:
    """The preview as lines of text: the table, then sections, skipped rows, readings, warnings (not problems)."""
    lines = [f"表头在第 {preview.header_row} 行；列：" + "、".join(
        f"{column.header}→{column.field or '?'}" for column in preview.columns)]
    if preview.rows:
        lines += table([HEADERS, *(cells(row) for row in preview.rows)])
    lines += [f"第 {number} 行 类别行「{text}」→ {category}" for number, text, category in preview.sections]
    lines += [f"第 {number} 行 跳过{why}" + (f"：{clipped(text, 40)}" if text else "")
              for number, why, text in preview.skipped]
    for row in preview.rows:
        notes = ([row.reading] if row.reading and row.deadline_text else []) + row.warnings
        lines += [f"第 {row.number} 行 {'提示' if note is row.reading else '注意'}：{note}" for note in notes]
    new = len(preview.new_rows())
    lines.append(f"共 {len(preview.rows)} 项任务：新 {new} 项，已在台账 {len(preview.rows) - new} 项；"
                 f"提示 {preview.warning_count} 条，问题 {len(preview.problems)} 处")
    return lines
