"""Build small .xlsx files in tests."""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

LEDGER_HEADER = ("编号", "类别", "问题/任务", "整改目标", "整改措施", "责任单位", "牵头市领导", "整改时限")


def xlsx(rows: Sequence[Sequence[Any]], header: Sequence[str] = LEDGER_HEADER, above: int = 0) -> bytes:
    """A workbook whose first sheet has `above` title rows, the header, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for _ in range(above):
        sheet.append(["某市整改任务清单"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_of(content: bytes, index: int = 0) -> Worksheet:
    return load_workbook(io.BytesIO(content)).worksheets[index]


def table_of(content: bytes) -> list[dict[str, Any]]:
    """The first sheet as one dict per row, keyed by the header row."""
    rows = list(sheet_of(content).iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
