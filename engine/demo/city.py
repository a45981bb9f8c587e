"""The demo city: 泸州 after the inspection, with six months of history already lived.

The history is not faked row by row: a second engine on a simulated clock registers the
35 tasks six months ago and drives every step through the same use cases a person would,
letting the monthly-report timers fire as the months pass, then stops at today.
"""
from __future__ import annotations

import calendar
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, FakeClock, local_today
from engine.core.periods import next_period, period_of
from engine.core.uploads import Upload
from engine.demo.escalations import EscalationStories
from engine.demo.exceptions import ExceptionStories
from engine.demo.measures import MeasureStories
from engine.demo.receipts import STORY_UNITS, ReceiptStories
from engine.demo.rounds import FIRST_ROUND, RoundStories
from engine.demo.sample_files import pdf, png
from engine.demo.targets import schedule_targets
from engine.features.accounts import users
from engine.features.accounts.usecases import actor_for
from engine.features.signoff.forms import STANDARDS, notice_period
from engine.store.audit import record
from engine.store.models import Category, HumanTask, HumanTaskStatus, ProcessInstance, Setting, Unit

DEMO_FILE = Path(__file__).with_name("city.yaml")
DEMO_PASSWORD = "duban-demo-2026"  # noqa: S105 - the published demo password
MARKER = "demo_city"
HISTORY_MONTHS = 6
DEMO_UNIT = "jiangyang"

#: the demo accounts printed at start-up: username -> (role, unit code or None)
ROLE_LOGINS = {
    "coordinator": ("coordinator", "office", "王晓雯"),
    "supervisor": ("supervisor", "office", "孙建军"),
    "publicity": ("publicity", "office", "何丽"),
    "discipline": ("discipline", "discipline_commission", "郑国平"),
    "unit_head": ("unit_head", DEMO_UNIT, "吴志刚"),
    "unit_staff": ("unit_staff", DEMO_UNIT, "李娜"),
    "admin": ("admin", None, "系统管理员"),
}
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]
#: how far each task has come by today; the demo unit's tasks are spread over the stages
#: a person walking through the demo needs first.
DEMO_UNIT_STAGES = ["assigned", "plan_drafted", "in_progress", "signoff_applied", "closed"]
OTHER_STAGES = (["registered"] * 3 + ["assigned"] * 2 + ["plan_drafted"] + ["plan_submitted"] * 2
                + ["in_progress"] * 16 + ["signoff_applied"] + ["in_notice"] + ["closed"] * 4)


#: told each stage of the build as it begins, in words a person watching the console reads
Progress = Callable[[str], None]


def load_demo(duban: Duban, progress: Progress | None = None) -> tuple[list[tuple[str, str]], bool]:
    """Create the demo city unless it is there; return the logins to print and whether it was created."""
    content = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    with duban.db.transaction(write=False) as session:
        present = session.get(Setting, MARKER) is not None
    if not present:
        DemoBuilder(duban, content, progress or (lambda _: None)).build()
    return demo_logins(duban, content), not present


def demo_logins(duban: Duban, content: dict[str, Any]) -> list[tuple[str, str]]:
    leader = leader_login(content)
    logins = [("leader", f"{leader['name']}（{leader['title']}）· {duban.roles.role_name('leader')}")]
    for username, (role, unit, name) in ROLE_LOGINS.items():
        unit_name = _unit_name(duban, unit) if unit else ""
        logins.append((username, f"{name} · {duban.roles.role_name(role)}" + (f" · {unit_name}" if unit_name else "")))
    return logins


def leader_login(content: dict[str, Any]) -> dict[str, str]:
    """The demo leader account is the leader who leads the most tasks."""
    counts = {leader["key"]: 0 for leader in content["leaders"]}
    for task in content["tasks"]:
        counts[task["leader"]] += 1
    key = max(counts, key=lambda k: counts[k])
    return next(leader for leader in content["leaders"] if leader["key"] == key)


def _unit_name(duban: Duban, code: str) -> str:
    return next((unit.name for unit in duban.roles.units if unit.code == code), code)


