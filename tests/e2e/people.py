"""People at their browsers: each one a browser context of its own, taking a screenshot of every page."""
from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.factories import PASSWORD, World

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PHONE_WIDTH = PHONE["width"]
TIMEOUT_MS = 10_000
#: a leader's first page after login
LEADER_HOME = "整改工作总览"


@dataclass
class Site:
    url: str
    world: World
    browser: Browser
    screenshots: Path
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def begin(self, folder: Path) -> None:
        """A test's screenshots go to a folder of their own, numbered from 1 (workers never share one)."""
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.screenshots, self.counter = folder, itertools.count(1)

    def person(self, username: str, phone: bool = False) -> Person:
        options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {"viewport": DESKTOP}
        context = self.browser.new_context(base_url=self.url, locale="zh-CN", **options)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        return Person(self, username, context, phone)


class Person:
    def __init__(self, site: Site, username: str, context: BrowserContext, phone: bool) -> None:
        self.site, self.username, self.context, self.phone = site, username, context, phone
        self.page: Page = context.new_page()

    def close(self) -> None:
        self.context.close()

    def shot(self, name: str) -> Path:
        """A full-page screenshot, numbered in the order the test's pages were seen."""
        device = "phone" if self.phone else "desktop"
        path = self.site.screenshots / f"{next(self.site.counter):03d}-{device}-{self.username}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def open(self, path: str, name: str) -> Page:
        self.page.goto(path)
        self.shot(name)
        return self.page

    def login(self) -> None:
        if not self.page.url.endswith("/login"):
            self.open("/login", "login")
        self.page.get_by_label("用户名").fill(self.username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.expect_heading(LEADER_HOME if self.username == "leader" else "我的待办")
        self.shot("home")

    def expect_heading(self, text: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def expect_status(self, status: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("main .badge", has_text=status).first).to_be_visible()

    def expect_flash(self, text: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("main > .alert").filter(has_text=text)).to_be_visible()

    def inbox_row(self, step: str, code: str) -> Locator:
        self.open("/inbox", "inbox")
        cell = self.page.locator("td[data-label='待办事项']", has_text=step)
        return self.page.locator("tbody tr").filter(has_text=code).filter(has=cell).first

    def do_step(self, step: str, code: str, fill: Callable[[Page], None], name: str) -> None:
        """Open the step from the inbox, fill its form, submit, and see the result on the inbox."""
        self.inbox_row(step, code).get_by_role("link", name="办理").click()
        self.expect_heading(step)
        fill(self.page)
        self.shot(f"{name}-form")
        self.submit()
        self.shot(f"{name}-done")
        self.expect_flash(f"已完成「{step}」：{code}")

    def submit(self) -> None:
        """Send the form and wait for the answer (the next page, or the form again with its mistakes)."""
        with self.page.expect_navigation():
            self.page.locator("main form").get_by_role("button", name="提交").click()

    def page_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))

    def pick(self, select_id: str, *searches: str) -> None:
        """Choose in a searchable multi-select as a person does: type part of a name, take the first match."""
        control = self.page.locator(f"#{select_id}-ts-control")
        for search in searches:
            control.fill(search)
            self.page.locator(f"#{select_id}-ts-dropdown .option", has_text=search).first.click()
