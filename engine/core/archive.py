"""An uploaded .xlsx is a zip archive: what it would unpack to is checked before any of it is parsed.

A decompression bomb (a few KB that unpack to gigabytes of empty cells or one enormous shared string)
is refused from the archive's directory and one streaming pass over its sheets, in well under a second,
instead of taking the web server's memory and minutes of its time. The limits are far above what a
ledger of MAX_ROWS rows needs.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator

MAX_ENTRIES = 1000
MAX_ENTRY_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 120 * 1024 * 1024
#: a part larger than 1 MB unpacking to more than this many times its packed size is a bomb (XML packs 5-30x)
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
#: cells in the worksheets (5,000 rows of 60 columns are 300,000)
MAX_CELLS = 600_000
CHUNK = 1024 * 1024
CELL_TAGS = (b"<c ", b"<c>", b"<c/")


def archive_problem(archive: zipfile.ZipFile) -> str | None:
    """Why this workbook must not be opened, or None. The declared sizes can be trusted: Python's zipfile
    never unpacks a part past its declared size."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return f"文件包含的部件过多（{len(entries)} 个）"
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        return f"文件解压后超过 {MAX_UNPACKED_BYTES // 1024 // 1024} MB"
    for entry in entries:
        if entry.file_size > MAX_ENTRY_BYTES:
            return f"文件中的「{entry.filename}」解压后超过 {MAX_ENTRY_BYTES // 1024 // 1024} MB"
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            return f"文件中的「{entry.filename}」压缩比异常（疑似压缩炸弹）"
    cells = sum(_count_cells(archive, entry) for entry in entries if entry.filename.startswith("xl/worksheets/"))
    if cells > MAX_CELLS:
        return f"工作表的单元格过多（超过 {MAX_CELLS} 个）"
    return None


def _count_cells(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> int:
    count, tail = 0, b""
    for chunk in _chunks(archive, entry):
        window = tail + chunk
        count += sum(window.count(tag) for tag in CELL_TAGS) - sum(tail.count(tag) for tag in CELL_TAGS)
        tail = window[-2:]
        if count > MAX_CELLS:
            break
    return count


def _chunks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(entry) as part:
        while chunk := part.read(CHUNK):
            yield chunk
