"""The measures ledger as an Excel workbook: each measure the page shows, by category, with its colour."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from engine.core.spreadsheet import append_row, styled_sheet, workbook_bytes
from engine.core.statuses import WarningLevel
from engine.features.measures.periods import period_label
from engine.features.measures.queries import CategoryGroup, MeasureRow

HEADERS = (("类别", 24), ("编号", 8), ("措施名称", 30), ("措施内容", 60), ("牵头单位", 16), ("配合单位", 24),
           ("报告周期", 10), ("状态", 8), ("预警", 30), ("最近报告", 14), ("最近报告状态", 12), ("最近年度评估", 18))
FILLS = {WarningLevel.GREEN: "C6EFCE", WarningLevel.YELLOW: "FFEB9C", WarningLevel.RED: "FFC7CE"}


def ledger_workbook(groups: Sequence[CategoryGroup], today: date) -> bytes:
    workbook = Workbook()
    sheet = styled_sheet(workbook, f"强化措施台账{today:%Y%m%d}", HEADERS)
    for group in groups:
        for row in group.rows:
            number = append_row(sheet, _values(group, row))
            if row.colour is not None:
                sheet.cell(row=number, column=9).fill = PatternFill("solid", fgColor=FILLS[row.colour.level])
    return workbook_bytes(workbook)


def _values(group: CategoryGroup, row: MeasureRow) -> list[str]:
    measure, report, review = row.measure, row.last_report, row.last_review
    colour = "" if row.colour is None else str(row.colour.reason or row.colour.level.label)
    return [f"{group.number}. {group.name}", measure.code, measure.title, measure.content, measure.lead_unit.name,
            "、".join(unit.name for unit in measure.cooperating_units), str(measure.period_kind.label),
            str(measure.status.label), colour, period_label(report.period) if report else "",
            str(report.status.label) if report else "", f"{review.year} {review.rating.label}" if review else ""]
