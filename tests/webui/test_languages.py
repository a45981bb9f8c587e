"""Chinese by default, English per person: the choice is kept on the account and applies at login."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from html.parser import HTMLParser
from types import SimpleNamespace

from flask import Flask, render_template_string
from flask_babel import force_locale

from engine.core.clock import LOCAL_TZ
from engine.core.statuses import TaskStatus
from engine.store.models import AuditEvent, Category, Unit, User
from tests.factories import PASSWORD, World, assignment
from tests.webui.conftest import CSRF_FIELD, Browser
from webui.formatting import local_date, local_datetime, number, percent

Login = Callable[[str], Browser]
CJK = re.compile(r"[\u3400-\u9fff]")
#: elements whose text is the page's own wording, never a person's data
CHROME = frozenset({"title", "nav", "h1", "h2", "h3", "th", "button", "label", "legend"})


class ChromeText(HTMLParser):
    """The texts inside navigation, headings, column headers, labels and buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self.open.append(tag)
        if tag == "a" and "btn" in (dict(attrs).get("class") or ""):
            self.open[-1] = "button"
        if (dict(attrs).get("lang") or "").startswith("zh") and self.open:
            self.open[-1] = "chinese on purpose"  # e.g. the switch back to 中文

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and CHROME.intersection(self.open) and "chinese on purpose" not in self.open:
            self.texts.append(data.strip())


def chrome_in_chinese(html: str, data: tuple[str, ...]) -> list[str]:
    """Chrome texts that are still Chinese once people's data (task titles, unit names…) is set aside."""
    parser = ChromeText()
    parser.feed(html)
    remaining = [text for text in parser.texts if CJK.search(_without(text, data))]
    return remaining


def _without(text: str, data: tuple[str, ...]) -> str:
    for value in data:
        text = text.replace(value, "")
    return text


def switch(browser: Browser, page: str, code: str) -> str:
    """Press the language button on a page; the page it comes back to."""
    token = CSRF_FIELD.search(browser.get(page).get_data(as_text=True))
    assert token
    response = browser.client.post(f"/locale/{code}", data={"csrf_token": token.group(1), "next": page})
    assert response.status_code == 302
    return browser.get(response.headers["Location"]).get_data(as_text=True)


def task_data(world: World) -> tuple[str, ...]:
    """What people typed or configured that stays as it is in every language."""
    with world.duban.db.transaction(write=False) as session:
        units = tuple(unit.name for unit in session.query(Unit))
        categories = tuple(category.name for category in session.query(Category))
    return ("长江干流沿岸污水直排", *units, *categories)


def test_the_site_speaks_chinese_until_someone_chooses_english(app: Flask, world: World, login_as: Login) -> None:
    visitor = Browser(app.test_client())
    login_page = visitor.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in login_page and "登录督办系统" in login_page
    assert 'lang="en"' in login_page and ">English</button>" in login_page  # the switch, named in English


def test_a_person_switches_to_english_and_keeps_it_at_the_next_login(app: Flask, world: World,
                                                                       login_as: Login) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    staff = login_as("staff")
    inbox = switch(staff, "/inbox", "en")
    assert '<html lang="en">' in inbox and "My to-do list" in inbox and "Draft the implementation plan" in inbox
    data = task_data(world)
    for page in ("/inbox", f"/tasks/{task_id}", "/ledger"):
        html = staff.get(page).get_data(as_text=True)
        assert not chrome_in_chinese(html, data), (page, chrome_in_chinese(html, data))
    assert "长江干流沿岸污水直排" in staff.get("/ledger").get_data(as_text=True)  # people's data stays as typed
    with world.duban.db.transaction(write=False) as session:
        user = session.query(User).filter_by(username="staff").one()
        assert user.locale == "en"
        assert session.query(AuditEvent).filter_by(action="user.locale_changed", actor_id=user.id).count() == 1
    staff.post_with_token_from("/inbox", "/logout", {})
    again = Browser(app.test_client())  # another browser: nothing but the account remembers the choice
    again.submit("/login", {"username": "staff", "password": PASSWORD})
    assert "My to-do list" in again.get("/inbox").get_data(as_text=True)
    back = switch(again, "/inbox", "zh_Hans_CN")
    assert "我的待办" in back and "English" in back


