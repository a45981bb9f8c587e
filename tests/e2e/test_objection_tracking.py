"""An objection in a real browser, on a phone: from the login page to the public site, the form's sum, the printable
receipt with its tracking code, and the answer looked up with that code once the supervisor has given it."""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect
from sqlalchemy import select

from engine.store.models import Objection
from tests.e2e.people import Person, Site
from tests.webui.test_public import published_task

People = Callable[..., Person]


def test_a_person_files_an_objection_keeps_the_code_and_reads_the_answer(site: Site, person: People) -> None:
    task_id, _ = published_task(site.world)
    visitor = person("visitor", phone=True, login=False)
    page = visitor.open("/login", "login")
    page.get_by_role("link", name="整改公开（无需登录）").click()
    page.get_by_role("link", name="销号公示").first.click()
    page.get_by_role("link", name="提出异议").first.click()
    page.get_by_label("异议内容").fill("排污口夜间仍在排水，整改不到位。")
    page.get_by_label("联系方式（可不填，仅用于核实，不公开）").fill("13900000000")
    question = page.locator("label[for=challenge]").inner_text()
    first, second = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.get_by_label(question).fill(str(first + second))
    visitor.shot("objection-filled")
    site.world.duban.clock.advance(seconds=5)  # type: ignore[attr-defined]
    page.get_by_role("button", name="提交异议").click()
    code = page.locator("#tracking-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$"))
    expect(page.get_by_role("button", name="打印回执")).to_be_visible()
    tracking = code.inner_text()
    visitor.shot("receipt")

    site.world.tick(days=10)
    with site.world.duban.db.transaction(write=False) as session:
        key = str(session.scalars(select(Objection.id)).one())
    site.world.do("supervisor", task_id, "objection_answer",
                  answers={key: {"decision": "dismissed", "answer": "经现场复核，排水为雨水管道，整改到位"}})
    page.goto("/public/")
    page.get_by_role("link", name="异议答复查询").click()
    page.get_by_label("受理编号").fill(tracking.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".public-objection")).to_contain_text("经现场复核，排水为雨水管道，整改到位")
    expect(page.locator("body")).not_to_contain_text("13900000000")
    visitor.shot("answer")
