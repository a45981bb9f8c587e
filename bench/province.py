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
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    case,
    cast,
    false,
    func,
    literal,
    select,
    text,
    true,
    update,
)

from engine.app import Duban  # noqa: E402
from engine.core.actor import Actor  # noqa: E402
from engine.core.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.core.roles import load_roles  # noqa: E402
from engine.features.accounts import users  # noqa: E402
from engine.store.audit import GENESIS, event_hash  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import AuditChain, Base, Category, RectificationTask, Setting, Unit, User, UTCDateTime  # noqa: E402
from tests import factories  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'province.sqlite3'}"
TEMPLATE_PREFIX = "TPL-"
AS_OF_SETTING = "bench.province.as_of"
CLONES_PER_BATCH = 1000

CATEGORIES = ("水污染防治方面", "大气污染防治方面", "土壤污染防治方面", "自然生态保护方面", "固体废物处置方面",
              "城乡环境治理方面", "产业结构调整方面", "长江保护修复方面")
PLACES = ("江阳区", "纳溪区", "龙马潭区", "泸县", "合江县", "叙永县", "古蔺县")
BUREAUS = ("生态环境分局", "水务局", "住房城乡建设局", "农业农村局", "自然资源局", "交通运输局", "综合行政执法局",
           "经济和信息化局", "林业局", "市场监管局")
LEADERS = 12
SUPERVISORS = 6
TITLES = ("沿江排污口整治", "城镇污水处理厂提标改造", "工业园区污水管网建设", "黑臭水体治理", "饮用水水源地保护",
          "扬尘污染整治", "挥发性有机物治理", "餐饮油烟整治", "秸秆禁烧", "非法采砂整治", "尾矿库隐患治理",
          "危险废物规范化管理", "建筑垃圾消纳场建设", "畜禽养殖污染治理", "自然保护区违规项目清理",
          "矿山生态修复", "农村生活污水治理", "白酒企业废水治理", "化工企业搬迁入园", "河道岸线清理")

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


# --- cloning ----------------------------------------------------------------------------------

#: the tables a task's rows live in, in the order their foreign keys need (audit_events apart: it is chained)
TASK_TABLES = ("rectification_tasks", "task_status_changes", "task_cooperating_units", "process_instances",
               "implementation_plans",
               "progress_reports", "signoff_applications", "signoff_notices", "objections",
               "public_summaries", "human_tasks", "attachments", "notices", "escalations", "escalation_triggers",
               "escalation_notices", "escalation_interviews", "escalation_exposures", "accountability_cases",
               "accountable_persons")
#: audit object types that name a cloned row
AUDIT_OBJECTS = {"task": "rectification_tasks", "instance": "process_instances", "human_task": "human_tasks",
                 "report": "progress_reports", "plan": "implementation_plans", "signoff": "signoff_applications",
                 "attachment": "attachments", "notice": "signoff_notices", "objection": "objections",
                 "public_summary": "public_summaries", "escalation": "escalations"}
#: ids kept in workflow data (state_json) that name a cloned row
STATE_IDS = {"task_id": "rectification_tasks", "escalation_id": "escalations", "report_id": "progress_reports"}
_STATE_ID = re.compile(r'"(' + "|".join(STATE_IDS) + r')": ?(\d+)([,}\]])')


@dataclass
class Template:
    """One template task: its rows' id ranges table by table, and its audit events."""

    name: str
    task_id: int
    code: str
    title: str
    registered_at: datetime
    id_ranges: dict[str, tuple[int, int]]  # table -> (lowest id, highest id) of the template's rows
    state_tokens: list[tuple[str, int, str]]  # ("task_id", 7, ",") as they stand in state_json
    events: list[dict[str, Any]]


@dataclass
class Variation:
    """What a clone changes: its code, title, unit, cooperating unit, category, leader, registration."""

    code: str
    title: str
    unit_id: int
    cooperating_unit_id: int
    category_id: int
    leader_id: int
    registered_earlier: timedelta


@dataclass(frozen=True)
class TemplatePeople:
    """The template's unit, cooperating unit and people, whom each clone replaces by its own."""

    unit: int
    cooperating_unit: int
    staff: int
    head: int
    leader: int


