"""The engine's façade: one method per use case, one transaction per call.

The CLI, the web UI, the scheduler and the tests all drive duban through `Duban`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import demo_clock, progress, queries
from engine.access import Access
from engine.actions import ACTIONS
from engine.actor import Actor
from engine.audit import record
from engine.bpmn.expressions import ExpressionFunctions, RestrictedScriptEngine
from engine.bpmn.loader import ProcessDefinition, Vocabulary, load_files
from engine.bpmn.runtime import WorkflowRuntime
from engine.clock import Clock, OffsetClock
from engine.db import Database
from engine.errors import Conflict, DomainError, InvalidSubmission, NotFound, PermissionDenied
from engine.forms import FORM_HANDLERS, Field, check_assignment, clean
from engine.incidents import list_incidents, open_incident, resolve_incident
from engine.instances import Processes
from engine.models import (
    Category,
    DeadlineKind,
    HumanTask,
    HumanTaskStatus,
    Incident,
    Notice,
    ProcessInstance,
    RectificationTask,
    TaskStatus,
    Unit,
    User,
)
from engine.reporting import ReportingUseCases
from engine.roles import RoleModel
from engine.scheduler import SweepResult, due_instances, lock_due_instance
from engine.settings import Settings
from engine.step import Step
from engine.users import authenticate, create_user
from engine.warnings import WarningRules

log = logging.getLogger("duban.engine")
MAIN_PROCESS = "rectification"
T = TypeVar("T")

REGISTRATION_FIELDS = (
    Field("code", "line"),
    Field("category_id", "id"),
    Field("title", "line"),
    Field("problem"),
    Field("target"),
    Field("measures"),
    Field("lead_unit_id", "id"),
    Field("cooperating_unit_ids", "ids", required=False),
    Field("lead_leader_id", "id"),
    Field("deadline_kind", "choice", choices=tuple(kind.value for kind in DeadlineKind)),
    Field("deadline", "date", required=False),
)


@dataclass
class WorkItem:
    """A human task with what the person needs beside the form."""

    work: HumanTask
    task: RectificationTask
    period: str
    page: queries.TaskPage
    extra: dict[str, Any] = field(default_factory=dict)


class Duban(ReportingUseCases):
    """The façade; the office's reporting use cases (dashboard, Excel, bulletin, targets) are in engine/reporting.py."""

    def __init__(self, db: Database, roles: RoleModel, clock: Clock, workflow_files: Sequence[Path],
                 settings: Settings | None = None, ui_forms: Collection[str] | None = None) -> None:
        self.db, self.roles, self.clock = db, roles, clock
        self.workflow_files = list(workflow_files)
        self.settings = settings or Settings()
        self.access = Access(roles)
        self.vocabulary = build_vocabulary(roles, clock, self.settings, ui_forms)
        self.runtime = WorkflowRuntime(clock, RestrictedScriptEngine(self.vocabulary.functions))
        self.processes = Processes(self.runtime, roles, WarningRules(self.settings))
        self.definitions: list[ProcessDefinition] = load_files(workflow_files, self.vocabulary)

    # --- set-up ------------------------------------------------------------------------------

    def init_database(self) -> list[str]:
        """Create missing tables, sync the unit tree from roles.yaml, deploy the workflows."""
        self.db.upgrade_schema()
        with self.db.transaction() as session:
            self._sync_units(session)
            added = self.processes.deploy(session, self.definitions, self.clock.now())
            for version in added:
                record(session, Actor.system(), self.clock.now(), "process.deployed", ("process", version),
                       f"部署流程版本 {version}")
        return added

    def _sync_units(self, session: Session) -> None:
        by_code = {unit.code: unit for unit in session.scalars(select(Unit))}
        for position, spec in enumerate(self.roles.units):
            unit = by_code.get(spec.code) or Unit(code=spec.code)
            unit.name, unit.kind, unit.position = spec.name, spec.kind, position
            unit.parent_id = by_code[spec.parent].id if spec.parent else None
            session.add(unit)
            session.flush()
            by_code[spec.code] = unit

    # --- running a use case ------------------------------------------------------------------

    def _use_case(self, work: Callable[[Session], T]) -> T:
        """One transaction; a concurrent change to the same instance becomes a Conflict."""
        try:
            with self.db.transaction() as session:
                return work(session)
        except StaleDataError:
            raise Conflict("这项工作刚被其他人处理，请刷新后查看") from None
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "could not serialize" in str(exc).lower():
                raise Conflict("系统繁忙，请稍后重试") from None
            raise

    def _read(self, work: Callable[[Session], T]) -> T:
        with self.db.transaction(write=False) as session:
            return work(session)

    def _step(self, session: Session, actor: Actor, **objects: Any) -> Step:
        return Step(session, actor, self.clock.now(), self.settings, self.processes, **objects)

    # --- use cases ---------------------------------------------------------------------------

    def register_task(self, actor: Actor, data: dict[str, Any]) -> int:
        """登记: create a rectification task and start its process (it waits for 交办)."""
        self.access.require(actor, "task.register")

        def work(session: Session) -> int:
            step = self._step(session, actor)
            cleaned = clean(REGISTRATION_FIELDS, data)
            errors = check_assignment(step, cleaned)
            if session.get(Category, cleaned["category_id"]) is None:
                errors["category_id"] = ["没有这个类别"]
            if session.scalar(select(RectificationTask.id).where(RectificationTask.code == cleaned["code"])):
                errors["code"] = ["编号已存在"]
            if errors:
                raise InvalidSubmission(errors)
            return self._create_task(step, cleaned).id

        try:
            return self._use_case(work)
        except IntegrityError:
            raise InvalidSubmission({"code": ["编号已存在"]}) from None

    def _create_task(self, step: Step, data: dict[str, Any]) -> RectificationTask:
        task = RectificationTask(
            code=data["code"], category_id=data["category_id"], title=data["title"], problem=data["problem"],
            target=data["target"], measures=data["measures"], lead_unit_id=data["lead_unit_id"],
            lead_leader_id=data["lead_leader_id"], deadline_kind=DeadlineKind(data["deadline_kind"]),
            deadline=date.fromisoformat(data["deadline"]) if data["deadline"] else None,
            status=TaskStatus.REGISTERED, registered_at=step.now,
            cooperating_units=[step.session.get_one(Unit, i) for i in data["cooperating_unit_ids"]])
        step.session.add(task)
        step.session.flush()
        step.task = task
        step.audit("task.registered", ("task", task.id), f"登记整改任务 {task.code} {task.title}",
                   after={"code": task.code, "title": task.title})
        self.processes.start(step, MAIN_PROCESS, {"deadline": data["deadline"]})
        return task

    def complete(self, actor: Actor, human_task_id: int, data: dict[str, Any]) -> HumanTask:
        """Do one user task: check, validate, record, run the process on; all or nothing."""
        def work(session: Session) -> HumanTask:
            work_item = self._open_work(session, actor, human_task_id)
            instance = session.get_one(ProcessInstance, work_item.instance_id, with_for_update=True)
            step = self._step(session, actor, task=work_item.task, instance=instance, human_task=work_item)
            handler = FORM_HANDLERS[work_item.form]
            cleaned = handler.clean(step, data)
            work_item.status, work_item.completed_by_id = HumanTaskStatus.COMPLETED, actor.user_id
            work_item.completed_at, work_item.data = step.now, cleaned
            step.audit("work.completed", ("human_task", work_item.id), f"完成「{work_item.name}」",
                       after={"form": work_item.form, "data": cleaned})
            self.processes.complete(step, handler.apply(step, cleaned))
            return work_item

        return self._use_case(work)

    def _open_work(self, session: Session, actor: Actor, human_task_id: int) -> HumanTask:
        work_item = session.get(HumanTask, human_task_id, with_for_update=True)
        if work_item is None or work_item.task_id is None:
            raise NotFound("没有找到这项工作")
        if not self.access.can_act(actor, work_item):  # whoever may do it may see its task (same unit or city)
            if not self.access.can_view_task(actor, session.get_one(RectificationTask, work_item.task_id)):
                raise NotFound("没有找到这项工作")
            raise PermissionDenied("这项工作不由您办理")
        if not work_item.status.is_open():
            raise Conflict("这项工作已经有人处理过了")
        return work_item

    def refuse(self, actor: Actor, what: str, reason: str) -> None:
        """Record a refused attempt (wrong role, other unit's task) in the audit trail."""
        def work(session: Session) -> None:
            record(session, actor, self.clock.now(), "access.refused", ("route", what), reason)
        self._use_case(work)

    def fire_due_timers(self, batch: int = 500) -> SweepResult:
        """Fire every timer due now, exactly once, one instance per transaction.

        Safe to run in several processes at once: an instance is locked while it fires
        (BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL) and
        re-checked under the lock, so a timer another sweep fired is not fired again. A
        crash loses at most the instance in hand, whose transaction rolls back; the next
        sweep fires it. An instance that fails becomes an incident and is left alone.
        """
        result = SweepResult()
        now = self.clock.now()
        seen: set[int] = set()
        while due := [i for i in self._read(lambda s: due_instances(s, now, batch + len(seen))) if i not in seen]:
            for instance_id in due:
                seen.add(instance_id)
                result.count(self._fire_instance(instance_id, now))
        return result

    def _fire_instance(self, instance_id: int, now: datetime) -> str:
        def work(session: Session) -> str:
            instance = lock_due_instance(session, instance_id, now)
            if instance is None:
                return "skipped"  # another sweep fired it (or holds it) already
            task = session.get(RectificationTask, instance.task_id) if instance.task_id else None
            self.processes.fire_timers(self._step(session, Actor.system(), task=task, instance=instance))
            return "fired"

        try:
            return self._use_case(work)
        except Conflict:
            return "skipped"
        except Exception as exc:  # any failure of one instance must not stop the sweep
            log.exception("timer of instance %s failed", instance_id)
            self._use_case(partial(open_incident, instance_id=instance_id, error=exc, now=self.clock.now()))
            return "failed"

    def retry_incident(self, actor: Actor, incident_id: int) -> bool:
        """Fire the blocked instance again; True when it went through and the incident is resolved."""
        self.access.require(actor, "incident.manage")
        incident = self._read(lambda s: s.get(Incident, incident_id))
        if incident is None or not incident.is_open():
            raise NotFound("没有这个未处理的故障")

        def work(session: Session) -> None:
            instance = session.get_one(ProcessInstance, incident.instance_id, with_for_update=True)
            task = session.get(RectificationTask, instance.task_id) if instance.task_id else None
            self.processes.fire_timers(self._step(session, actor, task=task, instance=instance))
            resolve_incident(session, incident_id, actor, self.clock.now())

        try:
            self._use_case(work)
        except (Conflict, DomainError):
            raise
        except Exception as exc:  # the retry failed again: record it, keep the instance blocked
            log.exception("retry of incident %s failed", incident_id)
            self._use_case(partial(open_incident, instance_id=incident.instance_id, error=exc, now=self.clock.now()))
            return False
        return True

    def incidents(self, actor: Actor, include_resolved: bool = False) -> list[Incident]:
        self.access.require(actor, "incident.manage")
        return self._read(lambda s: list_incidents(s, include_resolved))

    # --- the demo's time machine -------------------------------------------------------------

    def sync_demo_clock(self) -> None:
        """Pick up the offset another worker may have set (demo mode only)."""
        if isinstance(self.clock, OffsetClock):
            self.clock.offset = self._read(demo_clock.stored_offset)

    def advance_demo_clock(self, actor: Actor, step: timedelta) -> SweepResult:
        """Move the demo clock forward, then fire what fell due, as the sweep would."""
        self.access.require(actor, "demo.clock")
        if not isinstance(self.clock, OffsetClock):
            raise PermissionDenied("只有演示模式才能调整时钟")
        clock = self.clock
        self._use_case(lambda session: demo_clock.advance(session, clock, actor, step))
        return self.fire_due_timers()

    # --- accounts ----------------------------------------------------------------------------

    def login(self, username: str, password: str, client_addr: str = "") -> User | None:
        def work(session: Session) -> User | None:
            user = authenticate(session, username, password)
            actor = actor_for(user, client_addr) if user else Actor(None, username[:64], username[:64], "", None,
                                                                   client_addr)
            record(session, actor, self.clock.now(), "login.success" if user else "login.failure",
                   ("user", user.id if user else username[:64]), "登录成功" if user else "登录失败")
            return user

        return self._use_case(work)

    def create_user(self, actor: Actor, **fields: Any) -> int:
        def work(session: Session) -> int:
            user = create_user(session, self.roles, self.clock.now(), **fields)
            record(session, actor, self.clock.now(), "user.created", ("user", user.id),
                   f"创建用户 {user.username}（{self.roles.role_name(user.role)}）",
                   after={"username": user.username, "role": user.role, "unit_id": user.unit_id})
            return user.id

        return self._use_case(work)

    def user(self, user_id: int) -> User | None:
        return self._read(lambda s: s.get(User, user_id))

    # --- queries -----------------------------------------------------------------------------

    def inbox(self, actor: Actor) -> list[queries.InboxEntry]:
        return self._read(lambda s: queries.inbox(s, self.access, actor, self.clock.now()))

    def notices(self, actor: Actor) -> list[Notice]:
        return self._read(lambda s: queries.notices(s, actor, self.clock.now()))

    def ledger(self, actor: Actor, filters: queries.LedgerFilters) -> queries.LedgerPage:
        self.access.require(actor, "ledger.view")
        return self._read(lambda s: queries.ledger(s, self.access, actor, filters))

    def task_page(self, actor: Actor, task_id: int) -> queries.TaskPage:
        def work(session: Session) -> queries.TaskPage:
            task = self.access.check_view_task(actor, queries.load_task(session, task_id))
            return queries.task_page(session, self.access, actor, task)

        return self._read(work)

    def task_path(self, actor: Actor, task_id: int) -> progress.ProcessPath | None:
        """Where the task's process has been and waits now, for its diagram."""
        def work(session: Session) -> progress.ProcessPath | None:
            task = self.access.check_view_task(actor, session.get(RectificationTask, task_id))
            return progress.task_path(session, self.processes, task)

        return self._read(work)

    def work_item(self, actor: Actor, human_task_id: int) -> WorkItem:
        def work(session: Session) -> WorkItem:
            item = self._open_work(session, actor, human_task_id)
            period = session.get_one(ProcessInstance, item.instance_id).business_key
            task = self.access.check_view_task(actor, queries.load_task(session, item.task_id or 0))
            return WorkItem(item, task, period, queries.task_page(session, self.access, actor, task))

        return self._read(work)

    def choices(self) -> dict[str, list[tuple[int, str]]]:
        return self._read(queries.choices)


def build_vocabulary(roles: RoleModel, clock: Clock, settings: Settings,
                     ui_forms: Collection[str] | None = None) -> Vocabulary:
    """What workflows may name: lanes of roles.yaml, forms both engine and UI know, actions, functions."""
    forms = set(FORM_HANDLERS) if ui_forms is None else set(FORM_HANDLERS) & set(ui_forms)
    return Vocabulary(roles, forms, set(ACTIONS), ExpressionFunctions(clock, settings).as_dict())


def actor_for(user: User, client_addr: str = "") -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role, user.unit_id, client_addr)
