"""The administrator's pages: accounts and the audit trail."""
from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select, text

from engine.store.models import AuditEvent, User
from tests.factories import PASSWORD, World, walk_to_reporting
from tests.webui.conftest import CSRF_FIELD, Browser

Login = Callable[[str], Browser]
TEMPORARY = re.compile(r'<code class="user-select-all">([^<]+)</code>')


def events(world: World, action: str) -> list[AuditEvent]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def log_in(browser: Browser, username: str, password: str) -> str:
    return browser.submit("/login", {"username": username, "password": password}).get_data(as_text=True)


def test_admin_lands_on_the_accounts_and_sees_every_one(login_as: Login) -> None:
    admin = login_as("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    for username in ("leader", "coordinator", "staff", "other_head"):
        assert f"<code>{username}</code>" in page
    assert "江阳区" in page and "本人" in page
    staff_only = admin.get("/admin/users?role=unit_staff").get_data(as_text=True)
    assert "<code>staff</code>" in staff_only and "<code>leader</code>" not in staff_only


def test_a_new_account_gets_a_one_time_password_that_must_be_changed(app, login_as: Login, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    response = admin.submit("/admin/users/new", {"username": "zhaoliu", "display_name": "赵六", "title": "",
                                                 "role": "unit_staff", "unit": "naxi"})
    page = response.get_data(as_text=True)
    match = TEMPORARY.search(page)
    assert match, page
    temporary = match.group(1)
    assert temporary not in str(admin.client.get_cookie("duban_session"))  # never kept in the session cookie
    created = events(world, "user.created")[-1]
    assert created.actor_username == "admin" and created.after and created.after["role"] == "unit_staff"
    assert temporary not in str(created.after)
    person = Browser(app.test_client())
    log_in(person, "zhaoliu", temporary)
    assert person.get("/inbox").headers["Location"].endswith("/account/password")
    changed = person.submit("/account/password", {"current": temporary, "password": "Naxi-river-2026",
                                                  "confirm": "Naxi-river-2026"}).get_data(as_text=True)
    assert "密码已修改" in changed
    assert person.get("/inbox").status_code == 200
    assert [e.actor_username for e in events(world, "user.password_changed")] == ["zhaoliu"]


def test_a_bad_new_account_is_explained(login_as: Login) -> None:
    admin = login_as("admin")
    page = admin.submit("/admin/users/new", {"username": "staff", "display_name": "x", "role": "unit_head",
                                             "unit": ""}).get_data(as_text=True)
    assert "用户名已存在" in page and "单位角色必须指定所属单位" in page
    page = admin.submit("/admin/users/new", {"username": "bad name!", "display_name": "x", "role": "leader",
                                             "unit": ""}).get_data(as_text=True)
    assert "用户名为 2–64 个字母" in page


def test_editing_a_role_takes_effect_at_once_and_is_audited(login_as: Login, world: World) -> None:
    staff = login_as("staff")
    assert staff.get("/tasks/new").status_code == 403
    admin = login_as("admin")
    user_id = world["staff"].user_id
    admin.submit(f"/admin/users/{user_id}/edit", {"display_name": "李四", "title": "", "role": "coordinator",
                                                  "unit": "office"})
    assert staff.get("/tasks/new").status_code == 200
    updated = events(world, "user.updated")[-1]
    assert updated.before and updated.after
    assert (updated.before["role"], updated.after["role"]) == ("unit_staff", "coordinator")


def test_deactivating_ends_the_sessions_and_reactivating_lets_them_back(login_as: Login, world: World) -> None:
    staff = login_as("staff")
    admin = login_as("admin")
    user_id = world["staff"].user_id
    admin.post_with_token_from("/admin/users", f"/admin/users/{user_id}/deactivate", {})
    assert staff.get("/inbox").status_code == 302
    assert "用户名或密码不正确" in log_in(Browser(staff.client.application.test_client()), "staff", PASSWORD)
    admin.post_with_token_from("/admin/users", f"/admin/users/{user_id}/activate", {})
    login_as("staff")
    assert [e.action for e in events(world, "user.deactivated") + events(world, "user.activated")] == [
        "user.deactivated", "user.activated"]


def test_a_password_reset_ends_the_sessions_and_shows_the_new_one_once(login_as: Login, world: World) -> None:
    staff = login_as("staff")
    admin = login_as("admin")
    response = admin.post_with_token_from("/admin/users", f"/admin/users/{world['staff'].user_id}/password", {})
    match = TEMPORARY.search(response.get_data(as_text=True))
    assert match
    assert staff.get("/inbox").status_code == 302
    person = Browser(staff.client.application.test_client())
    log_in(person, "staff", match.group(1))
    assert person.get("/ledger").headers["Location"].endswith("/account/password")
    assert "已重置" not in admin.get("/admin/users").get_data(as_text=True)  # shown once, not flashed


def test_an_admin_cannot_lock_themselves_out(login_as: Login, world: World) -> None:
    admin = login_as("admin")
    own = world["admin"].user_id
    response = admin.post_with_token_from("/admin/users", f"/admin/users/{own}/deactivate", {})
    assert response.status_code == 403 and "不能在用户管理中修改" in response.get_data(as_text=True)
    with world.duban.db.transaction(write=False) as session:
        assert session.get_one(User, own).active


def test_the_audit_trail_filters_and_verifies(login_as: Login, world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    log_in(Browser(login_as("staff").client.application.test_client()), "staff", "wrong-password-9")
    admin = login_as("admin")
    logins = admin.get("/admin/audit?action=login").get_data(as_text=True)
    assert "login.failure" in logins and "login.success" in logins and "plan.filed" not in logins
    by_task = admin.get(f"/admin/audit?task={task_id}").get_data(as_text=True)
    assert "plan.filed" in by_task and "login.success" not in by_task
    assert "变更前后" in by_task  # before/after of task.assigned
    by_actor = admin.get("/admin/audit?actor=supervisor").get_data(as_text=True)
    assert "plan.filed" in by_actor and "plan.drafted" not in by_actor
    verified = admin.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "审计链完整" in verified
    with world.duban.db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_events_no_delete" if world.duban.db.is_sqlite
                                else "DROP TRIGGER audit_events_append_only ON audit_events"))
        connection.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    broken = admin.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "审计链已被破坏" in broken and "缺失事件 #3" in broken


def test_the_audit_trail_exports_csv_without_formulas(login_as: Login, world: World) -> None:
    world.register("1-1", title="=HYPERLINK(\"http://x\")")
    response = login_as("admin").get("/admin/audit.csv?action=task")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and body.startswith("\ufeffseq,at,")
    assert "task.registered" in body and "'=HYPERLINK" not in body  # the summary starts with 登记
    assert len(body.splitlines()) >= 2


def test_the_task_page_shows_its_own_trail(login_as: Login, world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    page = login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "实施方案（第 1 稿）予以备案" in page
    assert "变更前后" in page  # the assignment's before and after


def _token(browser: Browser, url: str) -> str:
    match = CSRF_FIELD.search(browser.get(url).get_data(as_text=True))
    assert match
    return match.group(1)
