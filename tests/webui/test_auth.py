from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from engine.store.models import AuditEvent
from tests.factories import PASSWORD, World
from tests.webui.conftest import Browser


def test_pages_need_login(client: Browser) -> None:
    response = client.get("/inbox")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_wrong_password_and_unknown_user_get_the_same_message(client: Browser, world: World) -> None:
    wrong = client.submit("/login", {"username": "staff", "password": "nope-nope-1"}).get_data(as_text=True)
    unknown = client.submit("/login", {"username": "nobody", "password": "nope-nope-1"}).get_data(as_text=True)
    assert "用户名或密码不正确" in wrong and "用户名或密码不正确" in unknown
    with world.duban.db.transaction(write=False) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("login.%"))).all()
    assert actions.count("login.failure") == 2


def test_login_follows_only_local_next(client: Browser) -> None:
    page = client.get("/login?next=//evil.example/x")
    assert page.status_code == 200
    response = client.client.post("/login?next=https://evil.example/", data={
        "csrf_token": _token(client, "/login"), "username": "staff", "password": PASSWORD})
    assert response.headers["Location"].endswith("/inbox")
    response = client.client.post("/logout", data={"csrf_token": _token(client, "/inbox")})
    response = client.client.post("/login?next=/ledger", data={
        "csrf_token": _token(client, "/login"), "username": "staff", "password": PASSWORD})
    assert response.headers["Location"] == "/ledger"


def test_post_without_csrf_token_is_refused(client: Browser, world: World) -> None:
    response = client.client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(login_as: Callable[[str], Browser]) -> None:
    browser = login_as("staff")
    assert browser.get("/logout").status_code == 405
    response = browser.post_with_token_from("/inbox", "/logout", {})
    assert "已退出登录" in response.get_data(as_text=True)
    assert browser.get("/inbox").status_code == 302


def _token(browser: Browser, url: str) -> str:
    from tests.webui.conftest import CSRF_FIELD

    match = CSRF_FIELD.search(browser.get(url).get_data(as_text=True))
    assert match
    return match.group(1)
