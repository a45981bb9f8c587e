"""Hostile input, property-based: every form and filter gets very long text, control characters, mixed
scripts, HTML and script payloads, impossible dates and numbers. No input yields a 500; what is stored
is what was sent (less invisible control characters); what is shown is escaped.

One site is staged with open work for every form, snapshotted, and rewound before each example
(SQLite's backup API), so an example that succeeds does not use up the work for the next one.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField

from engine.app import Duban
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.roles import RoleModel
from engine.core.text import without_controls
from engine.features.accounts import users
from engine.features.rectification.forms import REGISTRATION_FIELDS
from engine.store.database import Database
from engine.store.models import HumanTask, ImplementationPlan
from tests.conftest import START, WORKFLOWS
from tests.factories import (
    CHEAP_HASHER,
    PASSWORD,
    PHOTO,
    World,
    assignment,
    build_world,
    checklist,
    report_month,
    walk_to_reporting,
)
from tests.webui.conftest import CSRF_FIELD, Browser
from webui import create_app
from webui.admin.forms import NewUserForm, ProfileForm
from webui.auth.forms import LoginForm, PasswordForm
from webui.forms import form_class

EXAMPLES = settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
#: eleven work forms (and four pages per filter example): fewer examples each keeps the module within seconds
WORK_EXAMPLES = settings(EXAMPLES, max_examples=6)
PROBE = "<x-probe onmouseover=alert(1)>"
PAYLOADS = (
    "<script>alert(1)</script>", PROBE, '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "{{ 7*7 }}{% raw %}", "'; DROP TABLE users; --", "%s%n%x", "../../etc/passwd", "\u202e\u0644\u0627RTL",
    "𠮷野家 ☃ 😀 Ελληνικά русский عربي हिन्दी", "\x00\x01\x07\x1b[31m\x7f", "\r\n\t", "\ufeff\u200b", "０１２３",
    "a" * 5001, "长" * 70_000,
)
text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200),
    st.lists(st.one_of(st.sampled_from(PAYLOADS[:-2]), st.text(max_size=10)), max_size=5).map("".join),
).map(lambda value: value.encode("utf-8", "replace").decode("utf-8"))
#: past what a database integer holds, and what int() accepts but a number field should not
EDGE_NUMBERS = ["9223372036854775808", "-9223372036854775809", "2147483648", "99999999999999999999", "9" * 5000,
                "", "1e9", "NaN", "inf", "-0", "٣", "0x10", " 7 ", "1_000"]
numbers = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-(10**30), 10**30).map(str), text)
dates = st.one_of(st.dates(min_value=date(1, 1, 1)).map(date.isoformat), text,
                  st.sampled_from(["", "2026-02-30", "0000-00-00", "99999-01-01", "2026/03/01", "2026-13-01"]))


def value_for(field_class: type, choices: list[str]) -> st.SearchStrategy[Any]:
    if field_class in (SelectField, RadioField):
        return st.one_of(st.sampled_from(choices or ["x"]), numbers)
    if field_class is SelectMultipleField:
        return st.lists(st.one_of(st.sampled_from(choices or ["x"]), numbers), max_size=4)
    if field_class is DateField:
        return dates
    if field_class is IntegerField:
        return numbers
    if field_class is BooleanField:
        return st.sampled_from(["y", "", "on", "false", "<b>"])
    return text


def plausible_for(field_class: type, choices: list[str]) -> st.SearchStrategy[Any]:
    """A value the form may well accept, with hostile text inside: these get stored and shown."""
    if field_class in (SelectField, RadioField):
        return st.sampled_from(choices or ["x"])
    if field_class is SelectMultipleField:
        return st.lists(st.sampled_from(choices or ["x"]), max_size=2, unique=True)
    if field_class is DateField:
        return st.dates(min_value=date(2026, 4, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
    if field_class is IntegerField:
        return st.integers(0, 100).map(str)
    if field_class is BooleanField:
        return st.sampled_from(["y", ""])
    return st.one_of(st.sampled_from(PAYLOADS[:-2]), st.text(min_size=1, max_size=80)).filter(
        lambda value: without_controls(value).strip() != "")


def form_data(form_class: type, choices: dict[str, list[str]] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Every field plausible (most get accepted), or anything at all with fields now and then left out."""
    fields = [(name, unbound.field_class, (choices or {}).get(name, [])) for name, unbound in _unbound(form_class)]
    plausible = st.fixed_dictionaries({name: plausible_for(kind, options) for name, kind, options in fields})
    anything = st.fixed_dictionaries({}, optional={name: value_for(kind, options) for name, kind, options in fields})
    return st.one_of(plausible, anything)


