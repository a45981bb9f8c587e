"""The city the HTTP load benchmark runs against: units with their reports open, people who log in.

Built with the real engine on a fake clock: every task is registered, assigned, planned, signed and
filed in the month before the benchmark's "today", then the month ends and each task's monthly report
is requested (due on the 5th, so nothing is overdue and no escalation starts). The site is then
served on the demo clock, moved forward to that first day of the month, so the web workers see the
same time the city was built in.
"""
from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, FakeClock, OffsetClock, SystemClock
from engine.core.roles import load_roles
from engine.demo import clock as demo_clock
from engine.features.accounts.usecases import actor_for
from engine.features.accounts.users import HASHER
from engine.store.audit import ChainReport, verify_chain
from engine.store.database import Database
from engine.store.models import Category, HumanTask, HumanTaskStatus, Unit

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-pass-2026"  # noqa: S105 - the benchmark city's accounts
#: processes that walk the tasks to the reporting state
WALKERS = 2
#: lead units of the benchmark's tasks, in the order they are used (counties, then parks, then departments)
UNIT_CODES = ("jiangyang", "longmatan", "naxi", "luxian", "hejiang", "xuyong", "gulin", "hightech_zone",
              "port_park", "liquor_park", "ecology", "water", "housing", "transport")
PLAN_STEPS = (
    ("staff", "plan_draft", {"content": "方案正文", "milestones": "按季度推进", "contact": "李四"}),
    ("head", "plan_sign", {"decision": "submit", "comment": ""}),
    ("supervisor", "plan_review", {"decision": "file", "comment": "同意备案"}),
)


@dataclass(frozen=True)
class City:
    units: tuple[str, ...]
    supervisors: int
    tasks: int
    today: datetime

    def staff(self, unit: str) -> str:
        return f"staff_{unit}"

    def head(self, unit: str) -> str:
        return f"head_{unit}"

    def supervisor(self, number: int) -> str:
        return f"supervisor{number}"


def reporting_day(now: datetime) -> datetime:
    """09:00 on the first day of next month (local): the reports of this month have just been requested."""
    local = now.astimezone(LOCAL_TZ)
    first = local.replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


def reset_schema(url: str) -> None:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.dispose()


def build_city(url: str, units: int, tasks: int, supervisors: int) -> City:
    """Drop and rebuild the database with `tasks` tasks, each with this month's report open."""
    reset_schema(url)
    city = City(UNIT_CODES[:units], supervisors, tasks, reporting_day(datetime.now(UTC)))
    clock = FakeClock(city.today - timedelta(days=20))
    duban = Duban(Database(url), load_roles(ROOT / "roles.yaml"), clock, sorted((ROOT / "workflows").glob("*.bpmn")))
    duban.init_database()
    people = create_people(duban, city)
    duban.db.dispose()  # no connection may cross the fork
    with ProcessPoolExecutor(WALKERS, mp_context=multiprocessing.get_context("fork")) as walkers:
        list(walkers.map(walk_share, [(url, city, people, share) for share in range(WALKERS)]))
    clock.set(city.today)
    while duban.sweep.fire_due_timers().fired:
        pass
    move_demo_clock(duban, city.today)
    duban.db.dispose()
    return city


def create_people(duban: Duban, city: City) -> dict[str, Actor]:
    """Everyone the benchmark needs, sharing one password hashed once (as the demo city does)."""
    password_hash = HASHER.hash(PASSWORD)
    accounts = [("coordinator", "coordinator", "office"), ("leader", "leader", None),
                ("supervisor", "supervisor", "office")]
    accounts += [(city.supervisor(n), "supervisor", "office") for n in range(city.supervisors)]
    for unit in city.units:
        accounts += [(city.staff(unit), "unit_staff", unit), (city.head(unit), "unit_head", unit)]
    people = {}
    for username, role, unit in accounts:
        user_id = duban.accounts.create_user(Actor.system(), username=username, password=PASSWORD,
                                             display_name=username, role=role, unit_code=unit,
                                             password_hash=password_hash)
        user = duban.accounts.user(user_id)
        assert user is not None  # noqa: S101 - just created
        people[username] = actor_for(user)
    with duban.db.transaction() as session:
        session.add(Category(number=1, name="水污染防治方面"))
    return people