def test_english_covers_the_login_page_errors_and_validation(app: Flask, world: World) -> None:
    visitor = Browser(app.test_client())
    page = switch(visitor, "/login", "en")
    assert "Log in to duban" in page and "Username" in page and "中文" in page
    failed = visitor.submit("/login", {"username": "staff", "password": "wrong-password-1"}).get_data(as_text=True)
    assert "Wrong username or password" in failed
    missing = visitor.get("/no-such-page")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)


def test_an_anonymous_visitor_switches_the_public_pages(app: Flask, world: World) -> None:
    visitor = Browser(app.test_client())
    assert "销号公示" in visitor.get("/public/").get_data(as_text=True)
    page = switch(visitor, "/public/", "en")
    assert "Sign-off notice" in page and '<html lang="en">' in page
    for url in ("/public/", "/public/notices", "/public/exposures"):
        html = visitor.get(url).get_data(as_text=True)
        assert not chrome_in_chinese(html, ()), (url, chrome_in_chinese(html, ()))


def test_an_unknown_language_changes_nothing(app: Flask, world: World, login_as: Login) -> None:
    staff = login_as("staff")
    token = CSRF_FIELD.search(staff.get("/inbox").get_data(as_text=True))
    assert token
    staff.client.post("/locale/xx", data={"csrf_token": token.group(1), "next": "/inbox"})
    assert "我的待办" in staff.get("/inbox").get_data(as_text=True)


def test_dates_and_numbers_in_the_readers_format(app: Flask, world: World, login_as: Login) -> None:
    task_id = world.register(deadline="2027-12-31")
    coordinator = login_as("coordinator")
    chinese = coordinator.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.search(r"整改时限</dt>\s*<dd[^>]*>2027年12月31日</dd>", chinese)
    english = switch(coordinator, f"/tasks/{task_id}", "en")
    assert re.search(r"Deadline</dt>\s*<dd[^>]*>Dec 31, 2027</dd>", english)
    assert "Dec 1, 2027" in english  # the diagram's note on the deadline warning timer


def test_the_filters_follow_the_locale(app: Flask) -> None:
    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            assert local_date(date(2026, 3, 10)) == "2026年3月10日"
            assert local_datetime(datetime(2026, 3, 10, 14, 5, tzinfo=LOCAL_TZ)) == "2026年3月10日 14:05"
            assert (number(12345.678, 1), percent(0.4286, 1)) == ("12,345.7", "42.9%")
        with force_locale("en"):
            assert local_date(date(2026, 3, 10)) == "Mar 10, 2026"
            assert local_datetime(datetime(2026, 3, 10, 14, 5, tzinfo=LOCAL_TZ)) == "Mar 10, 2026 2:05\u202fPM"
            assert (number(12345.678, 1), percent(0.4286, 1)) == ("12,345.7", "42.9%")


ROW_HELPERS = ('{% from "_macros.html" import warning_badge with context %}'
               '{{ warning_badge(task) }} | {{ notice_text(notice) }} | {{ work_name|t }}')


def test_the_helpers_a_list_calls_on_every_row_follow_the_locale(app: Flask) -> None:
    """A row's colour with its reasons, a reminder and a step's name: in the language of the page they are on."""
    task = SimpleNamespace(status=TaskStatus.IN_PROGRESS, warning="yellow",
                           warning_reasons=[{"code": "report_overdue", "period": "2026-11"}])
    notice = SimpleNamespace(msgid="%(code)s 有新的待办", params={"code": "3-4"}, text="3-4 有新的待办")
    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            chinese = render_template_string(ROW_HELPERS, task=task, notice=notice, work_name="填报月度进展")
        with force_locale("en"):
            english = render_template_string(ROW_HELPERS, task=task, notice=notice, work_name="填报月度进展")
    assert "黄：2026-11 月度进展逾期未报" in chinese and "3-4 有新的待办 | 填报月度进展" in chinese
    assert "Yellow: 2026-11 monthly report overdue" in english
    assert not CJK.search(english), english