def _unbound(form_class: type) -> list[tuple[str, Any]]:
    return [(name, value) for name in dir(form_class) if hasattr(value := getattr(form_class, name), "field_class")]


@dataclass
class Site:
    app: Flask
    world: World
    live: Path
    snapshot: Path
    browsers: dict[str, Browser]
    work: dict[str, tuple[str, int]]  # form -> (who, work id)
    ids: dict[str, list[str]]  # select field -> real ids to choose from

    def rewind(self) -> None:
        with closing(sqlite3.connect(self.snapshot)) as src, closing(sqlite3.connect(self.live)) as dst:
            src.backup(dst)

    def post(self, who: str, url: str, data: dict[str, Any]) -> int:
        browser = self.browsers[who]
        response = browser.client.post(url, data={"csrf_token": browser.token, **data})  # type: ignore[attr-defined]
        assert response.status_code < 500, (url, data, response.get_data(as_text=True)[-2000:])
        return response.status_code

    def page(self, who: str, url: str) -> str:
        response = self.browsers[who].get(url)
        assert response.status_code < 500, url
        return response.get_data(as_text=True)


def stage(world: World) -> dict[str, tuple[str, int]]:
    """Open work for every form at once, on tasks of 江阳区."""
    steps = [("staff", "plan_draft", {"content": "稿", "milestones": "节点", "contact": "李四"}),
             ("head", "plan_sign", {"decision": "submit", "comment": ""}),
             ("supervisor", "plan_review", {"decision": "file", "comment": ""})]
    tasks = {}
    for number, stop in enumerate(("assign", "plan_draft", "plan_sign", "plan_review"), start=1):
        tasks[stop] = task_id = world.register(f"1-{number}")
        if stop != "assign":
            world.do("coordinator", task_id, "assign", **assignment(world))
        for who, form, data in steps[:["plan_draft", "plan_sign", "plan_review"].index(stop)] if stop != "assign" \
                else []:
            world.do(who, task_id, form, **data)
    reporting = {form: world.register(f"2-{number}", deadline="2026-04-20") for number, form in enumerate(
        ("report_submit", "report_sign", "report_review", "report_chase", "overdue_action", "signoff_apply",
         "signoff_sign", "signoff_verify", "signoff_notice", "objection_answer", "signoff_approve", "reopen"))}
    for task_id in reporting.values():
        walk_to_reporting(world, task_id)
    # an escalation is open: the overdue report is chased rather than proposed for escalation
    world.duban.escalation.propose(world["supervisor"], reporting["report_chase"], "现场检查发现仍有直排")
    world.next_month()  # 1 April: March's reports are requested
    stage_reports(world, reporting)
    stage_signoffs(world, reporting)
    world.go_to(datetime(2026, 4, 21, 9, tzinfo=LOCAL_TZ))  # the deadline has passed, the notices are over
    answer_and_approve(world, reporting)
    return {**{form: _open(world, form, task_id) for form, task_id in tasks.items()},
            **{form: _open(world, form, task_id) for form, task_id in reporting.items()}}


def stage_reports(world: World, tasks: dict[str, int]) -> None:
    for depth, form in enumerate(("report_submit", "report_sign", "report_review")):
        chain = [("staff", "report_submit", {"progress": "进展", "percent_complete": 40}),
                 ("head", "report_sign", {"decision": "submit", "comment": ""})][:depth]
        for who, done, data in chain:
            world.do(who, tasks[form], done, **data)
    for form in ("overdue_action", "signoff_apply", "signoff_sign", "signoff_verify", "signoff_notice",
                 "objection_answer", "signoff_approve", "reopen"):
        report_month(world, tasks[form])


