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

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, contains_eager, joinedload, with_expression
from sqlalchemy.orm.exc import StaleDataError

from engine.core.actor import Actor
from engine.core.clock import Clock, OffsetClock, local_today
from engine.core.errors import Busy, Conflict, DomainError, InvalidSubmission, NotFound, PermissionDenied
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.core.text import N_
from engine.demo import clock as demo_clock
from engine.features.accounts import users
from engine.features.accounts.access import Access
from engine.features.accounts.preferences import PreferenceUseCases
from engine.features.clues.forms import CLUE_FORM_HANDLERS
from engine.features.clues.queries import clue_of_instance
from engine.features.clues.service import ClueUseCases
from engine.features.escalation.forms import ESCALATION_FORM_HANDLERS
from engine.features.escalation.service import EscalationUseCases
from engine.features.handlers import FORM_HANDLERS
from engine.features.public import disclosure as public
from engine.features.rectification import duties, queries
from engine.features.rectification.actions import ACTIONS, know_report_cycles
from engine.features.rectification.forms import Field, FormHandler, check_assignment, clean
from engine.features.rectification.warnings import WarningRules
from engine.features.reporting.service import ReportingUseCases
from engine.store import audit
from engine.store.audit import record
from engine.store.database import Database
from engine.store.files import CheckedFile, EvidenceStore, Upload
from engine.store.models import (
    COOPERATING_UNIT_IDS,
    Category,
    DeadlineKind,
    Escalation,
    EvidenceFile,
    HumanTask,
    HumanTaskStatus,
    Incident,
    Notice,
    ProcessInstance,
    ProgressReport,
    PublicSummary,
    RectificationTask,
    TaskStatus,
    Unit,
    User,
)
from engine.workflow import progress
from engine.workflow.expressions import ExpressionFunctions, RestrictedScriptEngine
from engine.workflow.incidents import list_incidents, open_incident, resolve_incident
from engine.workflow.instances import Processes, close_work
from engine.workflow.loader import ProcessDefinition, Vocabulary, load_files
from engine.workflow.runtime import WorkflowRuntime
from engine.workflow.scheduler import SweepResult, claim_due_instances, lock_due_instance
from engine.workflow.step import Step

