"""An objection as the person who files it meets it: a sum to work out, a tracking code to print, the answer looked
up with it and published with the objection (never their name or contact); after 销号 the notice invites no more
objections and the result is published. No warning colours on public pages; the login page links them."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from engine.store.models import Objection
from tests.factories import World
from tests.webui.conftest import CSRF_FIELD, Browser
from tests.webui.test_public import object_to, published_task

Login = Callable[[str], Browser]
CODE = re.compile(r'id="tracking-code">([0-9A-Z-]+)<')


def test_a_tracking_code_finds_the_answer_which_is_published_without_private_data(app: Flask, world: World) -> None:
    task_id, notice_id = published_task(world)
    visitor = Browser(app.test_client())
    receipt = object_to(visitor, world, f"/public/notices/{notice_id}", {
        "content": "排污口夜间仍在排水，整改不到位。", "name": "王五", "contact": "13900000000"}).get_data(as_text=True)
    code = CODE.search(receipt)
    assert code and "data-print" in receipt and "异议受理回执" in receipt
    typed = code.group(1).replace("-", "").lower()  # as a person might type it
    pending = Browser(app.test_client()).get(f"/public/objections?code={typed}").get_data(as_text=True)
    assert "排污口夜间仍在排水" in pending and "尚未答复" in pending
    assert "没有找到这个受理编号" in visitor.get("/public/objections?code=XXXX-XXXX-XX").get_data(as_text=True)

    world.tick(days=10)
    with world.duban.db.transaction(write=False) as session:
        key = str(session.scalars(select(Objection.id)).one())
    world.do("supervisor", task_id, "objection_answer",
             answers={key: {"decision": "dismissed", "answer": "经现场复核，排水为雨水管道，整改到位"}})
    answered = visitor.get(f"/public/objections/{code.group(1)}").get_data(as_text=True)
    assert "经现场复核，排水为雨水管道" in answered and "异议不成立" in answered
    public_task = visitor.get(f"/public/tasks/{task_id}").get_data(as_text=True)
    assert "排污口夜间仍在排水" in public_task and "经现场复核，排水为雨水管道" in public_task
    for private in ("王五", "13900000000", "192.0.2", "127.0.0.1"):
        assert private not in public_task + answered, private

    world.do("leader", task_id, "signoff_approve", decision="approve", comment="同意销号")
    closed = visitor.get(f"/public/tasks/{task_id}").get_data(as_text=True)
    assert 'id="closing-result"' in closed and "批准销号" in closed and "收到异议 1 件" in closed
    assert "公示已结束" in closed and "提出异议" not in closed
    notice = visitor.get(f"/public/notices/{notice_id}").get_data(as_text=True)
    assert "不再受理异议" in notice and "提交异议" not in notice and f"/public/tasks/{task_id}" in notice
    assert "提出异议" not in visitor.get("/public/notices").get_data(as_text=True)


def test_the_objection_form_refuses_a_wrong_sum_a_filled_trap_and_a_replay(app: Flask, world: World) -> None:
    _, notice_id = published_task(world)
    url = f"/public/notices/{notice_id}"
    visitor = Browser(app.test_client())
    data = {"content": "排污口夜间仍在排水，整改不到位。"}
    wrong = visitor.submit(url, {**data, "challenge_answer": "99"}).get_data(as_text=True)
    assert "验证题答案不对" in wrong
    trapped = object_to(visitor, world, url, {**data, "website": "http://spam.example"}).get_data(as_text=True)
    assert "提交未通过验证" in trapped
    page = visitor.get(url).get_data(as_text=True)
    token = CSRF_FIELD.search(page)
    asked = re.search(r"(\d+) 加 (\d+) 等于几", page)
    assert token and asked
    answer = str(int(asked.group(1)) + int(asked.group(2)))
    too_fast = visitor.client.post(url, data={"csrf_token": token.group(1), "challenge_answer": answer, **data})
    assert "提交得太快了" in too_fast.get_data(as_text=True)
    with world.duban.db.transaction(write=False) as session:
        assert session.scalars(select(Objection.id)).all() == []
    assert "异议受理回执" in object_to(visitor, world, url, data).get_data(as_text=True)
    replay = visitor.client.post(url, data={"csrf_token": token.group(1), "challenge_answer": answer, **data})
    assert "验证题已过期" in replay.get_data(as_text=True)  # a challenge is answered once
    with world.duban.db.transaction(write=False) as session:
        assert len(session.scalars(select(Objection.id)).all()) == 1


def test_public_pages_show_no_warning_colours_and_the_login_page_links_them(app: Flask, world: World,
                                                                            login_as: Login) -> None:
    task_id = world.register(deadline="2026-04-01")
    world.tick(days=40)  # past its deadline: red inside, with its reasons
    assert "已超整改时限" in login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    visitor = Browser(app.test_client())
    html = visitor.get("/public/").get_data(as_text=True) + visitor.get(f"/public/tasks/{task_id}").get_data(
        as_text=True)
    for internal in ("红：", "黄：", "已超整改时限", "预警"):
        assert internal not in html, internal
    assert 'href="/public/"' in visitor.get("/login").get_data(as_text=True)
