"""A work item (a user task waiting for a person): opening it with what its form needs, and completing it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, local_today
from engine.core.errors import Conflict, InvalidSubmission, NotFound, PermissionDenied
from engine.core.settings import Settings
from engine.core.text import N_, Text
from engine.core.uploads import Upload
from engine.features.accounts.access import Access
from engine.features.cases import queries as case_views
from engine.features.clues.queries import ClueWorkItem, clue_of_instance, clue_page
from engine.features.cooperation.queries import of_period as contributions_of_period
from engine.features.escalation import queries as escalation_views
from engine.features.measures.queries import MeasureWorkItem, measure_of_instance
from engine.features.measures.queries import page as measure_page
from engine.features.rectification import duties
from engine.features.rectification.actions import MONTHLY_REPORT_PROCESS
from engine.features.rectification.queries import load_task
from engine.features.work.drafts import (
    discard_draft,
    discard_drafts,
    draft_data,
    draft_of,
    resumed,
    save_draft,
)
from engine.features.work.task_page import TaskPage, beside_a_form
from engine.store.attachments import attach
from engine.store.database import Session
from engine.store.files import CheckedFile, FileStore, FileWriter
from engine.store.models import HumanTask, HumanTaskStatus, ProcessInstance, RectificationTask, WorkDraft
from engine.workflow.forms import FormHandler
from engine.workflow.instances import Processes
from engine.workflow.step import Step


def already_handled(work: HumanTask) -> Text:
    """Why an item can no longer be done: who did it and when, or that it was withdrawn."""
    if work.completed_at is None:
        return N_("这项工作已撤销或已转入其他环节，无需再办理")
    who = work.completed_by.display_name if work.completed_by is not None else N_("系统")
    return N_("这项工作已由%(who)s于 %(when)s 办理", who=who,
              when=work.completed_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"))


def mark_returned(step: Step, reason: str) -> None:
    """The work this step opened in its instance went back to someone: the row says who sent it, when and why."""
    for work in step.opened:
        if work.instance_id == step.the_instance.id:
            work.returned_by_id, work.returned_at, work.return_reason = step.actor.user_id, step.now, reason


def starting_values(step: Step, handler: FormHandler) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """What the step's form starts from — what is on record, under the person's unfinished draft if there is
    one — and what the form's context adds for a draft (when it was saved). Loads who returned the work, named on
    the page after the session."""
    work = step.the_work
    draft = draft_of(step.session, step.actor, work)
    initial = {**(handler.initial(step) or {}), **(resumed(handler, draft) if draft is not None else {})}
    if work.returned_by_id is not None:
        step.session.refresh(work, ["returned_by"])
    return initial or None, {"draft_saved_at": draft.saved_at} if draft is not None else {}


class BatchRefused(PermissionDenied):
    """Some items of a batch are not the person's to do (or to see): refused like one such item, each named."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(N_("所选事项中有不由您办理的，均未办理"))
        self.errors = errors


@dataclass
class WorkItem:
    """A human task with what the person needs beside the form."""

    work: HumanTask
    task: RectificationTask
    period: str
    page: TaskPage | None  # None where only the form is wanted (a submission being checked)
    extra: dict[str, Any] = field(default_factory=dict)  # the form's context: a draft, the items to answer
    initial: dict[str, Any] | None = None  # what the form starts with


@dataclass
class CaseWorkItem:
    """A step of a complaint case: the work item, the case's page, what the form starts from."""

    work: HumanTask
    page: case_views.CasePage
    initial: dict[str, Any] | None = None


@dataclass
class EscalationWorkItem:
    """A step of a complaint case's escalation (work of no task): the work item, the escalation's page, what the
    form starts from (the ladder's level, duban's drafts)."""

    work: HumanTask
    page: escalation_views.EscalationPage
    initial: dict[str, Any] | None = None


def _sees_case(access: Access, actor: Actor, case: Any) -> bool:
    try:
        access.check_view_case(actor, case)
    except NotFound:
        return False
    return True


def _work_and_instance(lock: bool) -> Select[tuple[HumanTask, ProcessInstance]]:
    """A work item (bound parameter `work_id`) with its process instance and, eagerly, its task; with `lock`, the
    work item and the instance are locked until the transaction ends (FOR UPDATE OF both: the task, on the
    nullable side of an outer join, cannot be and need not be)."""
    query = (select(HumanTask, ProcessInstance).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .options(joinedload(HumanTask.task)).where(HumanTask.id == bindparam("work_id")))
    return query.with_for_update(of=(HumanTask, ProcessInstance)) if lock else query


#: built once: this read starts every step
WORK_AND_INSTANCE = {lock: _work_and_instance(lock) for lock in (True, False)}


