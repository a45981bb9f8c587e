"""Ledgers laid out the way city offices keep them (整改任务清单), built in tests as .xlsx, .xls and .csv.

A merged title row and a blank row above the header, 序号 instead of a code, the offices' own header
words, section rows as categories (numbered differently from the system's), a notes row, blank rows,
free-text deadlines, several units per cell, short names, groups, leaders by title, full-width text.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import xlwt
from openpyxl import Workbook

TITLE = "泸州市贯彻落实中央生态环境保护督察反馈意见整改任务清单"
HEADER = ("序号", "反馈问题", "整改目标", "整改\n措施", "责任单位", "责任领导", "完成　时限", "备注")
WIDTH = len(HEADER)
#: ("section", text) | ("note", text) | ("blank",) | a task's cells under HEADER
CITY_LEDGER: list[tuple[Any, ...]] = [
    ("section", "一、大气污染防治方面"),
    ("1", "建筑工地扬尘管控不力。主城区部分建筑工地未落实“六必须六不准”要求，裸土未覆盖，渣土车带泥上路，"
     "扬尘污染问题突出，群众反映强烈。", "工地扬尘全面受控", "1. 每日巡查\n2. 渣土车密闭运输",
     "市住建局、市城管局\n各区县党委政府", "常务副市长", "2018年12月底前", ""),
    ("2", "工业炉窑治理滞后\n部分工业炉窑未按要求完成深度治理。", "完成炉窑深度治理", "1. 排查\n2. 治理",
     "牵头：市生态环境局；配合：市发改委，市经信局", "leader", "立行立改、长期坚持", "重点"),
    ("blank",),
    ("section", "（二）水污染防治"),
    ("1", "城市黑臭水体反弹", "消除黑臭水体", "1. 清淤\n2. 补水", "江阳区人民政府", "leader2（副市长）",
     "2019年6月", ""),
    ("2", "乡镇污水处理设施运行不正常", "设施正常运行", "1. 排查\n2. 运维", "各县（区）", "ｌｅａｄｅｒ",
     "2018年6月底前完成并长期坚持", ""),
    ("section", "三、土壤污染防治方面"),
    ("1", "历史遗留废渣场未规范处置", "完成规范处置", "1. 评估\n2. 处置", "市水务局（牵头）、 纳溪区 ",
     "leader", datetime(2027, 12, 31), ""),
    ("note", "注：1. 责任单位中排在第一位的为牵头单位；2. 各区县党委政府指各区县党委和政府。"),
    ("blank",),
]


def _rows(ledger: Sequence[tuple[Any, ...]], header: Sequence[str] = HEADER) -> list[tuple[str, list[Any]]]:
    """(kind, cells) of every row from the title down: kind is title, blank, header, section, note or task."""
    rows: list[tuple[str, list[Any]]] = [("title", [TITLE]), ("blank", []), ("header", list(header))]
    for line in ledger:
        if line[0] in ("section", "note"):
            rows.append((line[0], [line[1]]))
        elif line[0] == "blank":
            rows.append(("blank", []))
        else:
            rows.append(("task", list(line)))
    return rows


def ledger_xlsx(ledger: Sequence[tuple[Any, ...]] = CITY_LEDGER, header: Sequence[str] = HEADER) -> bytes:
    """The ledger as Excel keeps it: title, section and note rows merged across the table."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, (kind, cells) in enumerate(_rows(ledger, header), start=1):
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=value)
        if kind in ("title", "section", "note"):
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=WIDTH)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_xls(ledger: Sequence[tuple[Any, ...]] = CITY_LEDGER, header: Sequence[str] = HEADER) -> bytes:
    """The same ledger as a legacy .xls (BIFF8) workbook, merged rows included."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("整改任务清单")
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for index, (kind, cells) in enumerate(_rows(ledger, header)):
        if kind in ("title", "section", "note"):
            sheet.write_merge(index, index, 0, WIDTH - 1, cells[0])
            continue
        for column, value in enumerate(cells):
            if isinstance(value, datetime):
                sheet.write(index, column, value, dates)
            else:
                sheet.write(index, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_csv(encoding: str, ledger: Sequence[tuple[Any, ...]] = CITY_LEDGER, header: Sequence[str] = HEADER) -> bytes:
    """The ledger saved as CSV from Excel or WPS (UTF-8 with a BOM, or GB18030), dates as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for _kind, cells in _rows(ledger, header):
        writer.writerow([value.strftime("%Y/%m/%d") if isinstance(value, datetime) else value for value in cells])
    return buffer.getvalue().encode(encoding)