def stage_signoffs(world: World, tasks: dict[str, int]) -> None:
    for form in ("signoff_sign", "signoff_verify", "signoff_notice", "objection_answer", "signoff_approve", "reopen"):
        world.do("staff", tasks[form], "signoff_apply", uploads=(PHOTO,), summary="完成", evidence_note="")
        if form != "signoff_sign":
            world.do("head", tasks[form], "signoff_sign", decision="submit", comment="")
        if form not in ("signoff_sign", "signoff_verify"):
            world.do("supervisor", tasks[form], "signoff_verify", **{**checklist(), "site_check_date": "2026-04-01"})
        if form in ("objection_answer", "signoff_approve", "reopen"):
            world.do("publicity", tasks[form], "signoff_notice", text="拟销号公示")
    for notice in world.duban.public.open_notices():
        world.duban.public.file_objection(notice.id, {"content": "整改不到位，请再核查。"}, "192.0.2.50")


def answer_and_approve(world: World, tasks: dict[str, int]) -> None:
    for form in ("signoff_approve", "reopen"):
        page = world.duban.work.task_page(world["supervisor"], tasks[form])
        world.do("supervisor", tasks[form], "objection_answer", answers={
            str(o.id): {"decision": "dismissed", "answer": "经核查不属实"} for o in page.objections})
    world.do("leader", tasks["reopen"], "signoff_approve", decision="approve", comment="")


def _open(world: World, form: str, task_id: int) -> tuple[str, int]:
    for who in ("coordinator", "staff", "head", "supervisor", "leader", "publicity"):
        for work in world.work_for(who, task_id):
            if work.form == form:
                return who, work.id
    raise AssertionError(form)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, roles: RoleModel) -> Iterator[Site]:
    """Staged once for the module (it takes seconds); every example rewinds it first."""
    folder = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP_HASHER)
        duban = Duban(Database(f"sqlite:///{folder / 'duban.sqlite3'}"), roles, FakeClock(START), WORKFLOWS)
        world = build_world(duban)
        work = stage(world)
        app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "test-secret", "TESTING": True})
        browsers = {who: logged_in(app, who) for who in ("coordinator", "staff", "head", "supervisor", "leader",
                                                           "publicity", "admin")}
        live, snapshot = folder / "duban.sqlite3", folder / "snapshot.sqlite3"
        with closing(sqlite3.connect(live)) as src, closing(sqlite3.connect(snapshot)) as dst:
            src.backup(dst)
        yield Site(app, world, live, snapshot, browsers, work, choice_ids(world))
    duban.db.dispose()


def logged_in(app: Flask, who: str) -> Browser:
    browser = Browser(app.test_client())
    browser.submit("/login", {"username": who, "password": PASSWORD}, follow=False)
    token = CSRF_FIELD.search(browser.get("/account/password").get_data(as_text=True))
    assert token
    browser.token = token.group(1)  # type: ignore[attr-defined]
    return browser


def choice_ids(world: World) -> dict[str, list[str]]:
    units = [str(world.units[code]) for code in ("jiangyang", "naxi", "water", "ecology")]
    return {"lead_unit_id": units, "cooperating_unit_ids": units, "category_id": [str(i) for i in world.categories],
            "lead_leader_id": [str(world["leader"].user_id), str(world["leader2"].user_id)],
            "deadline_kind": ["date", "immediate", "standing"]}


def shown_safely(html: str) -> None:
    assert PROBE not in html and "<script>alert" not in html and "<img src=x" not in html


def test_every_work_form_survives_hostile_input(site: Site) -> None:
    for form_name, (who, work_id) in site.work.items():
        hostile_work(site, form_name, who, work_id)


def hostile_work(site: Site, form_name: str, who: str, work_id: int) -> None:
    fields = tuple(site.world.duban.registry.forms[form_name].fields)
    offered = {field.name: [str(choice) for choice in field.choices] for field in fields if field.choices}

    @WORK_EXAMPLES
    @given(data=form_data(form_class(fields), {**offered, **site.ids}))
    def check(data: dict[str, Any]) -> None:
        site.rewind()
        if site.post(who, f"/work/{work_id}", data) == 302:
            stored_intact(site, work_id, data)
            with site.world.duban.db.transaction(write=False) as session:
                task_id = session.get_one(HumanTask, work_id).task_id
            shown_safely(site.page(who, f"/tasks/{task_id}"))
            shown_safely(site.page("admin", f"/admin/audit?action=work&task={task_id}"))

    check()


def stored_intact(site: Site, work_id: int, sent: dict[str, Any]) -> None:
    with site.world.duban.db.transaction(write=False) as session:
        stored = session.get_one(HumanTask, work_id).data
    for name, value in stored.items():
        if isinstance(value, str) and isinstance(sent.get(name), str) and value:
            assert value == without_controls(sent[name]).strip(), name