class WorkItems:
    """Opening and completing work items, whoever's process they belong to."""

    def __init__(self, processes: Processes, access: Access, files: FileStore) -> None:
        self.processes = processes
        self.access = access
        self.files = files

    def open(self, session: Session, actor: Actor, human_task_id: int,
             lock: bool = True) -> tuple[HumanTask, ProcessInstance]:
        """The open work item the actor may do, with its instance and its task, in one read."""
        found = session.execute(WORK_AND_INSTANCE[lock], {"work_id": human_task_id}).one_or_none()
        if found is None:
            raise NotFound("没有找到这项工作")
        work_item, instance = found
        if not self.access.can_act(actor, work_item):  # whoever may do it may see its task (same unit or city)
            if not self._may_see(session, actor, work_item):
                raise NotFound("没有找到这项工作")
            raise PermissionDenied("这项工作不由您办理")
        if work_item.task is not None:
            duties.check(session, actor, work_item, work_item.task)
        if not work_item.status.is_open():
            raise Conflict(already_handled(work_item))
        if lock and instance.suspended:  # it may still be read
            raise Conflict(N_("这项工作所在的流程已被系统管理员暂停，恢复后才能办理"))
        return work_item, instance

    def _may_see(self, session: Session, actor: Actor, work_item: HumanTask) -> bool:
        """Work of a task: whoever may see the task; work of a problem clue: whoever may see clues; work of a
        complaint case: whoever may see the case."""
        if work_item.task is not None:
            return self.access.can_view_task(actor, work_item.task)
        measure_id = measure_of_instance(session, work_item.instance_id)
        if measure_id is not None:
            return measure_page(session, self.access, actor, measure_id, *self._today_and_settings()) is not None
        case = case_views.of_instance(session, work_item.instance_id)
        if case is not None:
            return _sees_case(self.access, actor, case)
        escalation = escalation_views.case_escalation_of(session, work_item.instance_id)
        if escalation is not None:
            return self.access.can_view_escalation(actor, escalation)
        return self.access.can_view_clues(actor) and clue_of_instance(session, work_item.instance_id) is not None

    def _today_and_settings(self) -> tuple[date, Settings]:
        return local_today(self.processes.runtime.clock), self.processes.settings

    def item(self, session: Session, actor: Actor, human_task_id: int, whole: bool = True) -> WorkItem:
        """The work item with its form's context and starting values; `whole`: with the task's page and what the
        form shows beside it (a submission is checked against the form alone)."""
        work, instance = self.open(session, actor, human_task_id, lock=False)
        # a submission is checked against the task the work item's read brought; a page shows it whole
        task = self.access.check_view_task(actor, load_task(session, work.task_id or 0) if whole else work.task)
        handler = self.processes.registry.forms[work.form]
        step = self.processes.step(session, actor, task=task, instance=instance, human_task=work)
        page = beside_a_form(session, self.access, actor, task, step.today) if whole else None
        extra = handler.context(step)
        if whole and instance.process_id == MONTHLY_REPORT_PROCESS and task.cooperating_units:
            extra["contributions"] = contributions_of_period(session, task.id, instance.business_key)
        initial, draft = starting_values(step, handler)
        return WorkItem(work, task, instance.business_key, page, {**extra, **draft}, initial)

    def save_draft(self, session: Session, actor: Actor, human_task_id: int, data: dict[str, Any]) -> WorkDraft:
        """暂存: keep what the person has written so far; the work item stays open."""
        step = self._draft_step(session, actor, human_task_id)
        return save_draft(step, draft_data(self.processes.registry.forms[step.the_work.form], data))

    def discard_draft(self, session: Session, actor: Actor, human_task_id: int) -> bool:
        """The person's draft of an open work item given up; False when there was none."""
        return discard_draft(self._draft_step(session, actor, human_task_id))

    def _draft_step(self, session: Session, actor: Actor, human_task_id: int) -> Step:
        work, instance = self.open(session, actor, human_task_id)
        return self.processes.step(session, actor, task=work.task, instance=instance, human_task=work)

    def clue_item(self, session: Session, actor: Actor, human_task_id: int) -> ClueWorkItem:
        """A step of a problem clue's process, with the clue's page."""
        work, _instance = self.open(session, actor, human_task_id, lock=False)
        clue = clue_of_instance(session, work.instance_id)
        if clue is None:
            raise NotFound("没有找到这项工作")
        return ClueWorkItem(work, clue_page(session, self.access, actor, clue))

    def measure_item(self, session: Session, actor: Actor, human_task_id: int) -> MeasureWorkItem:
        """A step of a strengthening measure's process, with the measure's page and what its form starts from."""
        work, instance = self.open(session, actor, human_task_id, lock=False)
        measure_id = measure_of_instance(session, work.instance_id)
        found = measure_page(session, self.access, actor, measure_id, *self._today_and_settings()) \
            if measure_id is not None else None
        if found is None:
            raise NotFound("没有找到这项工作")
        handler = self.processes.registry.forms[work.form]
        step = self.processes.step(session, actor, instance=instance, human_task=work)
        initial, draft = starting_values(step, handler)
        return MeasureWorkItem(work, found, {**handler.context(step), **draft}, initial)

    def case_item(self, session: Session, actor: Actor, human_task_id: int) -> CaseWorkItem:
        """A step of a complaint case's process, with the case's page and what its form starts from."""
        work, instance = self.open(session, actor, human_task_id, lock=False)
        case = case_views.of_instance(session, work.instance_id)
        if case is None:
            raise NotFound("没有找到这项工作")
        handler = self.processes.registry.forms[work.form]
        step = self.processes.step(session, actor, instance=instance, human_task=work)
        settings = self.processes.settings
        page = case_views.case_page(session, self.access, actor, case, step.today, settings)
        return CaseWorkItem(work, page, starting_values(step, handler)[0])

    def escalation_item(self, session: Session, actor: Actor, human_task_id: int) -> EscalationWorkItem:
        """A step of a complaint case's escalation, with the escalation's page and what its form starts from."""
        work, instance = self.open(session, actor, human_task_id, lock=False)
        escalation = escalation_views.case_escalation_of(session, work.instance_id)
        if escalation is None:
            raise NotFound("没有找到这项工作")
        handler = self.processes.registry.forms[work.form]
        step = self.processes.step(session, actor, instance=instance, human_task=work)
        page = escalation_views.escalation_page(session, self.access, actor, escalation)
        return EscalationWorkItem(work, page, starting_values(step, handler)[0])

    def complete(self, session: Session, actor: Actor, human_task_id: int, data: dict[str, Any],
                 uploads: Sequence[Upload], writer: FileWriter) -> HumanTask:
        """Do one user task: check, validate, record, run the process on."""
        work, instance = self.open(session, actor, human_task_id)
        handler = self.processes.registry.forms[work.form]
        step = self.processes.step(session, actor, task=work.task, instance=instance, human_task=work,
                                   uploads=self._checked(handler, uploads), files=writer)
        cleaned = handler.clean(step, data)
        files = [{"name": f.original_name, "sha256": f.sha256, "size": f.size} for f in step.uploads]
        recorded = {**cleaned, **({"files": files} if files else {})}
        step.audit("work.completed", ("human_task", work.id), f"完成「{work.name}」",
                   after={"form": work.form, "data": recorded})
        variables = handler.apply(step, cleaned)
        attach(session, writer, step.uploads, actor, step.now, task_id=work.task_id, form=work.form,
               human_task_id=work.id)
        self.processes.complete(step, variables)
        reason = handler.sent_back(cleaned)
        if reason is not None:
            mark_returned(step, reason)
        discard_drafts(session, work)
        # closed last: the work item's row is written with the step's other writes, not flushed ahead of its reads
        work.status, work.completed_by_id, work.completed_at = HumanTaskStatus.COMPLETED, actor.user_id, step.now
        work.data = recorded
        self.processes.settle([step])
        return work

    def complete_many(self, session: Session, actor: Actor, human_task_ids: Sequence[int], data: dict[str, Any],
                      writer: FileWriter, form: str | None = None) -> list[HumanTask]:
        """The same decision on several work items of one form (`form`, if named), each a step of its own (each
        audited); every item is checked first, and if any is refused none is done and each refusal is said."""
        work_ids = list(dict.fromkeys(human_task_ids))
        self._check_batch(session, actor, work_ids, form)
        return [self.complete(session, actor, work_id, data, (), writer) for work_id in work_ids]

    def _check_batch(self, session: Session, actor: Actor, work_ids: Sequence[int], form: str | None) -> None:
        """Each item open and the person's to do, all of one batchable form; else each refused item is named
        (`work.<id>`), and a mix of forms (`work`): BatchRefused when an item is not the person's to do (as one such
        item is refused), InvalidSubmission otherwise (done already, another kind)."""
        refused: dict[str, list[str]] = {}
        forms: set[str] = set()
        not_theirs = False
        for work_id in work_ids:
            try:
                work, _instance = self.open(session, actor, work_id)
            except (NotFound, PermissionDenied, Conflict) as exc:
                refused[f"work.{work_id}"] = [exc.args[0] if exc.args else ""]
                not_theirs = not_theirs or not isinstance(exc, Conflict)
                continue
            if form is not None and work.form != form:
                refused[f"work.{work_id}"] = [N_("这项工作不是所选的那一类事项")]
            forms.add(work.form)
        handlers = [self.processes.registry.forms[name] for name in forms]
        if len(forms) > 1 or any(not handler.batchable for handler in handlers):
            refused["work"] = [N_("只有同一种、可以批量办理的事项才能一起办理")]
        if not_theirs:
            raise BatchRefused(refused)
        if refused:
            raise InvalidSubmission(refused)

    def _checked(self, handler: FormHandler, uploads: Sequence[Upload]) -> list[CheckedFile]:
        """The files sent with a form, checked by content; refused where the form takes none."""
        if not uploads:
            return []
        if handler.files_field is None:
            raise InvalidSubmission({"attachments": ["这一步不接受上传文件"]})
        return self.files.check(list(uploads), handler.files_field)

