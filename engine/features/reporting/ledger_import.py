"""Bringing in the ledger (台账): register the new tasks of a previewed ledger, all or nothing; and the template.

The file is read by ledger_reading (header, columns, section rows, notes) and understood row by row by
ledger_preview (units, leaders, categories, deadlines, every rule of registering a task by hand). Only a
preview without problems is registered: each new row becomes a task whose process starts and waits for
交办. A row already in the ledger with the same content is left as it is, so importing the same file
twice changes nothing; with different content it is a problem of the preview (changes to a registered
task go through 交办, not an import).

duban's own template (template_workbook) has the columns 编号 · 类别 · 问题/任务 · 整改目标 · 整改措施 ·
责任单位 · 牵头市领导 · 整改时限; an office's own ledger is read as it is (see ledger_reading).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from openpyxl import Workbook

from engine.core.spreadsheet import ImportRejected, append_row, styled_sheet, workbook_bytes
from engine.features.rectification.tasks import create_task
from engine.features.reporting.ledger_preview import LedgerPreview
from engine.workflow.step import Step

#: (column, width in characters) of the ledger's own columns, in order
LEDGER_HEADERS = (("编号", 8), ("类别", 18), ("问题/任务", 46), ("整改目标", 40), ("整改措施", 56),
                  ("责任单位", 22), ("牵头市领导", 11), ("整改时限", 14))


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


def register_rows(step: Step, preview: LedgerPreview, progress: ProgressReporter = SILENT) -> ImportResult:
    """Register every new row of a preview; ImportRejected (nothing done) if the preview has any problem."""
    if preview.problems:
        raise ImportRejected(preview.problems)
    result = ImportResult(new_categories=list(preview.new_categories))
    result.unchanged = [row.code for row in preview.rows if row.existing]
    new_rows = preview.new_rows()
    progress.stage("登记", len(new_rows))
    for row in new_rows:
        result.task_ids[row.code] = create_task(step, row.data).id
        result.created.append(row.code)
        progress.advance()
    return result


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


