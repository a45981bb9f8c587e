"""Excel uploads that would unpack to gigabytes are refused from the archive, before any of it is parsed."""
from __future__ import annotations

import pytest

from engine.core import grid, spreadsheet
from engine.core.grid import read_grid
from engine.core.spreadsheet import MAX_ROWS, ImportRejected
from tests.engine.test_ledger_io import GOOD_ROWS
from tests.factories import World
from tests.xlsx import sheet_xml, with_parts, xlsx

SHARED_STRINGS = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                  b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')


def empty_cells_bomb() -> bytes:
    """One row of five million empty cells: some 20 KB packed, 20 MB of XML."""
    return with_parts(xlsx(GOOD_ROWS), xl__worksheets__sheet1_xml=sheet_xml(b"<c/>" * 5_000_000))


def shared_string_bomb() -> bytes:
    """One shared string of 100 MB."""
    return with_parts(xlsx(GOOD_ROWS), xl__sharedStrings_xml=SHARED_STRINGS + b"a" * 100_000_000 + b"</t></si></sst>")


def many_cells() -> bytes:
    """700,000 real, numbered cells: packs ordinarily, but is more than any ledger."""
    cells = b"".join(b'<c r="A%d"><v>%d</v></c>' % (n, n) for n in range(1, 700_001))
    return with_parts(xlsx(GOOD_ROWS), xl__worksheets__sheet1_xml=sheet_xml(cells))


def never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the workbook parsers fail the test if a file reaches them: a bomb is refused from its archive."""
    def parse(*args: object, **kwargs: object) -> None:
        pytest.fail("the workbook was handed to openpyxl")

    monkeypatch.setattr(spreadsheet, "load_workbook", parse)
    monkeypatch.setattr(grid, "load_workbook", parse)


@pytest.mark.parametrize(("bomb", "reason"), [(empty_cells_bomb, "压缩比异常"), (shared_string_bomb, "解压后超过"),
                                              (many_cells, "单元格过多")])
def test_a_decompression_bomb_is_refused_before_it_is_parsed(world: World, bomb, reason: str,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    content = bomb()
    never_parsed(monkeypatch)
    with pytest.raises(ImportRejected) as refused:
        world.duban.reporting.import_tasks(world["coordinator"], content)
    assert reason in str(refused.value.problems[0]) and "拒绝读取这个文件" in str(refused.value.problems[0])
    with pytest.raises(ImportRejected, match="未导入任何内容"):
        world.duban.targets.import_values(world["coordinator"], content)


def test_the_largest_ordinary_ledger_is_still_read() -> None:
    rows = [(f"1-{n}", "1", f"任务 {n}", "目标" * 20, "措施" * 40, "江阳区", "leader", "2026-12-31")
            for n in range(1, MAX_ROWS + 1)]
    assert len(read_grid(xlsx(rows)).rows) == MAX_ROWS + 1  # the header, then every row
