"""A realistic province for the query and timer benchmarks: ~100 responsible units, 100,000 tasks.

The real engine walks one template task per state (registered, awaiting its plan, reporting
with months of accepted reports, a report requested, a report overdue, sign-off pending,
signed off, a deadline near or passed) on a fake clock; then every row of a template (the
task, its process instances, human tasks, plan, reports, sign-off, escalation and audit events)
is cloned with bulk INSERTs under fresh ids, into another unit, category and lead leader.
The clones are real: the engine and the web UI work on them as on the templates.

Run:  .venv/bin/python bench/province.py [--url URL] [--tasks 100000] [--audit status|full]
      .venv/bin/python bench/province.py --url URL --due-timers 100000   (adds to a generated province)

The province stands as of the 3rd of the current month, 10:00 (Asia/Shanghai): February's
reports were requested on 1 March and are due on the 5th. `as_of(db)` reads that instant back.

For a timer sweep benchmark, import `clone_reporting_tasks(db, n)`: it adds n tasks whose monthly
report timer falls due at one instant and returns that instant (set the clock after it and sweep).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import (  # noqa: E402
    func,
    select,
    text,
)

from bench.province_clones import (  # noqa: E402
    TEMPLATE_PREFIX,
    clone_tasks,
    read_template,
)
from engine.app import Duban  # noqa: E402
from engine.core.actor import Actor  # noqa: E402
from engine.core.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.core.roles import load_roles  # noqa: E402
from engine.features.accounts import users  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import Base, Category, Setting, Unit, User  # noqa: E402
from tests import factories  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'province.sqlite3'}"
AS_OF_SETTING = "bench.province.as_of"

CATEGORIES = ("水污染防治方面", "大气污染防治方面", "土壤污染防治方面", "自然生态保护方面", "固体废物处置方面",
              "城乡环境治理方面", "产业结构调整方面", "长江保护修复方面")
PLACES = ("江阳区", "纳溪区", "龙马潭区", "泸县", "合江县", "叙永县", "古蔺县")
BUREAUS = ("生态环境分局", "水务局", "住房城乡建设局", "农业农村局", "自然资源局", "交通运输局", "综合行政执法局",
           "经济和信息化局", "林业局", "市场监管局")
LEADERS = 12
SUPERVISORS = 6

#: template name -> share of the province; every state a task can wait in, several colours
MIX = {
    "registered": 0.06,        # 未启动: registered, waiting for 交办
    "awaiting_plan": 0.08,     # assigned, the unit drafts its plan
    "reporting_long": 0.20,    # 推进中: a year of reports accepted, this month's in
    "reporting_short": 0.12,   # 推进中: four months of reports accepted
    "deadline_near": 0.05,     # 推进中, yellow: the deadline within 30 days
    "deadline_passed": 0.04,   # 推进中, red: the deadline passed, an escalation proposed
    "awaiting_report": 0.15,   # this month's report requested, not sent yet
    "overdue": 0.08,           # last month's report overdue (逾期未报), 催报 with the supervisors
    "signoff": 0.06,           # 待销号: applied for sign-off, the supervisor verifies
    "closed": 0.16,            # 已销号
}


# --- the people ------------------------------------------------------------------------------

@dataclass
class Province:
    """What the clones are spread over: units with their staff and head, categories, leaders."""

    units: list[int]
    staff: dict[int, int]
    heads: dict[int, int]
    categories: list[tuple[int, int]]  # (id, number)
    leaders: list[int]
    names: dict[int, tuple[str, str]] = field(default_factory=dict)  # user id -> (username, display name)


def as_of_default(today: date | None = None) -> datetime:
    today = today or date.today()
    return datetime(today.year, today.month, 3, 10, tzinfo=LOCAL_TZ)


def month_start(moment: datetime, months_back: int) -> datetime:
    """09:00 on the 2nd of the month `months_back` before `moment`'s month."""
    index = moment.year * 12 + moment.month - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 2, 9, tzinfo=LOCAL_TZ)


def make_duban(db: Database, clock: FakeClock) -> Duban:
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    storage = Path(tempfile.mkdtemp(prefix="province-evidence-"))
    return Duban(db, load_roles(ROOT / "roles.yaml"), clock, sorted((ROOT / "workflows").glob("*.bpmn")),
                 storage=storage)