@dataclass(order=True)
class Event:
    at: datetime
    order: int
    action: Callable[[], None] = field(compare=False)


class DemoBuilder(EscalationStories, ExceptionStories, ReceiptStories, RoundStories, MeasureStories):
    def __init__(self, duban: Duban, content: dict[str, Any], progress: Progress) -> None:
        self.progress = progress
        self.real_now = duban.clock.now()
        today = local_today(duban.clock)
        self.today = today
        start = _add_months(today.replace(day=1), -HISTORY_MONTHS)
        self.clock = FakeClock(datetime.combine(start, time(9), LOCAL_TZ))
        self.sim = Duban(duban.db, duban.roles, self.clock, duban.workflow_files, duban.settings,
                         storage=duban.files.root)  # the evidence goes where the served site looks for it
        self.content = content
        self.events: list[Event] = []
        self.counter = itertools.count()
        self.actors: dict[str, Actor] = {}
        self.task_ids: dict[str, int] = {}
        self.round_ids: dict[str, int] = {}
        self.names = (s + g for g, s in itertools.product(GIVEN, SURNAMES))
        self.password_hash = users.HASHER.hash(DEMO_PASSWORD)  # one shared password: hash it once

    # --- building -------------------------------------------------------------------------

    def build(self) -> None:
        self.progress("database schema, units and workflows")
        self.sim.init_database()
        self._enter_rounds()
        self.progress("categories, city leaders and one account per role")
        self._categories_and_people()
        schedule_targets(self)
        recent = datetime.combine(self.today, time(10), LOCAL_TZ)
        stages = self._stages()
        self.progress(f"{len(stages)} tasks scheduled; living {HISTORY_MONTHS} months of their history step by step")
        for code, stage in stages.items():
            registered = {"registered": recent - timedelta(days=5), "assigned": recent - timedelta(days=20),
                          "plan_drafted": recent - timedelta(days=20),
                          "plan_submitted": recent - timedelta(days=20)}.get(stage, self.clock.now())
            self.at(registered, lambda code=code: self._register(code))
            self._plan_history(code, stage)
        self._escalation_history(self.clock.now(), recent)
        self._exception_history(self.clock.now(), recent)
        self._extension_history(recent)
        self._later_rounds_history(recent)
        self._measure_history(self.clock.now(), recent)
        self._daily_ticks()
        self._run_until(datetime.combine(self.today, time(8, 30), LOCAL_TZ))
        self.clock.set(self.real_now)
        self.progress("timers due today")
        self.sim.sweep.fire_due_timers()
        with self.sim.db.transaction() as session:
            session.add(Setting(key=MARKER, value=self.real_now.isoformat()))

    def _daily_ticks(self) -> None:
        """Let timers fire just after midnight, as the scheduler would, not only when someone acts."""
        day = self.clock.now().date() + timedelta(days=1)
        while day <= self.today:
            self.at(datetime.combine(day, time(0, 1), LOCAL_TZ), lambda: None)
            day += timedelta(days=1)

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, Event(when, next(self.counter), action))

    def _run_until(self, end: datetime) -> None:
        month = ""
        while self.events and self.events[0].at <= end:
            event = heapq.heappop(self.events)
            if f"{event.at:%Y-%m}" != month:
                month = f"{event.at:%Y-%m}"
                self.progress(f"history: {month}")
            if event.at > self.clock.now():
                self.clock.set(event.at)
            self.sim.sweep.fire_due_timers()
            event.action()

    def _categories_and_people(self) -> None:
        with self.sim.db.transaction() as session:
            for category in self.content["categories"]:
                row = Category(number=category["number"], name=category["name"])
                session.add(row)
                session.flush()
                record(session, Actor.system(), self.clock.now(), "category.created", ("category", row.id),
                       f"导入整改任务类别 {row.number}. {row.name}（演示数据）")
        lead = leader_login(self.content)
        for leader in self.content["leaders"]:
            username = "leader" if leader is lead else f"leader_{leader['key']}"
            self._person(username, "leader", None, leader["name"], leader["title"])
        for username, (role, unit, name) in ROLE_LOGINS.items():
            self._person(username, role, unit, name)
        units = {unit for task in self._all_tasks() for unit in (task["lead_unit"], *task["cooperating_units"])}
        others = sorted((units | STORY_UNITS) - {DEMO_UNIT})
        for done, unit in enumerate(others, 1):  # 会办 and 签收: cooperating units act too
            self._person(f"staff_{unit}", "unit_staff", unit, next(self.names))
            self._person(f"head_{unit}", "unit_head", unit, next(self.names))
            if done % 5 == 0 or done == len(others):
                self.progress(f"accounts of the units' officers: {done} of {len(others)} units")

    def _person(self, username: str, role: str, unit: str | None, name: str, title: str = "") -> None:
        user_id = self.sim.accounts.create_user(Actor.system(), username=username, password=DEMO_PASSWORD,
                                       display_name=name, role=role, unit_code=unit, title=title,
                                       password_hash=self.password_hash)
        user = self.sim.accounts.user(user_id)
        assert user is not None  # noqa: S101 - just created
        self.actors[username] = actor_for(user)

    def _stages(self) -> dict[str, str]:
        tasks = self.content["tasks"]
        own = [t["code"] for t in tasks if t["lead_unit"] == DEMO_UNIT]
        others = [t["code"] for t in tasks if t["lead_unit"] != DEMO_UNIT]
        stages = dict(zip(own, DEMO_UNIT_STAGES, strict=False))
        stages.update(zip(others, OTHER_STAGES, strict=False))
        return {t["code"]: stages.get(t["code"], "in_progress") for t in tasks}

    # --- one task's history ------------------------------------------------------------------

    def _plan_history(self, code: str, stage: str) -> None:
        task = next(t for t in self.content["tasks"] if t["code"] == code)
        index = int(code.split("-")[1]) + 7 * int(code.split("-")[0])
        start = self.clock.now()
        recent = datetime.combine(self.today, time(10), LOCAL_TZ)
        if stage == "registered":
            return
        if stage in ("assigned", "plan_drafted", "plan_submitted"):
            self.at(recent - timedelta(days=12), lambda: self._assign(code, task, self.today + timedelta(days=15)))
            if stage != "assigned":
                self.at(recent - timedelta(days=6), lambda: self._draft(code, 1))
            if stage == "plan_submitted":
                self.at(recent - timedelta(days=5), lambda: self._do_unit(code, task, "head", "plan_sign",
                                                                          decision="submit", comment=""))
            return
        self.at(start + timedelta(days=2), lambda: self._assign(code, task, start.date() + timedelta(days=25)))
        filed = self._plan_path(code, task, start + timedelta(days=8 + index % 9), returned=index % 5 == 0)
        closing = self._signoff_path(code, task, stage, recent)
        self._reports(code, task, filed, closing, index)
        self._deadline_action(code, task, start.date(), closing, index)

    def _deadline_action(self, code: str, task: dict[str, Any], registered: date, closing: datetime | None,
                         index: int) -> None:
        """A deadline that passed before today: the supervisor extends it (most often) or urges the unit."""
        _, deadline = _deadline(task["deadline"], registered)
        if deadline is None:
            return
        acted = datetime.combine(date.fromisoformat(deadline) + timedelta(days=4), time(11), LOCAL_TZ)
        if acted.date() >= self.today or (closing is not None and acted > closing):
            return
        if index % 3:
            new = _add_months(acted.date().replace(day=1), 7) - timedelta(days=1)
            self.at(acted, lambda: self._do("supervisor", code, "overdue_action", decision="extend",
                                            new_deadline=new.isoformat(),
                                            comment="涉及项目建设周期，经研究同意延期，请按新时限完成。"))
        else:
            self.at(acted, lambda: self._do("supervisor", code, "overdue_action", decision="urge",
                                            comment="已超整改时限，请立即制定赶进度措施并每周报告进展。"))

    def _plan_path(self, code: str, task: dict[str, Any], drafted: datetime, returned: bool) -> datetime:
        self.at(drafted, lambda: self._draft(code, 1))
        self.at(drafted + timedelta(days=1), lambda: self._do_unit(code, task, "head", "plan_sign",
                                                                    decision="submit", comment=""))
        reviewed = drafted + timedelta(days=4)
        if returned:
            self.at(reviewed, lambda: self._do("supervisor", code, "plan_review", decision="return",
                                               comment="整改措施不够具体，请细化到项目和时间节点后重新报送。"))
            self.at(reviewed + timedelta(days=3), lambda: self._draft(code, 2))
            self.at(reviewed + timedelta(days=4), lambda: self._do_unit(code, task, "head", "plan_sign",
                                                                         decision="submit", comment=""))
            reviewed += timedelta(days=6)
        self.at(reviewed, lambda: self._do("supervisor", code, "plan_review", decision="file", comment="同意备案。"))
        return reviewed

    def _signoff_path(self, code: str, task: dict[str, Any], stage: str, recent: datetime) -> datetime | None:
        """销号 by the whole procedure: apply with evidence, sign, verify on site, 公示, approve."""
        days = {"closed": (-70, -69, -63, -62, -50), "in_notice": (-12, -11, -6, -3, None),
                "signoff_applied": (-8, -7, None, None, None)}.get(stage)
        if days is None:
            return None
        applied, signed, verified, noticed, approved = days
        self.at(recent + timedelta(days=applied), lambda: self._apply_for_signoff(code, task))
        self.at(recent + timedelta(days=signed), lambda: self._do_unit(code, task, "head", "signoff_sign",
                                                                        decision="submit", comment=""))
        if verified is not None:
            self.at(recent + timedelta(days=verified), lambda: self._do("supervisor", code, "signoff_verify",
                                                                         **_checklist(recent + timedelta(verified))))
        if noticed is not None:
            self.at(recent + timedelta(days=noticed), lambda: self._publish_notice(code))
        if stage == "in_notice":
            self.at(recent - timedelta(days=1), lambda: self._object(code))
        if approved is None or noticed is None:
            return None
        # 审批 comes after the 公示 ends, which a public holiday (国庆) can push later than the plan
        _, notice_end = notice_period((recent + timedelta(days=noticed)).date(), self.sim.settings.notice_working_days)
        approval = max(recent + timedelta(days=approved), datetime.combine(notice_end + timedelta(days=1), time(10),
                                                                           LOCAL_TZ))
        self.at(approval, lambda: self._do_leader(code, task, "signoff_approve", decision="approve",
                                                  comment="同意销号。"))
        return approval

    def _apply_for_signoff(self, code: str, task: dict[str, Any]) -> None:
        seed = sum(map(ord, code))
        files = (Upload("整改前现场照片.png", png(seed=seed)), Upload("整改后现场照片.png", png(seed=seed + 97)),
                 Upload("验收报告.pdf", pdf(f"Acceptance report {code}")))
        self._complete(self._person_of(task, "staff"), code, "signoff_apply", "", {
            "summary": f"{task['title']}：整改措施已全部落实，整改目标已实现，长效机制已建立。",
            "evidence_note": "整改前后对比照片、验收报告。"}, files)

    def _publish_notice(self, code: str) -> None:
        actor = self.actors["publicity"]
        work_id = self._open_work_id(code, "signoff_notice", "")
        initial = self.sim.work.item(actor, work_id).initial or {}
        self.sim.work.complete(actor, work_id, {"text": initial["text"]})

    def _object(self, code: str) -> None:
        notice = self.sim.public.open_notices()[0]
        self.sim.public.file_objection(notice.id, {"content": f"{code} 附近河段夜间仍能闻到异味，建议再次核查。",
                                            "name": "", "contact": ""}, "203.0.113.9")

    def _reports(self, code: str, task: dict[str, Any], filed: datetime, closing: datetime | None,
                 index: int) -> None:
        period = period_of(filed.date())
        last = period_of(self.today)
        while period < last:
            due_month = _add_months(date.fromisoformat(period + "-01"), 1)
            submitted = datetime.combine(due_month + timedelta(days=1 + index % 3), time(15), LOCAL_TZ)
            returned = index % 8 == 2
            reviewed = submitted + timedelta(days=4 if returned else 2)  # the cycle's last step (_one_report)
            if closing is not None and reviewed > closing:  # a closed task's report cycle is cancelled
                return
            latest = next_period(period) == last
            if not (latest and index % 6 == 1):  # else not in yet: overdue, its escalation proposal waits
                self._one_report(code, task, period, submitted, lagging=latest and index % 7 == 3,
                                 returned=returned)
            period = next_period(period)

    def _one_report(self, code: str, task: dict[str, Any], period: str, submitted: datetime, *,
                    lagging: bool, returned: bool) -> None:
        month = int(period[5:])
        months_in = (int(period[:4]) - 2000) * 12 + month
        seed = sum(ord(ch) * (i + 3) for i, ch in enumerate(code))
        percent = min(95, 8 + (seed % 25) + (months_in % 12) * (4 + seed % 5))

        def submit() -> None:
            self._do_report(code, task, period, "staff", "report_submit", progress=(
                f"{period[:4]}年{month}月，按照实施方案推进各项措施：{_first_measure(task)}。"),
                percent_complete=percent, problems="部分项目资金尚未全部到位。" if lagging else "",
                next_steps="继续按时间节点推进，加强调度。")

        self.at(submitted, submit)
        self.at(submitted + timedelta(hours=20), lambda: self._do_report(
            code, task, period, "head", "report_sign", decision="submit", comment=""))
        review_at = submitted + timedelta(days=2)
        if returned:
            self.at(review_at, lambda: self._do_report(code, task, period, "supervisor", "report_review",
                                                       decision="return", comment="进展数据与现场不符，请核实后重报。"))
            self.at(review_at + timedelta(hours=5), submit)
            self.at(review_at + timedelta(hours=22), lambda: self._do_report(
                code, task, period, "head", "report_sign", decision="submit", comment=""))
            review_at += timedelta(days=2)
        self.at(review_at, lambda: self._do_report(code, task, period, "supervisor", "report_review",
                                                   decision="accept", lagging=lagging,
                                                   comment="进度滞后，请加快推进。" if lagging else ""))

    # --- doing things as the right person --------------------------------------------------

    def _register(self, code: str) -> None:
        task = next(t for t in self.content["tasks"] if t["code"] == code)
        self._register_task(code, task, self.round_ids[FIRST_ROUND])

    def _register_task(self, key: str, task: dict[str, Any], round_id: int) -> None:
        units = self._unit_ids()
        kind, deadline = _deadline(task["deadline"], self.clock.now().astimezone(LOCAL_TZ).date())
        self.task_ids[key] = self.sim.tasks.register(self.actors["coordinator"], {
            "round_id": round_id, "code": task["code"], "category_id": self._category_id(task["category"]),
            "title": task["title"], "problem": task["problem"], "target": task["target"], "measures": task["measures"],
            "lead_unit_id": units[task["lead_unit"]], "cooperating_unit_ids": [units[u] for u in
                                                                                task["cooperating_units"]],
            "lead_leader_id": self._leader_id(task["leader"]), "deadline_kind": kind, "deadline": deadline})

    def _assign(self, code: str, task: dict[str, Any], plan_due: date) -> None:
        page = self.sim.work.task_page(self.actors["coordinator"], self.task_ids[code])
        current = page.task
        if current.deadline is not None:  # a plan is due by the deadline at the latest (立行立改: a short one)
            plan_due = min(plan_due, current.deadline)
        self._do("coordinator", code, "assign", lead_unit_id=current.lead_unit_id,
                 cooperating_unit_ids=[u.id for u in current.cooperating_units],
                 lead_leader_id=current.lead_leader_id, deadline_kind=current.deadline_kind.value,
                 deadline=current.deadline.isoformat() if current.deadline else None,
                 plan_due=plan_due.isoformat(), instructions="请按要求制定整改实施方案，明确责任人和时间节点。")
        self._receipts(code, task, self.clock.now())

    def _draft(self, code: str, revision: int) -> None:
        task = next(t for t in self.content["tasks"] if t["code"] == code)
        content = f"{task['target']}\n具体措施：\n{task['measures']}"
        if revision > 1:
            content += "\n（已按审核意见细化到具体项目和时间节点。）"
        self._do_unit(code, task, "staff", "plan_draft", content=content,
                      milestones="第一阶段：完成排查和方案细化；第二阶段：全面实施整改；第三阶段：验收销号。",
                      completion_date=None, contact=f"{self._person_of(task, 'staff').display_name} 0830-0000000")

    def _person_of(self, task: dict[str, Any], who: str) -> Actor:
        unit = task["lead_unit"]
        username = ("unit_" + who if who in ("staff", "head") else who) if unit == DEMO_UNIT else f"{who}_{unit}"
        return self.actors[username]

    def _do_unit(self, code: str, task: dict[str, Any], who: str, form: str, **data: Any) -> None:
        self._complete(self._person_of(task, who), code, form, "", data)

    def _do_leader(self, code: str, task: dict[str, Any], form: str, **data: Any) -> None:
        lead = leader_login(self.content)
        username = "leader" if task["leader"] == lead["key"] else f"leader_{task['leader']}"
        self._complete(self.actors[username], code, form, "", data)

    def _do(self, username: str, code: str, form: str, **data: Any) -> None:
        self._complete(self.actors[username], code, form, "", data)

    def _do_report(self, code: str, task: dict[str, Any], period: str, who: str, form: str, **data: Any) -> None:
        actor = self.actors[who] if who == "supervisor" else self._person_of(task, who)
        self._complete(actor, code, form, period, data)

    def _complete(self, actor: Actor, code: str, form: str, period: str, data: dict[str, Any],
                  uploads: tuple[Upload, ...] = ()) -> None:
        self.sim.work.complete(actor, self._open_work_id(code, form, period), data, uploads)

    def _open_work_id(self, code: str, form: str, period: str) -> int:
        with self.sim.db.transaction(write=False) as session:
            query = (select(HumanTask.id).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                     .where(HumanTask.task_id == self.task_ids[code], HumanTask.form == form,
                            HumanTask.status == HumanTaskStatus.OPEN))
            if period:
                query = query.where(ProcessInstance.business_key == period)
            work_id = session.scalar(query.order_by(HumanTask.id).limit(1))
        if work_id is None:
            raise RuntimeError(f"demo: no open {form} for {code} {period}".strip())
        return work_id

    # --- lookups ---------------------------------------------------------------------------

    def _unit_ids(self) -> dict[str, int]:
        with self.sim.db.transaction(write=False) as session:
            return {u.code: u.id for u in session.scalars(select(Unit))}

    def _category_id(self, number: int) -> int:
        with self.sim.db.transaction(write=False) as session:
            return session.scalars(select(Category.id).where(Category.number == number)).one()

    def _leader_id(self, key: str) -> int:
        lead = leader_login(self.content)
        username = "leader" if key == lead["key"] else f"leader_{key}"
        return self.actors[username].user_id or 0


def _deadline(spec: Any, registered: date) -> tuple[str, str | None]:
    if spec == "immediate":
        return "immediate", (registered + timedelta(days=30)).isoformat()
    if spec == "standing":
        return "standing", None
    end = _add_months(registered.replace(day=1), int(spec["months"]))
    return "date", end.replace(day=calendar.monthrange(end.year, end.month)[1]).isoformat()


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _checklist(day: datetime) -> dict[str, Any]:
    notes = {"measures_done": "对照实施方案逐项核对，措施已全部完成", "violations_punished": "相关违法行为已立案查处",
             "results_meet_norms": "监测数据达到整改目标", "similar_fixed": "已对周边同类问题开展排查整治",
             "mechanism_in_place": "已出台长效管理制度"}
    data: dict[str, Any] = {f"{key}_met": True for key in STANDARDS}
    data.update({f"{key}_note": notes[key] for key in STANDARDS})
    return {**data, "site_check_date": day.date().isoformat(), "site_check_by": "整改督办组两名工作人员",
            "site_findings": "现场核查，整改情况属实。", "comment": ""}


def _first_measure(task: dict[str, Any]) -> str:
    line = task["measures"].strip().splitlines()[0]
    return line.split(".", 1)[-1].strip().rstrip("。；;")
