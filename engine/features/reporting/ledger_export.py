"""The ledger (台账) as an Excel workbook: every task the ledger page shows with the same filters, its first
columns those of the import template, then status, colour, the last report and the sign-off date."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from engine.core.clock import LOCAL_TZ
from engine.core.spreadsheet import append_row, cell_text, styled_sheet, workbook_bytes
from engine.core.statuses import DeadlineKind, WarningLevel
from engine.features.rectification.ledger_order import ledger_order
from engine.features.rectification.queries import TASK_DISPLAY, LedgerFilters
from engine.features.rectification.warnings import describe
from engine.features.reporting.ledger_deadlines import IMMEDIATE, STANDING
from engine.features.reporting.ledger_import import LEDGER_HEADERS, SILENT, ProgressReporter
from engine.store.models import Category, InspectionRound, ProgressReport, RectificationTask, Unit, User

EXPORT_HEADERS = (*LEDGER_HEADERS, ("状态", 9), ("预警", 28), ("最近交账日期", 13), ("最近进展", 48), ("销号日期", 12))
WARNING_FILLS = {WarningLevel.GREEN: "C6EFCE", WarningLevel.YELLOW: "FFEB9C", WarningLevel.RED: "FFC7CE"}


@dataclass(frozen=True)
class ExportRow:
    task: RectificationTask
    last_report: ProgressReport | None  # the last report the unit sent up


@dataclass(frozen=True)
class ExportMeta:
    exported_at: datetime
    exported_by: str
    filters: list[str]


def export_rows(session: Session, scope: ColumnElement[bool], filters: LedgerFilters) -> list[ExportRow]:
    """Every task the page shows with these filters (all pages), in the ledger's order."""
    tasks = list(session.scalars(select(RectificationTask).options(*TASK_DISPLAY)
                                 .where(scope, *filters.conditions()).join(Category)
                                 .order_by(*ledger_order(filters.sort))))
    reports = last_sent_reports(session, [task.id for task in tasks])
    return [ExportRow(task, reports.get(task.id)) for task in tasks]


def last_sent_reports(session: Session, task_ids: list[int]) -> dict[int, ProgressReport]:
    latest = (select(ProgressReport.task_id, func.max(ProgressReport.period).label("period"))
              .where(ProgressReport.task_id.in_(task_ids), ProgressReport.submitted_at.is_not(None))
              .group_by(ProgressReport.task_id).subquery())
    query = select(ProgressReport).join(latest, (ProgressReport.task_id == latest.c.task_id)
                                        & (ProgressReport.period == latest.c.period))
    return {report.task_id: report for report in session.scalars(query)}


def ledger_workbook(rows: Sequence[ExportRow], today: date, meta: ExportMeta,
                    progress: ProgressReporter = SILENT) -> bytes:
    workbook = Workbook()
    sheet = styled_sheet(workbook, "整改任务台账", EXPORT_HEADERS)
    progress.stage("写入", len(rows))
    for row in rows:
        number = append_row(sheet, export_values(row, today))
        sheet.cell(row=number, column=8).number_format = "yyyy-mm-dd"
        for column in (11, 13):
            sheet.cell(row=number, column=column).number_format = "yyyy-mm-dd"
        if not row.task.status.is_closed():
            sheet.cell(row=number, column=10).fill = PatternFill("solid", fgColor=WARNING_FILLS[row.task.warning])
        progress.advance()
    sheet.auto_filter.ref = sheet.dimensions
    _about_sheet(workbook, meta, len(rows))
    return workbook_bytes(workbook)


def export_values(row: ExportRow, today: date) -> list[Any]:
    task, report = row.task, row.last_report
    units = "、".join([task.lead_unit.name, *(unit.name for unit in task.cooperating_units)])
    return [task.code, f"{task.category.number}. {task.category.name}", problem_cell(task), task.target,
            task.measures, units, task.lead_leader.display_name, deadline_cell(task), str(task.status.label),
            "" if task.status.is_closed() else warning_cell(task, today),
            _local_date(report.submitted_at) if report else None, report_summary(report) if report else "",
            _local_date(task.closed_at)]


def problem_cell(task: RectificationTask) -> str:
    problem = cell_text(task.problem)
    return task.title if problem == task.title else f"{task.title}\n{problem}"


def deadline_cell(task: RectificationTask) -> date | str:
    if task.deadline_kind is DeadlineKind.STANDING:
        return STANDING
    if task.deadline_kind is DeadlineKind.IMMEDIATE:
        return f"{IMMEDIATE}（{task.deadline.isoformat()}）" if task.deadline else IMMEDIATE
    return task.deadline or ""


def warning_cell(task: RectificationTask, today: date) -> str:
    reasons = "；".join(describe(reason, today) for reason in task.warning_reasons or [])
    return f"{task.warning.label}：{reasons}" if reasons else task.warning.label


def report_summary(report: ProgressReport) -> str:
    percent = f"完成 {report.percent_complete}%；" if report.percent_complete is not None else ""
    lagging = "（进度滞后）" if report.lagging else ""
    return f"{report.period}{lagging}：{percent}{report.progress}".strip()


def _local_date(value: datetime | None) -> date | None:
    return value.astimezone(LOCAL_TZ).date() if value else None


def _about_sheet(workbook: Workbook, meta: ExportMeta, count: int) -> None:
    sheet = styled_sheet(workbook, "说明", (("项目", 14), ("内容", 70)), first=False)
    lines = [("导出时间", meta.exported_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")),
             ("导出人", meta.exported_by), ("任务数", count),
             ("筛选条件", "；".join(meta.filters) or "全部（本人可见范围内）"),
             ("说明", "前八列与导入模板相同，可直接修改后导入新增任务；已登记的任务不会被导入覆盖。")]
    for line in lines:
        append_row(sheet, line)


def describe_filters(session: Session, filters: LedgerFilters) -> list[str]:
    """The filters in words, for the export's 说明 sheet."""
    described: list[str] = []
    if filters.round_id and (round_ := session.get(InspectionRound, filters.round_id)):
        described.append(f"督察批次：{round_.name}")
    if filters.category_id and (category := session.get(Category, filters.category_id)):
        described.append(f"类别：{category.number}. {category.name}")
    if filters.unit_id and (unit := session.get(Unit, filters.unit_id)):
        described.append(f"{'牵头单位' if filters.lead_only else '责任单位'}：{unit.name}")
    if filters.leader_id and (leader := session.get(User, filters.leader_id)):
        described.append(f"牵头市领导：{leader.display_name}")
    if filters.status:
        described.append(f"状态：{filters.status.label}")
    if filters.warning:
        described.append(f"预警：{filters.warning.label}")
    if filters.report_overdue:
        described.append("有逾期未报的月度进展")
    if filters.extended:
        described.append("已延期")
    if filters.instructed:
        described.append("有未阅结的领导批示")
    for value, text in ((filters.registered_by, "{}月底前登记"), (filters.closed_by, "{}月底前销号"),
                        (filters.closed_in, "{}月销号")):
        if value:
            described.append(text.format(value))
    if filters.q.strip():
        described.append(f"关键词：{filters.q.strip()}")
    return described