def add_people(world: factories.World, extra_units: int = len(PLACES) * len(BUREAUS)) -> None:
    """Categories, more responsible units (70: ~100 in all), a staff officer and a head in each, leaders,
    supervisors."""
    duban = world.duban
    with duban.db.transaction() as session:
        for number, name in enumerate(CATEGORIES[2:], start=3):
            session.add(Category(number=number, name=name))
        parent = session.scalar(select(Unit.id).where(Unit.code == "counties"))
        position = session.scalar(select(func.max(Unit.position))) or 0
        places = [(place, bureau) for place in PLACES for bureau in BUREAUS][:extra_units]
        for index, (place, bureau) in enumerate(places):
            session.add(Unit(code=f"county_{index:03d}", name=f"{place}{bureau}", kind="department",
                             parent_id=parent, position=position + 1 + index))
    system = Actor.system()
    for code in responsible_unit_codes(duban):
        for role, prefix in (("unit_staff", "staff"), ("unit_head", "head")):
            if duban.accounts.user_id(f"{prefix}_{code}") is None and code != "jiangyang":
                duban.accounts.create_user(system, username=f"{prefix}_{code}", password=factories.PASSWORD,
                                  display_name=f"{prefix}_{code}", role=role, unit_code=code)
    for index in range(LEADERS):
        duban.accounts.create_user(system, username=f"leader_{index:02d}", password=factories.PASSWORD,
                          display_name=f"市领导{index:02d}", role="leader", unit_code=None, title="副市长")
    for index in range(SUPERVISORS):
        duban.accounts.create_user(system, username=f"supervisor_{index:02d}", password=factories.PASSWORD,
                          display_name=f"督办组{index:02d}", role="supervisor", unit_code="office")


def responsible_unit_codes(duban: Duban) -> list[str]:
    with duban.db.transaction(write=False) as session:
        return list(session.scalars(select(Unit.code).where(Unit.kind.in_(("department", "county", "park")))
                                    .order_by(Unit.position)))


def load_province(db: Database) -> Province:
    with db.transaction(write=False) as session:
        users = session.scalars(select(User)).all()
        units = [unit.id for unit in session.scalars(select(Unit).where(
            Unit.kind.in_(("department", "county", "park"))).order_by(Unit.position))]
        staff = _unit_people(users, "unit_staff")
        heads = _unit_people(users, "unit_head")
        return Province(
            units=[unit for unit in units if unit in staff and unit in heads], staff=staff, heads=heads,
            categories=[(c.id, c.number) for c in session.scalars(select(Category).order_by(Category.number))],
            leaders=[user.id for user in users if user.role == "leader"],
            names={user.id: (user.username, user.display_name) for user in users})


def _unit_people(users: Sequence[User], role: str) -> dict[int, int]:
    people: dict[int, int] = {}
    for user in sorted(users, key=lambda u: u.id):
        if user.role == role and user.unit_id is not None:
            people.setdefault(user.unit_id, user.id)
    return people


# --- the templates: the real engine, one task per state ---------------------------------------

def walk_templates(world: factories.World, as_of: datetime) -> dict[str, int]:
    """Live a year on the fake clock; leave one task in each state of MIX at `as_of`."""
    clock: FakeClock = world.duban.clock  # type: ignore[assignment]
    clock.set(month_start(as_of, 12))
    tasks: dict[str, int] = {}
    for name in ("reporting_long", "closed", "signoff"):
        tasks[name] = _start_reporting(world, name, "2027-12-31")
    for months_back in range(11, 0, -1):
        world.next_month()
        world.tick(days=1, hours=1)
        skip = ("closed",) if months_back < 6 else ()
        _report_month(world, tasks, skip=(*skip, "overdue") if months_back == 1 else skip)
        _join_reporting(world, tasks, as_of, months_back)
        if months_back == 6:
            factories.sign_off(world, tasks["closed"])
    _finish(world, tasks, as_of)
    return tasks


def _walk_unchecked(world: factories.World, as_of: datetime) -> dict[str, int]:
    """The templates without the tests' round-trip check after every step (the tests check the engine)."""
    checked = factories.assert_round_trip
    factories.assert_round_trip = lambda *args: None
    try:
        return walk_templates(world, as_of)
    finally:
        factories.assert_round_trip = checked


def _start_reporting(world: factories.World, name: str, deadline: str) -> int:
    task_id = world.register(code=f"{TEMPLATE_PREFIX}{name}", deadline=deadline, title=f"{name}整改任务")
    _assign(world, task_id, deadline)
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="按季度推进", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="同意备案")
    return task_id


def _assign(world: factories.World, task_id: int, deadline: str) -> None:
    in_a_month = world.duban.clock.now().astimezone(LOCAL_TZ).date() + timedelta(days=30)
    plan_due = min(in_a_month, date.fromisoformat(deadline))  # due by the deadline at the latest
    world.do("coordinator", task_id, "assign",
             **factories.assignment(world, deadline=deadline, plan_due=plan_due.isoformat()))


def _join_reporting(world: factories.World, tasks: dict[str, int], as_of: datetime, months_back: int) -> None:
    """The shorter histories start part-way through the year."""
    near = (as_of + timedelta(days=20)).date().isoformat()
    passed = (as_of - timedelta(days=20)).date().isoformat()
    joining = {4: {"reporting_short": "2027-06-30", "awaiting_report": "2027-06-30", "overdue": "2027-06-30"},
               3: {"deadline_near": near, "deadline_passed": passed}}
    for name, deadline in joining.get(months_back, {}).items():
        tasks[name] = _start_reporting(world, name, deadline)