def test_registration_survives_hostile_input(site: Site) -> None:
    @EXAMPLES
    @given(data=form_data(form_class(REGISTRATION_FIELDS), site.ids))
    def check(data: dict[str, Any]) -> None:
        site.rewind()
        if site.post("coordinator", "/tasks/new", data) == 302:
            shown_safely(site.page("coordinator", "/ledger"))
            shown_safely(site.page("admin", "/admin/audit?action=task"))

    check()


def test_account_forms_survive_hostile_input(site: Site) -> None:
    victim = site.world["publicity"].user_id
    role_choices = {"role": list(site.world.duban.roles.roles), "unit": ["", "jiangyang", "office"]}
    hostile_account_form(site, "admin", "/admin/users/new", NewUserForm, role_choices)
    hostile_account_form(site, "admin", f"/admin/users/{victim}/edit", ProfileForm, role_choices)
    hostile_account_form(site, "staff", "/account/password", PasswordForm, {})


def hostile_account_form(site: Site, who: str, url: str, form_class: type, choices: dict[str, list[str]]) -> None:
    @EXAMPLES
    @given(data=form_data(form_class, choices))
    def check(data: dict[str, Any]) -> None:
        site.rewind()
        site.post(who, url, data)
        shown_safely(site.page("admin", "/admin/users"))
        shown_safely(site.page("admin", "/admin/audit?action=user"))

    check()


def test_login_survives_hostile_input(site: Site) -> None:
    @EXAMPLES
    @given(data=form_data(LoginForm), address=st.sampled_from(["10.0.0.1", "10.0.0.2", "::1", "10.0.0.3"]))
    def check(data: dict[str, Any], address: str) -> None:
        site.rewind()
        browser = Browser(site.app.test_client())
        token = CSRF_FIELD.search(browser.get("/login").get_data(as_text=True))
        assert token
        response = browser.client.post("/login", data={"csrf_token": token.group(1), **data},
                                       environ_base={"REMOTE_ADDR": address})
        assert response.status_code in (200, 302, 413, 429)
        shown_safely(response.get_data(as_text=True))
        shown_safely(site.page("admin", "/admin/audit?action=login"))

    check()


def test_filters_survive_hostile_query_strings(site: Site) -> None:
    @WORK_EXAMPLES
    @given(args=st.fixed_dictionaries({}, optional=dict.fromkeys(FILTER_NAMES, numbers)))
    def check(args: dict[str, str]) -> None:
        site.rewind()
        for who, url in (("supervisor", "/ledger"), ("admin", "/admin/users"), ("admin", "/admin/audit"),
                         ("admin", "/admin/audit.csv")):
            response = site.browsers[who].get(url, query_string=args)
            assert response.status_code == 200, (url, args)
            shown_safely(response.get_data(as_text=True))

    check()


FILTER_NAMES = ["category", "unit", "status", "leader", "q", "page", "role", "state", "action", "actor", "task",
                "object", "since", "until", "client", "verify"]


def test_a_script_payload_is_stored_intact_and_shown_escaped(site: Site) -> None:
    who, work_id = site.work["plan_draft"]
    payload = '<script>alert("方案")</script>\n第二行 & <b>粗</b>'
    assert site.post(who, f"/work/{work_id}", {"content": payload, "milestones": PROBE, "contact": "李四"}) == 302
    with site.world.duban.db.transaction(write=False) as session:
        plan = session.scalars(select(ImplementationPlan).order_by(ImplementationPlan.id.desc())).first()
        assert plan is not None and (plan.content, plan.milestones) == (payload, PROBE)
        task_id = plan.task_id
    html = site.page(who, f"/tasks/{task_id}")
    shown_safely(html)
    assert str(escape(payload)) in html and str(escape(PROBE)) in html


def test_impossible_ids_in_the_path_are_not_found(site: Site) -> None:
    for url in ("/tasks/99999999999999999999999", "/work/99999999999999999999999", "/tasks/-1", "/tasks/1%00",
                "/admin/users/99999999999999999999/edit", "/ledger?unit=99999999999999999999999&page=-5"):
        who = "admin" if url.startswith("/admin") else "supervisor"
        status = site.browsers[who].get(url).status_code
        assert status == (200 if url.startswith("/ledger") else 404), url