def read_template(connection: Connection, name: str, audit: str) -> Template:
    tasks = Base.metadata.tables["rectification_tasks"]
    task = connection.execute(select(tasks).where(tasks.c.code == f"{TEMPLATE_PREFIX}{name}")).one_or_none()
    if task is None:
        raise SystemExit(f"no template {TEMPLATE_PREFIX}{name}: generate the province first")
    ranges: dict[str, tuple[int, int]] = {}
    for table_name in TASK_TABLES:
        table = Base.metadata.tables[table_name]
        if "id" in table.c:
            low, high = connection.execute(select(func.min(table.c.id), func.max(table.c.id))
                                           .where(_belongs(table, task.id, ranges))).one()
            ranges[table_name] = (low or 0, high or 0)
    instances = Base.metadata.tables["process_instances"]
    states = connection.execute(select(instances.c.state_json).where(instances.c.task_id == task.id)).scalars()
    tokens = sorted({(key, int(number), after) for state in states for key, number, after in _STATE_ID.findall(state)})
    return Template(name, task.id, task.code, task.title, task.registered_at, ranges, tokens,
                    _template_events(connection, task.id, audit))


def _belongs(table: Table, task_id: int, ranges: dict[str, tuple[int, int]]) -> Any:
    """The template's rows of a table: by task, or by the template's escalations."""
    if table.name == "rectification_tasks":
        return table.c.id == task_id
    if "task_id" in table.c:
        return table.c.task_id == task_id
    low, high = ranges["escalations"]
    return table.c.escalation_id.between(low, high) if high else false()


def _template_events(connection: Connection, task_id: int, audit: str) -> list[dict[str, Any]]:
    """The task's audit events; `status` keeps the task.* ones its history and the dashboard read."""
    events = Base.metadata.tables["audit_events"]
    query = select(events).where(events.c.task_id == task_id).order_by(events.c.seq)
    if audit == "status":
        query = query.where(events.c.action.like("task.%"))
    return [dict(row._mapping) for row in connection.execute(query)]


@dataclass
class Offsets:
    """Fresh ids: each clone's rows of a table are the template's ids shifted by one offset."""

    next_ids: dict[str, int]

    def take(self, template: Template, count: int) -> dict[str, list[int]]:
        offsets = {}
        for table_name, (low, high) in template.id_ranges.items():
            span = high - low + 1 if high else 0
            start = self.next_ids[table_name]
            offsets[table_name] = [start + index * span - low for index in range(count)]
            self.next_ids[table_name] = start + count * span
        return offsets


def clone_statement(table: Table, clones: Table, template: Template, people: TemplatePeople) -> Any:
    """INSERT … SELECT: every row of the template in `table`, once per row of `clones`."""
    offsets = {name: clones.c[f"off_{name}"] for name in template.id_ranges}
    columns = [_cloned_column(table, column, clones, template, people, offsets) for column in table.c]
    return table.insert().from_select([column.key for column in table.c],
                                      select(*columns).select_from(table).join(clones, true())
                                      .where(_belongs(table, template.task_id, template.id_ranges)))


def _cloned_column(table: Table, column: Column[Any], clones: Table, template: Template, people: TemplatePeople,
                   offsets: dict[str, Column[Any]]) -> Any:
    if table.name == "rectification_tasks" and column.key in ("code", "title", "registered_at"):
        return clones.c[column.key]
    if column.key == "state_json":
        return _renumbered_state(column, template, offsets)
    if column.key == "id" and column.primary_key:
        return column + offsets[table.name]
    for key in column.foreign_keys:
        target = key.column.table.name
        if target in offsets:
            return column + offsets[target]
        if target == "users":
            return case((column == people.staff, clones.c.staff_id), (column == people.head, clones.c.head_id),
                        (column == people.leader, clones.c.leader_id), else_=column)
        if target == "units":
            return case((column == people.unit, clones.c.unit_id),
                        (column == people.cooperating_unit, clones.c.cooperating_unit_id), else_=column)
        if target == "categories":
            return clones.c.category_id
    return column


