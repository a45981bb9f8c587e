"""Reading and writing .xlsx tables (openpyxl): the ledger and the indicator values.

Reading is defensive: the file comes from an upload. The archive is checked before it is
parsed (core/archive.py: no decompression bomb), openpyxl parses the XML with defusedxml
when it is installed (it is a dependency), the number of rows and columns is capped, and
every problem is reported with the row and column a person sees in Excel.
"""
from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from engine.core.archive import archive_problem
from engine.core.errors import DomainError

MAX_ROWS = 5000
MAX_COLUMNS = 60
UNREADABLE = "无法读取这个文件：请上传 Excel 工作簿（.xlsx），文件可能已损坏"
HEADER_SCAN_ROWS = 10
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file: row 0 means the file as a whole."""

    row: int
    column: str
    message: str
    letter: str = ""

    def where(self) -> str:
        if not self.row:
            return f"「{self.column}」列" if self.column else "文件"
        cell = f"{self.letter}{self.row}" if self.letter else f"第 {self.row} 行"
        return f"第 {self.row} 行「{self.column}」（{cell}）" if self.column else cell

    def __str__(self) -> str:
        return f"{self.where()}：{self.message}"


class ImportRejected(DomainError):
    """The file was refused as a whole; `problems` lists every reason, nothing was imported."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, len(p.letter), p.letter, p.column, p.message))
        super().__init__(f"文件有 {len(self.problems)} 处问题，未导入任何内容")


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        return header in (_normal(self.name), *(_normal(alias) for alias in self.aliases))


@dataclass
class Row:
    number: int  # the row number shown in Excel
    values: dict[str, Any]
    letters: dict[str, str] = field(default_factory=dict)

    def text(self, column: str) -> str:
        return cell_text(self.values.get(column))

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.number, column, message, self.letters.get(column, ""))


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a needless '.0', line breaks normalised, outer blanks removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").strip()


def _normal(header: Any) -> str:
    return "".join(cell_text(header).split()).replace("／", "/").replace("（", "(").replace("）", ")")


def read_table(data: bytes, columns: Sequence[Column]) -> list[Row]:
    """The rows under the header row of the first sheet, as {column name: cell value}; blank rows skipped."""
    workbook = _open(data)
    try:
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        return _read_rows(rows, columns)
    finally:
        workbook.close()


def read_csv(data: bytes, columns: Sequence[Column]) -> list[Row]:
    """Like `read_table`, from a CSV file (UTF-8, with or without BOM, or GB 18030 as Excel writes it in China)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    return _read_rows(iter([tuple(cells) for cells in csv.reader(io.StringIO(text))]), columns)


def table_rows(rows: Iterable[Sequence[Any]], columns: Sequence[Column]) -> list[Row]:
    """Like `read_table`, from rows already read (core/grid.py reads any kind of file into rows)."""
    return _read_rows(iter([tuple(cells) for cells in rows]), columns)


def _read_rows(rows: Iterator[tuple[Any, ...]], columns: Sequence[Column]) -> list[Row]:
    header_number, positions = _find_header(rows, columns)
    result: list[Row] = []
    for offset, cells in enumerate(rows, start=1):
        number = header_number + offset
        if number - header_number > MAX_ROWS:
            raise ImportRejected([Problem(0, "", f"行数超过 {MAX_ROWS} 行，请分成多个文件导入")])
        values = {name: cells[index] if index < len(cells) else None for name, index in positions.items()}
        if all(cell_text(value) == "" for value in values.values()):
            continue
        letters = {name: get_column_letter(index + 1) for name, index in positions.items()}
        result.append(Row(number, values, letters))
    return result


def check_workbook_archive(data: bytes) -> None:
    """Refuse a workbook that would unpack to more than any ledger (a decompression bomb) before it is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            problem = archive_problem(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise ImportRejected([Problem(0, "", UNREADABLE)]) from None
    if problem:
        raise ImportRejected([Problem(0, "", f"拒绝读取这个文件：{problem}。请检查文件，或分成多个文件导入")])


def _open(data: bytes) -> Workbook:
    unreadable = ImportRejected([Problem(0, "", UNREADABLE)])
    check_workbook_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
        raise unreadable from None
    if not workbook.worksheets:
        workbook.close()
        raise unreadable
    return workbook


def _find_header(rows: Iterable[tuple[Any, ...]], columns: Sequence[Column]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] = (0, {})
    for number, cells in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, cell in enumerate(cells):
            header = _normal(cell)
            column = next((c for c in columns if c.matches(header)), None)
            if column is not None and column.name not in positions:
                positions[column.name] = index
        if len(positions) > len(best[1]):
            best = (number, positions)
        if all(c.name in positions for c in columns if c.required) or number >= HEADER_SCAN_ROWS:
            break
    missing = [c.name for c in columns if c.required and c.name not in best[1]]
    if missing:
        raise ImportRejected([Problem(0, name, "缺少这一列（表头应在前几行，列名如模板所示）") for name in missing])
    return best


# --- writing -------------------------------------------------------------------------------

def styled_sheet(workbook: Workbook, title: str, headers: Sequence[tuple[str, float]], first: bool = True) -> Worksheet:
    """A sheet with a bold, filled, frozen header row and set column widths (in characters)."""
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None  # noqa: S101 - a new workbook always has an active sheet
    sheet.title = title
    for index, (name, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 24
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def append_row(sheet: Worksheet, values: Sequence[Any]) -> int:
    """Add a row of wrapped, top-aligned, bordered cells, tall enough for its text; return its number."""
    sheet.append(list(values))
    number = sheet.max_row
    lines = 1
    for cell in sheet[number]:
        if cell.data_type == "f":  # text that begins with "=" stays text: no formula from user data
            cell.data_type = "s"
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cell.border = BORDER
        width = sheet.column_dimensions[cell.column_letter].width or 10
        lines = max(lines, _lines(cell_text(cell.value) if isinstance(cell.value, str) else "", width))
    # neither Excel nor LibreOffice grows a row for wrapped text written by a program
    sheet.row_dimensions[number].height = min(409, 15 * lines + 3)
    return number


def _lines(text: str, width: float) -> int:
    """Lines a text takes in a column `width` characters wide (a Chinese character counts nearly two)."""
    room = max(1.0, width - 1)
    return sum(max(1, math.ceil(sum(1.8 if ord(ch) > 0x2E7F else 1 for ch in line) / room))
               for line in text.split("\n"))


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