def walk_share(job: tuple[str, City, dict[str, Actor], int]) -> None:
    """One process's share of the tasks (every WALKERS-th), on its own connection."""
    url, city, people, share = job
    clock = FakeClock(city.today - timedelta(days=20))
    duban = Duban(Database(url), load_roles(ROOT / "roles.yaml"), clock, sorted((ROOT / "workflows").glob("*.bpmn")))
    duban.init_database()  # (already done: this loads the deployed versions)
    for number in range(share, city.tasks, WALKERS):
        walk_to_reporting(duban, people, city.units[number % len(city.units)], number)
    duban.db.dispose()


def walk_to_reporting(duban: Duban, people: dict[str, Actor], unit: str, number: int) -> int:
    """Register, assign, plan, sign and file one task of `unit`."""
    with duban.db.transaction(write=False) as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == unit))
        category_id = session.scalar(select(Category.id))
    assignment = {"lead_unit_id": unit_id, "cooperating_unit_ids": [], "lead_leader_id": people["leader"].user_id,
                  "deadline_kind": "date", "deadline": "2035-12-31"}
    task_id = duban.tasks.register(people["coordinator"], {
        **assignment, "code": f"{number // 100 + 1}-{number % 100 + 1}", "category_id": category_id,
        "title": f"沿江排污口整治（{number + 1}）", "problem": "沿江部分排污口污水直排。",
        "target": "完成截污纳管。", "measures": "1. 排查排污口\n2. 截污纳管"})
    plan_due = (duban.clock.now() + timedelta(days=10)).astimezone(LOCAL_TZ).date().isoformat()
    complete(duban, people["coordinator"], task_id, "assign",
             {**assignment, "plan_due": plan_due, "instructions": "请按期报送实施方案"})
    for who, form, data in PLAN_STEPS:
        actor = people["supervisor"] if who == "supervisor" else people[f"{who}_{unit}"]
        complete(duban, actor, task_id, form, data)
    return task_id


def complete(duban: Duban, actor: Actor, task_id: int, form: str, data: dict[str, object]) -> None:
    with duban.db.transaction(write=False) as session:
        work_id = session.scalar(select(HumanTask.id).where(
            HumanTask.task_id == task_id, HumanTask.form == form, HumanTask.status == HumanTaskStatus.OPEN))
    assert work_id is not None, (task_id, form)  # noqa: S101 - the workflow asks for this step now
    duban.work.complete(actor, work_id, data)


def move_demo_clock(duban: Duban, today: datetime) -> None:
    """Store the demo clock's offset so the served site's 'now' is the city's today."""
    clock = OffsetClock(SystemClock())
    with duban.db.transaction() as session:
        demo_clock.advance(session, clock, Actor.system(), today - clock.now())


@dataclass(frozen=True)
class Aftermath:
    """What the database says once the run is over."""

    open_steps: dict[str, int]
    completed_steps: dict[str, int]
    audit_chain: ChainReport


def aftermath(url: str) -> Aftermath:
    """Report steps still waiting and done (all done during the run: the city starts with none), and
    whether the audit trail's hash chain survived the concurrent writers."""
    database = Database(url)
    with database.transaction(write=False) as session:
        rows = session.execute(select(HumanTask.form, HumanTask.status).where(
            HumanTask.form.like("report_%"))).all()
        chain = verify_chain(session)
    database.dispose()
    return Aftermath(count(form for form, status in rows if status is HumanTaskStatus.OPEN),
                     count(form for form, status in rows if status is HumanTaskStatus.COMPLETED), chain)


def count(forms: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(forms).items()))
