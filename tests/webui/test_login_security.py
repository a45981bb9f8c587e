"""Login and sessions: hashing, policy, lockout, rate limit, cookies, headers, production mode."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.features.accounts.users import check_password_policy
from engine.store.database import Database
from engine.store.models import AuditEvent, User
from tests.factories import PASSWORD, World
from tests.webui.conftest import CSRF_FIELD, TEMPLATE_FILES, Browser
from webui import create_app
from webui.cli import main
from webui.security import UnsafeConfiguration

Login = Callable[[str], Browser]
GENERIC = "用户名或密码不正确，或账户已被锁定或停用。"


def attempt(browser: Browser, username: str, password: str, **environ: str) -> str:
    page = browser.client.get("/login", environ_base=environ)
    token = CSRF_FIELD.search(page.get_data(as_text=True))
    assert token
    response = browser.client.post("/login", data={"csrf_token": token.group(1), "username": username,
                                                   "password": password}, environ_base=environ)
    return f"{response.status_code} {response.get_data(as_text=True)}"


def audit_actions(world: World, prefix: str = "") -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%"))
                                    .order_by(AuditEvent.seq)))


def test_passwords_are_argon2id_hashes_and_follow_a_policy(world: World) -> None:
    with world.duban.db.transaction(write=False) as session:
        stored = session.scalars(select(User.password_hash)).all()
    assert stored and all(value.startswith("$argon2id$") for value in stored)
    assert PASSWORD not in "".join(stored)
    assert check_password_policy("Secret-pass-1", "staff") == []
    assert "密码至少 10 个字符" in check_password_policy("short-1")
    assert "密码须同时包含字母和数字或符号" in check_password_policy("onlylettershere")
    assert "密码不能包含用户名" in check_password_policy("zhangsan-2026", "zhangsan")
    assert "这个密码太常见，请换一个" in check_password_policy("Password123")
    assert "密码不能超过 256 个字符" in check_password_policy("a1" * 200)


def test_every_failure_gets_the_same_message(client: Browser, world: World, login_as: Login) -> None:
    admin = login_as("admin")
    user_id = world["publicity"].user_id
    admin.post_with_token_from("/admin/users", f"/admin/users/{user_id}/deactivate", {})
    answers = [attempt(client, "staff", "wrong-password-1"), attempt(client, "nobody", "wrong-password-1"),
               attempt(client, "publicity", PASSWORD)]
    for answer in answers:
        assert answer.startswith("200") and GENERIC in answer
    assert audit_actions(world, "login.failure") == ["login.failure"] * 3


def test_lockout_after_repeated_failures_audited_and_lifted_by_an_admin(
        client: Browser, world: World, login_as: Login) -> None:
    for _ in range(5):
        attempt(client, "staff", "wrong-password-1")
    assert audit_actions(world, "user.locked") == ["user.locked"]
    assert GENERIC in attempt(client, "staff", PASSWORD)  # the right password no longer opens it
    users_page = login_as("admin").get("/admin/users?state=locked").get_data(as_text=True)
    assert "staff" in users_page and "已锁定" in users_page
    login_as("admin").post_with_token_from("/admin/users", f"/admin/users/{world['staff'].user_id}/unlock", {})
    assert attempt(client, "staff", PASSWORD).startswith("302")
    assert audit_actions(world, "user.unlocked") == ["user.unlocked"]


def test_a_lock_runs_out_by_itself(client: Browser, world: World, clock: FakeClock) -> None:
    for _ in range(5):
        attempt(client, "head", "wrong-password-1")
    clock.advance(minutes=29)
    assert attempt(client, "head", PASSWORD).startswith("200")
    clock.advance(minutes=2)
    assert attempt(client, "head", PASSWORD).startswith("302")


def test_the_lockout_counts_across_web_workers(world: World, duban: Duban) -> None:
    """Two workers (two engines, two apps) on one database share the per-account count."""
    other = Duban(Database(duban.db.url), duban.roles, duban.clock, duban.workflow_files)
    apps = [create_app({"DUBAN_ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True})
            for engine in (duban, other)]
    browsers = [Browser(app.test_client()) for app in apps]
    for number in range(5):
        attempt(browsers[number % 2], "staff", "wrong-password-1", REMOTE_ADDR=f"10.1.0.{number}")
    assert audit_actions(world, "user.locked") == ["user.locked"]
    other.db.dispose()


def test_failed_logins_are_rate_limited_per_address(client: Browser, world: World) -> None:
    for number in range(10):
        assert attempt(client, f"nobody{number}", "wrong-password-1", REMOTE_ADDR="10.9.9.9").startswith("200")
    limited = attempt(client, "nobody", "wrong-password-1", REMOTE_ADDR="10.9.9.9")
    assert limited.startswith("429") and "尝试次数过多" in limited
    assert attempt(client, "staff", PASSWORD, REMOTE_ADDR="10.9.9.10").startswith("302")


def test_a_limited_address_still_lets_a_correct_password_in(client: Browser, world: World) -> None:
    """One bad actor behind an office's shared address does not lock the office out."""
    for number in range(12):
        attempt(client, f"nobody{number}", "wrong-password-1", REMOTE_ADDR="10.9.9.9")
    assert attempt(client, "staff", "wrong-password-1", REMOTE_ADDR="10.9.9.9").startswith("429")
    assert attempt(client, "staff", PASSWORD, REMOTE_ADDR="10.9.9.9").startswith("302")