def _renumbered_state(column: Column[Any], template: Template, offsets: dict[str, Column[Any]]) -> Any:
    """The workflow data names the task (and escalation, report) by id: the clone's ids instead."""
    state: Any = column
    for key, number, after in template.state_tokens:
        fresh = cast(literal(number) + offsets[STATE_IDS[key]], String)
        state = func.replace(state, f'"{key}": {number}{after}', literal(f'"{key}": ') + fresh + literal(after))
        state = func.replace(state, f'"{key}":{number}{after}', literal(f'"{key}":') + fresh + literal(after))
    return state


def clone_table(metadata: MetaData, template: Template) -> Table:
    """What each clone changes, one row per clone, in a scratch table the INSERT … SELECTs join."""
    offsets = [Column(f"off_{name}", Integer) for name in template.id_ranges]
    return Table("bench_clones", metadata, Column("number", Integer, primary_key=True), Column("code", String(32)),
                 Column("title", String(300)), Column("unit_id", Integer), Column("cooperating_unit_id", Integer),
                 Column("category_id", Integer), Column("leader_id", Integer), Column("staff_id", Integer),
                 Column("head_id", Integer), Column("registered_at", UTCDateTime()), *offsets)


@dataclass
class AuditChainer:
    """Appends each clone's audit events as duban would: its words and people, the next links of the chain."""

    province: Province
    people: TemplatePeople
    chain: tuple[int, str]  # the head: (seq, hash)
    next_id: int

    def events(self, template: Template, clone: dict[str, Any], offsets: dict[str, int]) -> list[dict[str, Any]]:
        people = {self.people.staff: clone["staff_id"], self.people.head: clone["head_id"],
                  self.people.leader: clone["leader_id"]}
        units = {self.people.unit: clone["unit_id"], self.people.cooperating_unit: clone["cooperating_unit_id"]}
        return [self._append(template, dict(event), clone, offsets, people, units) for event in template.events]

    def _append(self, template: Template, event: dict[str, Any], clone: dict[str, Any], offsets: dict[str, int],
                people: dict[int, int], units: dict[int, int]) -> dict[str, Any]:
        target = AUDIT_OBJECTS.get(event["object_type"])
        if target in offsets and event["object_id"].isdigit():
            event["object_id"] = str(int(event["object_id"]) + offsets[target])
        if event["action"] == "task.registered":
            event["at"] = clone["registered_at"]
        event["summary"] = event["summary"].replace(template.code, clone["code"]).replace(template.title,
                                                                                          clone["title"])
        event["task_id"] = clone["number"]
        event["actor_id"] = people.get(event["actor_id"], event["actor_id"])
        event["unit_id"] = units.get(event["unit_id"], event["unit_id"])
        if event["actor_id"] in self.province.names:
            event["actor_username"], event["actor_name"] = self.province.names[event["actor_id"]]
        seq, prev_hash = self.chain
        event.update(id=self.next_id, seq=seq + 1, prev_hash=prev_hash)
        event["hash"] = event_hash(SimpleNamespace(**event))  # type: ignore[arg-type]
        self.chain, self.next_id = (event["seq"], event["hash"]), self.next_id + 1
        return event


# --- putting it together -----------------------------------------------------------------------

def variations(province: Province, count: int, first: int, rng: random.Random) -> Iterator[Variation]:
    for number in range(first, first + count):
        unit = rng.choice(province.units)
        category_id, category_number = rng.choice(province.categories)
        yield Variation(
            code=f"{category_number}-{number:06d}", title=f"{rng.choice(TITLES)}（{number}）", unit_id=unit,
            cooperating_unit_id=rng.choice(province.units), category_id=category_id,
            leader_id=rng.choice(province.leaders), registered_earlier=timedelta(days=rng.randrange(0, 25)))


