"""Build small .xlsx files in tests."""
from __future__ import annotations

import io
import zipfile
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


def with_parts(content: bytes, **parts: bytes) -> bytes:
    """The workbook with some of its parts (keyword: the part's path, '/' written '__') replaced."""
    replaced = {name.replace("__", "/"): data for name, data in parts.items()}
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, replaced.pop(entry.filename, None) or source.read(entry))
        for name, data in replaced.items():
            target.writestr(name, data)
    return buffer.getvalue()


def sheet_xml(cells: bytes) -> bytes:
    """A worksheet of one row holding `cells` (written as they are)."""
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>")