log = logging.getLogger("duban.engine")
MAIN_PROCESS = "rectification"
#: lock only the row itself: PostgreSQL refuses FOR UPDATE on the outer join of an eagerly loaded relation
LOCK_USER: dict[str, Any] = {"of": User}
#: every user-task form the engine knows: the task's own, escalation (督办问责) and problem clues
HANDLERS: dict[str, FormHandler] = {**FORM_HANDLERS, **ESCALATION_FORM_HANDLERS, **CLUE_FORM_HANDLERS}
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


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the account and the session token the browser keeps."""

    user: User
    token: str


@dataclass
class WorkItem:
    """A human task with what the person needs beside the form."""

    work: HumanTask
    task: RectificationTask
    period: str
    page: queries.TaskPage
    extra: dict[str, Any] = field(default_factory=dict)
    escalation: Escalation | None = None  # the escalation (督办问责) this step belongs to, if any
    initial: dict[str, Any] | None = None  # what the form starts with (a default level, a drafted text)


class Duban(ReportingUseCases, EscalationUseCases, ClueUseCases, PreferenceUseCases):
    """The façade; the office's reporting use cases (dashboard, Excel, bulletin, targets) are in engine/reporting.py,
    escalation (督办问责) and problem clues (问题线索) in engine/escalation and engine/clues."""

    def __init__(self, db: Database, roles: RoleModel, clock: Clock, workflow_files: Sequence[Path],
                 settings: Settings | None = None, ui_forms: Collection[str] | None = None,
                 storage: Path | None = None) -> None:
        self.db, self.roles, self.clock = db, roles, clock
        self.workflow_files = list(workflow_files)
        self.settings = settings or Settings()
        self.access = Access(roles)
        self.evidence = EvidenceStore(storage or default_storage(db), self.settings.evidence_max_mb * 1024 * 1024)
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
        """Make the units table say what roles.yaml says; each created or changed unit is audited."""
        by_code = {unit.code: unit for unit in session.scalars(select(Unit))}
        for position, spec in enumerate(self.roles.units):
            unit = by_code.get(spec.code) or Unit(code=spec.code)
            before = unit_summary(unit) if unit.id else None
            unit.name, unit.kind, unit.position = spec.name, spec.kind, position
            unit.parent_id = by_code[spec.parent].id if spec.parent else None
            session.add(unit)
            session.flush()
            by_code[spec.code] = unit
            if before != unit_summary(unit):
                record(session, Actor.system(), self.clock.now(), "unit.synced", ("unit", unit.id),
                       f"{'更新' if before else '导入'}单位 {unit.name}（{self.roles.source}）",
                       before=before, after=unit_summary(unit))

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
                raise Busy("系统繁忙，请稍后重试") from None
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

    def complete(self, actor: Actor, human_task_id: int, data: dict[str, Any],
                 uploads: Sequence[Upload] = ()) -> HumanTask:
        """Do one user task: check, validate, record, run the process on; all or nothing."""
        writer = self.evidence.writer()

        def work(session: Session) -> HumanTask:
            work_item, instance = self._open_work(session, actor, human_task_id)
            handler = HANDLERS[work_item.form]
            step = self._step(session, actor, task=work_item.task, instance=instance, human_task=work_item,
                              uploads=self._checked_uploads(handler, uploads), evidence=writer)
            cleaned = handler.clean(step, data)
            files = [{"name": f.original_name, "sha256": f.sha256, "size": f.size} for f in step.uploads]
            close_work(session, work_item, {"status": HumanTaskStatus.COMPLETED, "completed_by_id": actor.user_id,
                                            "completed_at": step.now,
                                            "data": {**cleaned, **({"files": files} if files else {})}})
            step.audit("work.completed", ("human_task", work_item.id), f"完成「{work_item.name}」",
                       after={"form": work_item.form, "data": work_item.data})
            self.processes.complete(step, handler.apply(step, cleaned))
            step.verify()  # the form's checks left for later, whose reads went with the step's writes
            return work_item

        try:
            return self._use_case(work)
        except BaseException:
            writer.discard_new()  # nothing of a failed step is kept, its files included
            raise

    def _checked_uploads(self, handler: FormHandler, uploads: Sequence[Upload]) -> list[CheckedFile]:
        if not uploads:
            return []
        if not getattr(handler, "accepts_files", False):
            raise InvalidSubmission({"evidence": ["这一步不接受上传文件"]})
        return self.evidence.check(list(uploads))

    def _open_work(self, session: Session, actor: Actor, human_task_id: int,
                   lock: bool = True) -> tuple[HumanTask, ProcessInstance]:
        """The open work item the actor may do, with its instance and its task, in one read (with `lock`, the work
        item and the instance are locked until the transaction ends)."""
        found = session.execute(WORK_AND_INSTANCE[lock], {"work_id": human_task_id}).one_or_none()
        if found is None:
            raise NotFound("没有找到这项工作")
        work_item, instance = found
        if not self.access.can_act(actor, work_item):  # whoever may do it may see its task (same unit or city)
            if not self._may_see_work(session, actor, work_item):
                raise NotFound("没有找到这项工作")
            raise PermissionDenied("这项工作不由您办理")
        duties.check(session, actor, work_item, work_item.task)
        if not work_item.status.is_open():
            raise Conflict("这项工作已经有人处理过了")
        return work_item, instance

    def _may_see_work(self, session: Session, actor: Actor, work_item: HumanTask) -> bool:
        """Work of a task: whoever may see the task; work of a problem clue: whoever may see clues."""
        if work_item.task_id is not None:
            return self.access.can_view_task(actor, session.get_one(RectificationTask, work_item.task_id))
        return self.access.can_view_clues(actor) and clue_of_instance(session, work_item.instance_id) is not None

    def refuse(self, actor: Actor, what: str, reason: str) -> None:
        """Record a refused attempt (wrong role, other unit's task) in the audit trail."""
        def work(session: Session) -> None:
            record(session, actor, self.clock.now(), "access.refused", ("route", what), reason)
        self._use_case(work)

    def fire_due_timers(self, batch: int = 50) -> SweepResult:
        """Fire every timer due now, exactly once, a batch of instances per transaction.

        Safe to run in several processes at once: each transaction locks the instances it
        fires (the write lock on SQLite; FOR UPDATE SKIP LOCKED on PostgreSQL, so sweeps take
        different batches) and only those still due. A batch is all or nothing: if one of its
        instances fails, the whole transaction rolls back and each instance of the batch is
        fired again in a transaction of its own, where the failing one becomes an incident
        and is left alone. A crash loses the batch in hand, whose transaction rolls back; the
        next sweep fires it.
        """
        result = SweepResult()
        now = self.clock.now()
        passed: set[int] = set()
        while self._fire_batch(now, batch, passed, result):
            pass
        return result

    def _fire_batch(self, now: datetime, size: int, passed: set[int], result: SweepResult) -> list[int]:
        """One transaction: claim and fire up to `size` due instances; the ids claimed.

        An instance that fails, or is somehow still due after firing, joins `passed`: this
        sweep does not take it again.
        """
        claimed: list[int] = []

        def work(session: Session) -> None:
            instances = claim_due_instances(session, now, size, passed)
            claimed.extend(instance.id for instance in instances)
            know_report_cycles(session, instances)
            tasks = self._tasks_of(session, instances)
            for instance in instances:
                step = self._step(session, Actor.system(), task=tasks.get(instance.task_id), instance=instance)
                self.processes.fire_timers(step, reassess=False)
            fired = {instance.task_id for instance in instances} & tasks.keys()  # each task once, at the end
            self.processes.reassess_tasks([self._step(session, Actor.system(), task=tasks[task_id])
                                           for task_id in sorted(fired)])
            passed.update(instance.id for instance in instances if instance.is_due(now))

        try:
            self._use_case(work)
        except Busy:
            log.warning("the database stayed busy (another sweep at work?): the next sweep fires the rest")
            return []
        except Exception as exc:  # one instance failed: the batch rolled back, each goes again on its own
            log.warning("a timer in a batch of %d failed (%s): firing them one by one", len(claimed), exc)
            return self._fire_one_by_one(now, claimed, passed, result)
        result.fired += len(claimed)
        return claimed

    def _fire_one_by_one(self, now: datetime, instance_ids: list[int], passed: set[int],
                         result: SweepResult) -> list[int]:
        for instance_id in dict.fromkeys(instance_ids):
            outcome = self._fire_instance(instance_id, now)
            result.count(outcome)
            if outcome != "fired":
                passed.add(instance_id)
        return instance_ids

    @staticmethod
    def _tasks_of(session: Session, instances: Sequence[ProcessInstance]) -> dict[int | None, RectificationTask]:
        task_ids = {instance.task_id for instance in instances if instance.task_id is not None}
        if not task_ids:
            return {}
        return {task.id: task for task in session.scalars(select(RectificationTask)
                                                         .where(RectificationTask.id.in_(task_ids)))}

    def _fire_instance(self, instance_id: int, now: datetime) -> str:
        """Fire one instance in a transaction of its own (a retry, or a batch that failed as a whole)."""
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

    # --- evidence and the public pages -------------------------------------------------------

    def evidence_file(self, actor: Actor, file_id: int) -> tuple[Path, EvidenceFile]:
        """A file for download, to those who may see its task; every download is recorded."""
        def work(session: Session) -> tuple[Path, EvidenceFile]:
            evidence = session.get(EvidenceFile, file_id)
            task = session.get(RectificationTask, evidence.task_id) if evidence else None
            if evidence is None or task is None or not self.access.can_view_task(actor, task):
                raise NotFound("没有找到这份材料")
            record(session, actor, self.clock.now(), "evidence.downloaded", ("evidence", evidence.id),
                   f"下载佐证材料「{evidence.original_name}」", task_id=task.id)
            return self.evidence.path(evidence.sha256), evidence

        return self._use_case(work)

    def task_evidence(self, actor: Actor, task_id: int) -> list[EvidenceFile]:
        def work(session: Session) -> list[EvidenceFile]:
            self.access.check_view_task(actor, session.get(RectificationTask, task_id))
            return list(session.scalars(select(EvidenceFile).where(EvidenceFile.task_id == task_id)
                                        .order_by(EvidenceFile.id)))

        return self._read(work)

    def public_tasks(self, page: int = 1, status: TaskStatus | None = None) -> tuple[list[public.PublicTask], int]:
        return self._read(lambda s: public.public_tasks(s, page, status))

    def public_task(self, task_id: int) -> tuple[public.PublicTask, list[PublicSummary], list[public.PublicNotice]]:
        return self._read(lambda s: public.public_task(s, task_id))

    def open_notices(self) -> list[public.PublicNotice]:
        return self._read(lambda s: public.open_notices(s, local_today(self.clock)))

    def notice(self, notice_id: int) -> public.PublicNotice:
        return self._read(lambda s: public.notice_for_objection(s, notice_id, local_today(self.clock)))

    def file_objection(self, notice_id: int, data: dict[str, Any], client_addr: str) -> int:
        """Anyone, no login: an objection to a sign-off notice while it is up."""
        visitor = Actor(None, "public", "公众", "public", None, client_addr)
        return self._use_case(lambda s: public.file_objection(
            s, notice_id, data, visitor, self.clock.now(), local_today(self.clock),
            self.settings.objections_per_hour).id)

    def reports_to_publish(self, actor: Actor) -> list[ProgressReport]:
        self.access.require(actor, "progress.publish")
        return self._read(public.reports_to_publish)

    def publish_summary(self, actor: Actor, report_id: int, text: str) -> None:
        self.access.require(actor, "progress.publish")
        self._use_case(lambda s: public.publish_summary(s, actor, self.clock.now(), report_id, text))

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

    # --- logging in ----------------------------------------------------------------------------

    @property
    def session_clock(self) -> Clock:
        """Logins and sessions last in real time, also when the demo's business clock is moved on."""
        return self.clock.base if isinstance(self.clock, OffsetClock) else self.clock

    def login(self, username: str, password: str, client_addr: str = "") -> LoginResult | None:
        """Check a login and start a session; every attempt is audited, failures count towards a lock."""
        def work(session: Session) -> LoginResult | None:
            now = self.session_clock.now()
            outcome = users.authenticate(session, username, password, now, self.settings)
            if outcome.ok and outcome.user is not None:
                token = users.start_session(session, outcome.user, now, client_addr)
                record(session, actor_for(outcome.user, client_addr), self.clock.now(), "login.success",
                       ("user", outcome.user.id), "登录成功")
                return LoginResult(outcome.user, token)
            self._audit_failed_login(session, outcome, username, client_addr)
            return None

        return self._use_case(work)

    def _audit_failed_login(self, session: Session, outcome: users.LoginOutcome, username: str,
                            client_addr: str) -> None:
        now, user = self.clock.now(), outcome.user
        attempt = Actor(None, username[:64], username[:64], "", None, client_addr)
        target = ("user", user.id if user else username[:64])
        record(session, attempt, now, "login.failure", target, f"登录失败：{users.FAILURE_REASONS[outcome.reason]}")
        if outcome.just_locked:
            minutes = self.settings.lockout_minutes
            until = f"{minutes} 分钟内" if minutes else "直至管理员解锁"
            record(session, attempt, now, "user.locked", target,
                   f"连续 {self.settings.login_max_failures} 次登录失败，账户锁定（{until}）")

    def resume_session(self, token: str) -> User | None:
        """The account behind a browser's session token, or None once the session is over."""
        now = self.session_clock.now()
        row = self._read(lambda s: users.live_session(s, token, now, self.settings))
        if row is None:
            return None
        if now - row.last_seen_at >= users.SESSION_TOUCH:
            self._use_case(lambda s: users.touch_session(s, row.id, now))
        return row.user

    def logout(self, actor: Actor, token: str) -> None:
        def work(session: Session) -> None:
            if users.end_session(session, token, self.clock.now(), "logout") is not None:
                record(session, actor, self.clock.now(), "logout", ("user", actor.user_id), "退出登录")
        self._use_case(work)

    def change_password(self, actor: Actor, token: str, current: str, new: str) -> None:
        """A person replaces their own password; their other sessions end."""
        def work(session: Session) -> None:
            user = session.get_one(User, actor.user_id, with_for_update=LOCK_USER)
            if not users.verify_hash(user.password_hash, current[:users.MAX_PASSWORD_LENGTH]):
                raise InvalidSubmission({"current": [N_("当前密码不正确")]})
            if current == new:
                raise InvalidSubmission({"password": [N_("新密码不能与当前密码相同")]})
            users.set_password(user, new, self.clock.now(), must_change=False)
            ended = users.end_sessions(session, user.id, self.clock.now(), "password_changed", keep=token)
            record(session, actor, self.clock.now(), "user.password_changed", ("user", user.id),
                   "修改本人密码" + (f"，结束其他 {ended} 个会话" if ended else ""))
        self._use_case(work)

    # --- accounts (user.manage) ----------------------------------------------------------------

    def create_user(self, actor: Actor, **fields: Any) -> int:
        self.access.require(actor, "user.manage")

        def work(session: Session) -> int:
            user = users.create_user(session, self.roles, self.clock.now(), **fields)
            record(session, actor, self.clock.now(), "user.created", ("user", user.id),
                   f"创建用户 {user.username}（{self.roles.role_name(user.role)}）", after=users.profile(user))
            return user.id

        return self._use_case(work)

    def update_user(self, actor: Actor, user_id: int, *, display_name: str, title: str, role: str,
                    unit_code: str | None) -> None:
        """Change a person's name, post, role or unit (a role change takes effect at their next request)."""
        self.access.require(actor, "user.manage")

        def work(session: Session) -> None:
            user = self._managed_user(session, actor, user_id, changing_role=role)
            errors = users.check_profile(session, self.roles, display_name=display_name, role=role,
                                         unit_code=unit_code, title=title)
            if errors:
                raise InvalidSubmission(errors)
            before = users.profile(user)
            users.apply_profile(session, user, display_name=display_name, title=title, role=role,
                                unit_code=unit_code)
            if users.profile(user) == before:
                return
            record(session, actor, self.clock.now(), "user.updated", ("user", user.id),
                   f"修改用户 {user.username}", before=before, after=users.profile(user))

        self._use_case(work)

    def set_user_active(self, actor: Actor, user_id: int, active: bool) -> None:
        """停用 / 启用 an account; deactivating ends its sessions at once."""
        self.access.require(actor, "user.manage")

        def work(session: Session) -> None:
            user = self._managed_user(session, actor, user_id, changing_role=None if active else "")
            if user.active == active:
                return
            user.active = active
            ended = 0 if active else users.end_sessions(session, user.id, self.clock.now(), "deactivated")
            record(session, actor, self.clock.now(), "user.activated" if active else "user.deactivated",
                   ("user", user.id), f"{'启用' if active else '停用'}用户 {user.username}"
                   + (f"，结束 {ended} 个会话" if ended else ""),
                   before={"active": not active}, after={"active": active})

        self._use_case(work)

    def unlock_user(self, actor: Actor, user_id: int) -> None:
        self.access.require(actor, "user.manage")

        def work(session: Session) -> None:
            user = session.get(User, user_id, with_for_update=LOCK_USER)
            if user is None:
                raise NotFound("没有这个用户")
            before = {"failed_logins": user.failed_logins, "locked": user.locked_at is not None}
            users.unlock(user)
            record(session, actor, self.clock.now(), "user.unlocked", ("user", user.id),
                   f"解锁用户 {user.username}", before=before, after={"failed_logins": 0, "locked": False})

        self._use_case(work)

    def reset_password(self, actor: Actor, user_id: int) -> str:
        """Give an account a temporary password (shown once); it must be changed at the next login."""
        self.access.require(actor, "user.manage")
        temporary = users.temporary_password()

        def work(session: Session) -> None:
            user = self._managed_user(session, actor, user_id, changing_role=None)
            users.set_password(user, temporary, self.clock.now(), must_change=True)
            users.unlock(user)
            ended = users.end_sessions(session, user.id, self.clock.now(), "password_reset")
            record(session, actor, self.clock.now(), "user.password_reset", ("user", user.id),
                   f"重置用户 {user.username} 的密码" + (f"，结束 {ended} 个会话" if ended else ""))

        self._use_case(work)
        return temporary

    def _managed_user(self, session: Session, actor: Actor, user_id: int, changing_role: str | None) -> User:
        """The account an administrator acts on; nobody changes or disables their own, or the last admin."""
        user = session.get(User, user_id, with_for_update=LOCK_USER)
        if user is None:
            raise NotFound("没有这个用户")
        if user.id == actor.user_id:
            raise PermissionDenied("不能在用户管理中修改、停用或重置自己的账户")
        if changing_role is not None and self.roles.allows(user.role, "user.manage") \
                and not self.roles.allows(changing_role, "user.manage") \
                and users.active_managers(session, self.roles) <= 1:
            raise PermissionDenied("这是最后一个可用的管理员账户，不能停用或改为其他角色")
        return user

    def user(self, user_id: int) -> User | None:
        return self._read(lambda s: s.get(User, user_id))

    def user_id(self, username: str) -> int | None:
        return self._read(lambda s: s.scalar(select(User.id).where(User.username == username)))

    def list_users(self, actor: Actor, filters: users.UserFilters) -> users.UserPage:
        self.access.require(actor, "user.manage")
        now = self.clock.now()
        return self._read(lambda s: users.user_page(s, filters, now, self.settings))

    def unit_choices(self) -> list[tuple[str, str]]:
        return [(unit.code, unit.name) for unit in self.roles.units]

    # --- the audit trail ---------------------------------------------------------------------------

    def audit_trail(self, actor: Actor, filters: audit.AuditFilters) -> audit.AuditPage:
        self.access.require(actor, "audit.view")
        return self._read(lambda s: audit.audit_page(s, filters))

    def verify_audit(self, actor: Actor, anchors: dict[int, str] | None = None) -> audit.ChainReport:
        self.access.require(actor, "audit.view")
        return self._read(lambda s: audit.verify_chain(s, anchors))

    # --- queries -----------------------------------------------------------------------------

    def inbox(self, actor: Actor, page: int = 1) -> queries.InboxPage:
        return self._read(lambda s: queries.inbox(s, self.access, actor, self.clock.now(), page))

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
            item, instance = self._open_work(session, actor, human_task_id, lock=False)
            task = self.access.check_view_task(actor, queries.load_task(session, item.task_id or 0))
            step = self._step(session, actor, task=task, instance=instance, human_task=item)
            page = queries.task_page(session, self.access, actor, task)
            work_item = WorkItem(item, task, instance.business_key, page, HANDLERS[item.form].context(step))
            self._escalation_context(session, actor, work_item)
            return work_item

        return self._read(work)

    def choices(self) -> dict[str, list[tuple[int, str]]]:
        return self._read(queries.choices)


def _work_and_instance(lock: bool) -> Select[tuple[HumanTask, ProcessInstance]]:
    """A work item (bound parameter `work_id`) with its process instance and, eagerly, its task and the instance's
    report (a monthly report cycle's: its steps all read it); with `lock`, the first two are locked (FOR UPDATE OF
    both: the task and the report, on the nullable side of outer joins, cannot be and need not be). The ids of the
    task's cooperating units come along in one column (交办 and the oversight steps' duty check read them)."""
    query = (select(HumanTask, ProcessInstance).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .outerjoin(ProcessInstance.report)
             .options(joinedload(HumanTask.task).options(with_expression(RectificationTask.listed_unit_ids,
                                                                         COOPERATING_UNIT_IDS)),
                      contains_eager(ProcessInstance.report))
             .where(HumanTask.id == bindparam("work_id")))
    return query.with_for_update(of=(HumanTask, ProcessInstance)) if lock else query


#: built once: this read starts every step
WORK_AND_INSTANCE = {lock: _work_and_instance(lock) for lock in (True, False)}


def default_storage(db: Database) -> Path:
    """Beside a SQLite file; elsewhere (PostgreSQL) DUBAN_STORAGE should be set."""
    database = db.engine.url.database
    if db.is_sqlite and database and database != ":memory:":
        return Path(database).resolve().parent / "evidence"
    return Path("instance") / "evidence"


def build_vocabulary(roles: RoleModel, clock: Clock, settings: Settings,
                     ui_forms: Collection[str] | None = None) -> Vocabulary:
    """What workflows may name: lanes of roles.yaml, forms both engine and UI know, actions, functions."""
    forms = set(HANDLERS) if ui_forms is None else set(HANDLERS) & set(ui_forms)
    return Vocabulary(roles, forms, set(ACTIONS), ExpressionFunctions(clock, settings).as_dict())


def unit_summary(unit: Unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
            "position": unit.position}


def actor_for(user: User, client_addr: str = "") -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role, user.unit_id, client_addr)