def clone_tasks(db: Database, plan: Sequence[tuple[str, int]], audit: str = "status", seed: int = 2026,
                progress: Callable[[int], None] = lambda done: None) -> int:
    """Clone the named templates (template name, how many) into the province; returns how many tasks were added."""
    province = load_province(db)
    rng = random.Random(seed)  # noqa: S311 - a reproducible province, not a secret
    with db.engine.connect() as connection:
        templates = {name: read_template(connection, name, audit) for name, _ in plan}
        people = _template_people(connection, templates[plan[0][0]])
        offsets = Offsets({name: _next_id(connection, name) for name in TASK_TABLES
                           if "id" in Base.metadata.tables[name].c})
        chainer = AuditChainer(province, people, _chain_head(connection), _next_id(connection, "audit_events"))
    done = 0
    for name, count in plan:
        for start in range(0, count, CLONES_PER_BATCH):
            size = min(CLONES_PER_BATCH, count - start)
            batch = list(variations(province, size, offsets.next_ids["rectification_tasks"], rng))
            _clone_batch(db, templates[name], people, offsets, chainer, batch)
            done += size
            progress(done)
    _reset_sequences(db)
    return done


def _clone_batch(db: Database, template: Template, people: TemplatePeople, offsets: Offsets,
                 chainer: AuditChainer, batch: list[Variation]) -> None:
    """One transaction: the clones' rows table by table, their audit events, the chain's new head."""
    taken = offsets.take(template, len(batch))
    clones = [_clone_row(template, variation, index, taken, chainer.province) for index, variation in enumerate(batch)]
    metadata = MetaData()
    scratch = clone_table(metadata, template)
    with db.engine.begin() as connection:
        metadata.drop_all(connection)
        metadata.create_all(connection)
        connection.execute(scratch.insert(), clones)
        for table_name in TASK_TABLES:
            connection.execute(clone_statement(Base.metadata.tables[table_name], scratch, template, people))
        events = [event for clone in clones
                  for event in chainer.events(template, clone, {k[4:]: v for k, v in clone.items()
                                                                if k.startswith("off_")})]
        if events:
            connection.execute(Base.metadata.tables["audit_events"].insert(), events)
        connection.execute(update(AuditChain).where(AuditChain.id == 1)
                           .values(seq=chainer.chain[0], hash=chainer.chain[1]))
        metadata.drop_all(connection)


def _clone_row(template: Template, variation: Variation, index: int, taken: dict[str, list[int]],
               province: Province) -> dict[str, Any]:
    return {"number": template.task_id + taken["rectification_tasks"][index], "code": variation.code,
            "title": variation.title, "unit_id": variation.unit_id,
            "cooperating_unit_id": variation.cooperating_unit_id, "category_id": variation.category_id,
            "leader_id": variation.leader_id, "staff_id": province.staff[variation.unit_id],
            "head_id": province.heads[variation.unit_id],
            "registered_at": template.registered_at - variation.registered_earlier,
            **{f"off_{name}": offsets[index] for name, offsets in taken.items()}}


def _template_people(connection: Connection, template: Template) -> TemplatePeople:
    users = dict(connection.execute(select(User.username, User.id)).all())
    units = dict(connection.execute(select(Unit.code, Unit.id)).all())
    leader = connection.execute(select(RectificationTask.lead_leader_id)
                                .where(RectificationTask.id == template.task_id)).scalar_one()
    return TemplatePeople(units["jiangyang"], units["water"], users["staff"], users["head"], leader)


def _next_id(connection: Connection, table_name: str) -> int:
    return (connection.execute(select(func.max(Base.metadata.tables[table_name].c.id))).scalar() or 0) + 1


def _chain_head(connection: Connection) -> tuple[int, str]:
    head = connection.execute(select(AuditChain.seq, AuditChain.hash).where(AuditChain.id == 1)).one_or_none()
    return (head.seq, head.hash) if head else (0, GENESIS)


def _reset_sequences(db: Database) -> None:
    """PostgreSQL hands out ids from sequences the explicit ids above did not move."""
    if db.is_sqlite:
        return
    with db.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
                connection.execute(text(  # table names from the models, not from input
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


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
    clone_tasks(db, clone_plan(tasks, len(templates)), audit, progress=lambda done: report(
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
    clone_tasks(db, [("reporting_long", n)], audit, seed=n)
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
