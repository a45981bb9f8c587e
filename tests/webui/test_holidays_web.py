"""The holiday table in the browser (the administrator's page), at the command line (`duban holidays import`), and
the dashboard's banner when a deadline reaches a year no calendar covers."""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from engine.core import workdays
from tests.factories import World
from tests.webui.conftest import CSRF_FIELD, Browser
from tests.webui.test_cli import run

Login = Callable[[str], Browser]
BANNER = 'id="calendar-gaps"'


@pytest.fixture(autouse=True)
def empty_table() -> Iterator[None]:
    workdays.use_table({})
    yield
    workdays.use_table({})


def test_the_administrator_adds_deletes_and_imports_days(login_as: Login, world: World) -> None:
    admin = login_as("admin")
    assert "节假日表" in admin.get("/admin/holidays/").get_data(as_text=True)
    empty = admin.submit("/admin/holidays/", {"day": "2027-01-01", "kind": ""}).get_data(as_text=True)
    assert "请选择放假或补班" in empty and "2027年1月1日" not in empty
    added = admin.submit("/admin/holidays/", {"day": "2027-01-01", "kind": "holiday", "name": "元旦"})
    page = added.get_data(as_text=True)
    assert "2027年1月1日" in page and "元旦" in page and not workdays.is_working_day(date(2027, 1, 1))
    bad = "日期,类型,名称\n2027-02-30,holiday,\n2027-02-06,上班,\n".encode()
    refused = admin.submit("/admin/holidays/import", {"file": (io.BytesIO(bad), "2027.csv")}).get_data(as_text=True)
    assert "文件有 2 处问题，未导入任何内容" in refused and "第 2 行" in refused and "第 3 行" in refused
    good = "日期,类型,名称\n2027-02-06,workday,春节调休\n".encode()
    imported = admin.submit("/admin/holidays/import", {"file": (io.BytesIO(good), "2027.csv")})
    assert "已导入 1 天" in imported.get_data(as_text=True) and workdays.is_working_day(date(2027, 2, 6))
    day_id = world.duban.holidays.days(world["admin"])[0].id
    token = CSRF_FIELD.search(page)
    assert token
    admin.client.post(f"/admin/holidays/{day_id}/delete", data={"csrf_token": token.group(1)})
    assert workdays.is_working_day(date(2027, 1, 1))
    assert login_as("staff").get("/admin/holidays/").status_code == 403


def test_the_dashboard_warns_of_a_year_without_a_calendar(login_as: Login, world: World) -> None:
    world.register(code="9-1", deadline="2027-06-30")
    leader = login_as("leader")
    banner = leader.get("/dashboard").get_data(as_text=True)
    assert BANNER in banner and "2027" in banner and "/admin/holidays/" not in banner
    world.duban.holidays.add(world["admin"], date(2027, 1, 1), "holiday", "元旦")
    assert BANNER not in leader.get("/dashboard").get_data(as_text=True)


def test_holidays_import_at_the_command_line(world: World, tmp_path: Path) -> None:
    url = world.duban.db.url
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型,名称\n2027-01-01,holiday,元旦\nsoon,holiday,\n2027-01-02,?,\n", encoding="utf-8")
    code, output = run(["holidays", "import", str(bad)], tmp_path, DATABASE_URL=url)
    assert code == 1 and "第 3 行" in output and "第 4 行" in output and "未导入任何内容" in output
    assert world.duban.holidays.days(world["admin"]) == []
    good = tmp_path / "2027.csv"
    good.write_text("日期,类型,名称\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    code, output = run(["holidays", "import", str(good)], tmp_path, DATABASE_URL=url)
    assert code == 0 and "1 day(s) imported" in output, output
    assert [d.day for d in world.duban.holidays.days(world["admin"])] == [date(2027, 1, 1)]