def test_the_address_limit_counts_across_web_workers(world: World, duban: Duban) -> None:
    """Two workers (two engines, two apps) on one database share the count of an address's failures."""
    other = Duban(Database(duban.db.url), duban.roles, duban.clock, duban.workflow_files)
    apps = [create_app({"DUBAN_ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True})
            for engine in (duban, other)]
    browsers = [Browser(app.test_client()) for app in apps]
    outcomes = [attempt(browsers[number % 2], f"nobody{number}", "wrong-password-1", REMOTE_ADDR="10.3.3.3")[:3]
                for number in range(11)]
    assert outcomes == ["200"] * 10 + ["429"]
    other.db.dispose()


def test_successful_logins_do_not_count_against_the_address(app: Flask, world: World) -> None:
    for _ in range(12):
        browser = Browser(app.test_client())
        assert attempt(browser, "staff", PASSWORD, REMOTE_ADDR="10.2.2.2").startswith("302")


def test_session_cookie_flags_and_a_new_session_at_login(app: Flask, world: World) -> None:
    browser = Browser(app.test_client())
    browser.client.post("/locale/en", data={"csrf_token": _token(browser, "/login")})
    before = browser.client.get_cookie("duban_session")
    assert before is not None
    page = browser.client.get("/login")
    token = CSRF_FIELD.search(page.get_data(as_text=True))
    assert token
    response = browser.client.post("/login", data={"csrf_token": token.group(1), "username": "staff",
                                                   "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    after = browser.client.get_cookie("duban_session")
    assert after is not None and after.value != before.value
    stale = Browser(app.test_client())  # whoever holds the pre-login cookie is still not logged in
    stale.client.set_cookie("duban_session", before.value)
    assert stale.get("/inbox").status_code == 302


def test_secure_cookies_when_configured(duban: Duban, world: World) -> None:
    app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "test-secret", "TESTING": True,
                      "SESSION_COOKIE_SECURE": True})
    browser = Browser(app.test_client())
    response = browser.client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_logout_ends_the_session_even_for_a_copied_cookie(app: Flask, login_as: Login) -> None:
    browser = login_as("staff")
    cookie = browser.client.get_cookie("duban_session")
    assert cookie is not None
    browser.post_with_token_from("/inbox", "/logout", {})
    thief = Browser(app.test_client())
    thief.client.set_cookie("duban_session", cookie.value)
    assert thief.get("/inbox").status_code == 302


def test_sessions_end_after_idle_time_and_after_their_lifetime(login_as: Login, clock: FakeClock) -> None:
    browser = login_as("staff")
    for _ in range(6):
        clock.advance(minutes=110)
        assert browser.get("/inbox").status_code == 200  # active every 110 minutes: still in ...
    clock.advance(minutes=110)
    assert browser.get("/inbox").status_code == 302  # ... until 12 hours after the login
    again = login_as("staff")
    clock.advance(minutes=121)
    assert again.get("/inbox").status_code == 302  # idle for more than two hours


def test_next_is_only_ever_a_local_path(client: Browser, world: World) -> None:
    for target, lands in [("/ledger?status=closed", "/ledger?status=closed"), ("//evil.example", "/inbox"),
                          ("https://evil.example/", "/inbox"), ("/\\evil.example", "/inbox"),
                          ("javascript:alert(1)", "/inbox"), ("/%0d%0aSet-Cookie:x", "/inbox"),
                          ("http:/evil.example", "/inbox")]:
        browser = Browser(client.client.application.test_client())
        response = browser.client.post(f"/login?next={target}", data={
            "csrf_token": _token(browser, "/login"), "username": "staff", "password": PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"] == lands, target


@pytest.mark.parametrize("path", ["/login", "/inbox", "/tasks/999", "/static/css/duban.css", "/nowhere"])
def test_security_headers_on_every_response(login_as: Login, path: str) -> None:
    response = login_as("staff").get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["default-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    if not path.startswith("/static"):
        assert response.headers["Cache-Control"] == "no-store"


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    assert TEMPLATE_FILES
    for template in TEMPLATE_FILES:
        source = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", source):
            assert "src=" in tag, f"{template.name}: inline script"
        assert not re.search(r"\son[a-z]+\s*=", source), f"{template.name}: inline event handler"
        assert "javascript:" not in source, template.name


def test_production_refuses_debug_and_a_missing_secret_key(duban: Duban, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY"):
        create_app({"DUBAN_ENGINE": duban})
    with pytest.raises(UnsafeConfiguration, match="debug"):
        create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "x" * 64, "DEBUG": True})
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    app = create_app({"DUBAN_ENGINE": duban})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("DUBAN_ENV", "staging")
    with pytest.raises(UnsafeConfiguration, match="DUBAN_ENV"):
        create_app({"DUBAN_ENGINE": duban})


def test_production_cli_says_why_it_will_not_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init"], env={"DUBAN_INSTANCE": str(tmp_path), "DATABASE_URL": "",
                                                     "DUBAN_ENV": "production", "SECRET_KEY": ""})
    assert result.exit_code == 1
    assert "SECRET_KEY" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "secret_key").exists()


def _token(browser: Browser, url: str) -> str:
    match = CSRF_FIELD.search(browser.get(url).get_data(as_text=True))
    assert match
    return match.group(1)


def test_an_operator_unlocks_from_the_command_line(world: World, tmp_path: Path) -> None:
    for _ in range(5):
        world.duban.accounts.login("head", "wrong-password-1", "10.3.3.3")
    assert world.duban.accounts.login("head", PASSWORD) is None
    env = {"DATABASE_URL": world.duban.db.url, "DUBAN_INSTANCE": str(tmp_path), "SECRET_KEY": "k" * 32}
    result = CliRunner().invoke(main, ["unlock-user", "head"], env=env)
    assert result.exit_code == 0 and "unlocked head" in result.output
    assert world.duban.accounts.login("head", PASSWORD) is not None
    unknown = CliRunner().invoke(main, ["unlock-user", "nobody"], env=env)
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    with world.duban.db.transaction(write=False) as session:
        unlocked = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.unlocked")).one()
    assert unlocked.actor_username.startswith("cli:") and unlocked.client_addr == "cli"