def _report_month(world: factories.World, tasks: dict[str, int], skip: Sequence[str]) -> None:
    for name, task_id in tasks.items():
        if name not in skip:
            factories.report_month(world, task_id)


def _finish(world: factories.World, tasks: dict[str, int], as_of: datetime) -> None:
    """The last month: February's reports requested on 1 March; some in, one sign-off applied."""
    world.go_to(as_of - timedelta(days=10))
    tasks["awaiting_plan"] = world.register(code=f"{TEMPLATE_PREFIX}awaiting_plan", title="awaiting_plan整改任务")
    _assign(world, tasks["awaiting_plan"], "2027-06-30")
    world.next_month()
    world.tick(days=1, hours=1)
    tasks["registered"] = world.register(code=f"{TEMPLATE_PREFIX}registered", title="registered整改任务",
                                         deadline="2027-06-30")
    for name in ("reporting_long", "reporting_short", "deadline_near", "deadline_passed", "signoff"):
        factories.report_month(world, tasks[name])
    factories.apply_for_signoff(world, tasks["signoff"])
    world.go_to(as_of)


def clone_plan(tasks: int, templates: int) -> list[tuple[str, int]]:
    """How many clones of each template make `tasks` tasks in all (the templates count too)."""
    wanted = tasks - templates
    plan = [(name, int(share * wanted)) for name, share in MIX.items()]
    plan[0] = (plan[0][0], plan[0][1] + wanted - sum(count for _, count in plan))
    return plan


def generate(db: Database, tasks: int, audit: str = "status", as_of: datetime | None = None,
             extra_units: int = len(PLACES) * len(BUREAUS), report: Callable[[str], None] = print) -> datetime:
    """Fill an empty database with a province of `tasks` tasks; returns the instant it stands at."""
    as_of = as_of or as_of_default()
    started = time.perf_counter()
    duban = make_duban(db, FakeClock(month_start(as_of, 12)))
    world = factories.build_world(duban)
    add_people(world, extra_units)
    report(f"people: {time.perf_counter() - started:.1f} s")
    templates = _walk_unchecked(world, as_of)
    with db.transaction() as session:
        session.merge(Setting(key=AS_OF_SETTING, value=as_of.isoformat()))
    report(f"{len(templates)} templates walked by the engine: {time.perf_counter() - started:.1f} s")
    total = tasks - len(templates)
    clone_tasks(db, load_province(db), clone_plan(tasks, len(templates)), audit, progress=lambda done: report(
        f"  cloned {done:>7}/{total}  {time.perf_counter() - started:6.1f} s"))
    _analyze(db)
    report(f"province of {tasks} tasks as of {as_of.isoformat()}: {time.perf_counter() - started:.1f} s")
    return as_of


def _analyze(db: Database) -> None:
    """Fresh planner statistics, as a database that grew over years would have."""
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def clone_reporting_tasks(db: Database, n: int, audit: str = "status") -> datetime:
    """Add n reporting tasks to a generated province; their monthly report timer is due at the instant returned.

    Every clone's current monthly_report instance waits for the month's end, as its template does;
    set the clock past that instant and one sweep has n timers to fire, besides those of the province's
    own reporting tasks, which wait for the same month's end (count them before, as the test does).
    """
    clone_tasks(db, load_province(db), [("reporting_long", n)], audit, seed=n)
    _analyze(db)
    instances = Base.metadata.tables["process_instances"]
    with db.engine.connect() as connection:
        template = read_template(connection, "reporting_long", "status")
        return connection.execute(select(func.max(instances.c.next_timer_at)).where(
            instances.c.task_id == template.task_id, instances.c.process_id == "monthly_report",
            instances.c.status == "running")).scalar_one()


def open_province(db: Database) -> Duban:
    """duban on a generated province, its clock at the instant the province stands at."""
    duban = make_duban(db, FakeClock(as_of(db)))
    duban.init_database()
    return duban


def as_of(db: Database) -> datetime:
    """The instant a generated province stands at (use it as the clock when reading it)."""
    with db.transaction(write=False) as session:
        return datetime.fromisoformat(session.get_one(Setting, AS_OF_SETTING).value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--audit", choices=("status", "full"), default="status",
                        help="clone only a template's task.* audit events (status, colour, registration: "
                             "what the dashboard reads), or all of them (slower: ~100 events a task)")
    parser.add_argument("--due-timers", type=int, default=0, metavar="N",
                        help="add N reporting tasks whose monthly report timer is due at one instant")
    args = parser.parse_args()
    db = Database(args.url)
    print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    if args.due_timers:
        started = time.perf_counter()
        open_province(db)  # brings an older province's schema up to date
        due = clone_reporting_tasks(db, args.due_timers, args.audit)
        print(f"{args.due_timers} monthly report timers due at {due.isoformat()}: "
              f"{time.perf_counter() - started:.1f} s")
        return
    generate(db, args.tasks, args.audit)


if __name__ == "__main__":
    main()
