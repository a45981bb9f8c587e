"""The cells of an uploaded spreadsheet as a grid of rows, whatever the file: .xlsx (Excel, WPS), legacy .xls or .csv.

What comes out is what a person sees: a merged cell's value in every cell it covers, dates as
dates, the row numbers of Excel. The kind of file is read from its first bytes, never its name.
Reading is defensive (the file is an upload): rows and columns are capped, and a file that cannot
be read is refused with what it seems to be and what would be accepted.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import filetype
import xlrd
from openpyxl import load_workbook

from engine.core.spreadsheet import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportRejected,
    Problem,
    cell_text,
    check_workbook_archive,
)

#: rows above the data that may hold titles, blank rows and the header
ABOVE_DATA = 30
ROW_LIMIT = MAX_ROWS + ABOVE_DATA
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPTED = "请上传 Excel 工作簿（.xlsx 或 .xls）或 CSV 文件"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Grid:
    """The first sheet: (Excel row number, cells) for every row, in order."""

    rows: list[tuple[int, list[Any]]]
    file_kind: str  # xlsx | xls | csv


def read_grid(data: bytes) -> Grid:
    """The first sheet of a workbook, or the table of a CSV file; ImportRejected says why it cannot be read."""
    if not data:
        raise _refused("文件是空的")
    if zipfile.is_zipfile(io.BytesIO(data)):
        rows, kind = _xlsx_rows(data), "xlsx"
    elif data.startswith(OLE_MAGIC):
        rows, kind = _xls_rows(data), "xls"
    else:
        rows, kind = _csv_rows(data), "csv"
    if len(rows) > ROW_LIMIT:
        raise _refused(f"行数超过 {MAX_ROWS} 行，请分成多个文件导入")
    numbered = [(number, cells) for number, cells in enumerate(rows, start=1)]
    if not any(cell_text(value) for _, cells in numbered for value in cells):
        raise _refused("第一个工作表是空的（只读取第一个工作表）")
    return Grid(numbered, kind)


def _refused(message: str) -> ImportRejected:
    return ImportRejected([Problem(0, "", message)])


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    check_workbook_archive(data)  # a small file that unpacks to gigabytes is refused before it is parsed
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
        raise _refused(f"无法读取这个文件：它是压缩包，但不是 Excel 工作簿或已损坏；{ACCEPTED}") from None
    try:
        sheet = workbook.worksheets[0]
        last_row = min(sheet.max_row, ROW_LIMIT + 1)
        last_column = min(sheet.max_column, MAX_COLUMNS)
        rows = [list(cells) for cells in sheet.iter_rows(max_row=last_row, max_col=last_column, values_only=True)]
        merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in sheet.merged_cells.ranges]
    finally:
        workbook.close()
    return _filled(_trimmed(rows), merged)


def _xls_rows(data: bytes) -> list[list[Any]]:
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception:  # xlrd raises XLRDError, CompDocError and others for what it cannot read
        raise _refused("无法读取这个文件：它是旧版 Office 文件，但不是可读的 Excel 工作簿（可能设置了打开密码，"
                       f"或已损坏）；请在 Excel 或 WPS 中另存为 .xlsx 后上传。{ACCEPTED}") from None
    rows = [[_xls_value(book, sheet.cell(r, c)) for c in range(min(sheet.row_len(r), MAX_COLUMNS))]
            for r in range(min(sheet.nrows, ROW_LIMIT + 1))]
    merged = [(rlo + 1, rhi, clo + 1, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
    return _filled(_trimmed(rows), merged)


def _xls_value(book: xlrd.Book, cell: xlrd.sheet.Cell) -> Any:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = _decoded(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append([cell or None for cell in cells[:MAX_COLUMNS]])
            if len(rows) > ROW_LIMIT:
                break
    except csv.Error as exc:  # a field longer than csv's limit, a stray NUL
        raise _refused(f"无法读取这个 CSV 文件（第 {len(rows) + 1} 行：{exc}）；{ACCEPTED}") from None
    return _trimmed(rows)


def _decoded(data: bytes) -> str:
    guessed = filetype.guess(data)
    if guessed is not None or b"\x00" in data[:4096]:
        seems = f"（文件内容是 {guessed.extension}）" if guessed else ""
        raise _refused(f"无法读取这个文件{seems}：{ACCEPTED}")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refused(f"无法读取这个 CSV 文件：编码既不是 UTF-8 也不是 GB18030（GBK）；请另存为 UTF-8 的 CSV。{ACCEPTED}")


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Without the blank rows at the end (a sheet's formatted but empty rows)."""
    while rows and not any(cell_text(value) for value in rows[-1]):
        rows.pop()
    return rows


def _filled(rows: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> list[list[Any]]:
    """Every cell of a merged range given the value of its first cell (rows and columns from 1, inclusive)."""
    for min_row, max_row, min_col, max_col in merged:
        if min_row > len(rows) or min_col > MAX_COLUMNS:
            continue
        value = _at(rows, min_row, min_col)
        for row in range(min_row, min(max_row, len(rows)) + 1):
            cells = rows[row - 1]
            cells.extend([None] * (min(max_col, MAX_COLUMNS) - len(cells)))
            for column in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                cells[column - 1] = value
    return rows


def _at(rows: list[list[Any]], row: int, column: int) -> Any:
    cells = rows[row - 1]
    return cells[column - 1] if column <= len(cells) else None
