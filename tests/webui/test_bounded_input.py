"""Every request value is bounded at the edge, on SQLite and on PostgreSQL: a NUL byte (which PostgreSQL refuses
in text) and a number past a database integer never reach the database."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.core.errors import Unanswered
from engine.store.transactions import UNANSWERED
from tests.engine.test_spreadsheet_bombs import empty_cells_bomb, never_parsed
from tests.factories import PASSWORD, World
from tests.webui.conftest import Browser
from tests.webui.test_cli import run

NUL_PAGES = ["/ledger?q=%00", "/ledger?q=a%00b&unit=%00", "/escalations?q=%00", "/clues?q=%00",
             "/admin/users?q=%00", "/admin/audit?q=%00&actor=%00", "/public/?status=%00"]
HUGE = "2147483648"
HUGE_PAGES = [f"/escalations?unit={HUGE}", f"/escalations?level={HUGE}", f"/escalations?page={HUGE}",
              f"/clues?unit={HUGE}", f"/clues?page={HUGE}", f"/public/?page={HUGE}", "/public/?page=-3"]


@pytest.mark.parametrize("url", NUL_PAGES + HUGE_PAGES)
def test_a_nul_byte_or_a_huge_number_in_a_filter_is_no_error(login_as: Callable[[str], Browser], url: str) -> None:
    response = login_as("admin" if url.startswith("/admin") else "coordinator").get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-1500:]


def test_the_audit_export_with_a_nul_byte_is_whole(login_as: Callable[[str], Browser]) -> None:
    response = login_as("admin").get("/admin/audit.csv?q=%00")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count("\n") > 1 and body.rstrip().endswith(body.rstrip().splitlines()[-1])


def test_a_nul_byte_in_the_login_name_is_a_plain_refusal_or_a_login(client: Browser) -> None:
    refused = client.submit("/login", {"username": "adm\x00in", "password": "wrong"})
    assert refused.status_code == 200 and "用户名或密码不正确" in refused.get_data(as_text=True)
    accepted = client.submit("/login", {"username": "adm\x00in", "password": PASSWORD})
    assert accepted.status_code == 200 and "用户名或密码不正确" not in accepted.get_data(as_text=True)


def test_a_decompression_bomb_is_refused_on_the_pages_and_by_the_command(
        login_as: Callable[[str], Browser], world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = empty_cells_bomb()
    coordinator = login_as("coordinator")
    never_parsed(monkeypatch)
    for url in ("/ledger/import", "/targets/import"):
        response = coordinator.submit(url, {"file": (io.BytesIO(bomb), "清单.xlsx")})
        assert response.status_code == 200 and "疑似压缩炸弹" in response.get_data(as_text=True), url
    file = tmp_path / "清单.xlsx"
    file.write_bytes(bomb)
    code, output = run(["import-tasks", str(file)], tmp_path, DATABASE_URL=world.duban.db.url)
    assert code == 1 and "疑似压缩炸弹" in output and "Traceback" not in output


def test_a_step_whose_commit_went_unanswered_gets_a_clear_page(login_as: Callable[[str], Browser], world: World,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    coordinator = login_as("coordinator")

    def unanswered(*args: object, **kwargs: object) -> None:
        raise Unanswered(UNANSWERED)

    monkeypatch.setattr(world.duban.work, "inbox_view", unanswered)
    response = coordinator.get("/inbox")
    assert response.status_code == 503 and "请刷新页面查看" in response.get_data(as_text=True)
