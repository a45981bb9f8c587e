"""访问令牌 in a real browser: a person makes a token for another system, sees its secret once, and revokes it."""
from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.people import Person, Site

People = Callable[..., Person]


def api_status(site: Site, secret: str) -> int:
    """What another system gets with the token (no browser, no cookie)."""
    return httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code


def test_a_person_makes_a_token_sees_it_once_and_revokes_it(site: Site, person: People) -> None:
    for phone in (False, True):
        staff = person("staff", phone=phone)
        page = staff.page
        if not phone:
            page.get_by_role("link", name="访问令牌").click()
        else:
            staff.open("/account/tokens", "tokens")
        staff.expect_heading("访问令牌")
        page.get_by_label("用途").fill("移动端")
        page.get_by_label("读写（还可办理待办事项）").check()
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name="创建").click()
        staff.shot("token-made")
        secret = page.locator("#issued-token code.user-select-all").inner_text().strip()
        assert secret.startswith("dbn_")
        assert api_status(site, secret) == 200
        if phone:
            assert staff.page_width() <= 390
        staff.open("/account/tokens", "tokens-again")
        expect(page.locator("#issued-token")).to_have_count(0)  # shown once only
        row = page.locator("tbody tr").filter(has_text=secret[:12]).first
        expect(row).to_contain_text("读写")
        with page.expect_navigation():
            row.get_by_role("button", name="撤销").click()
        staff.expect_flash("访问令牌已撤销")
        expect(page.locator("tbody tr").filter(has_text=secret[:12]).first).to_contain_text("已撤销")
        staff.shot("token-revoked")
        assert api_status(site, secret) == 401
