"""Notices that follow the work: a notice of new work (or work returned) when a step waits for people, and
notices resolved once the work they are about is done."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, false, func, select, update

from engine.core.text import N_, Text
from engine.features.notifications.notices import post
from engine.store.models import HumanTask, HumanTaskStatus, InstanceStatus, Notice, ProcessInstance
from engine.workflow.step import Step


def settle_notices(steps: Sequence[Step]) -> None:
    """At the end of a use case: resolve what its steps did, then tell people of the work now waiting."""
    if not steps:
        return
    for step in steps:
        resolve_done_work(step)
    resolve_ended_instances(steps)
    announce_new_work(steps)


def resolve_done_work(step: Step) -> None:
    """A completed work item resolves the notices of its instance to the people who did it (its unit, or its
    role); an instance that ended resolves all of its notices."""
    if step.instance is None:
        return
    instance_notices = (Notice.instance_id == step.instance.id) & Notice.resolved_at.is_(None)
    if not step.instance.status.is_running():
        step.session.execute(update(Notice).where(instance_notices).values(resolved_at=step.now))
        return
    work = step.human_task
    if work is None or work.status is HumanTaskStatus.OPEN:
        return
    people = Notice.unit_id == work.unit_id if work.unit_id is not None else Notice.role == work.role
    step.session.execute(update(Notice).where(instance_notices, people, Notice.created_at <= step.now)
                         .values(resolved_at=step.now))


def resolve_ended_instances(steps: Sequence[Step]) -> None:
    """The notices of the steps' tasks whose instance is over: cancelled along the way (a deadline watch restarted
    for a new deadline, a report cycle ended by the sign-off) or completed."""
    task_ids = {step.task.id for step in steps if step.task is not None}
    if not task_ids:
        return
    ended = select(ProcessInstance.id).where(ProcessInstance.task_id.in_(task_ids),
                                             ProcessInstance.status != InstanceStatus.RUNNING)
    steps[0].session.execute(update(Notice).where(Notice.task_id.in_(task_ids), Notice.resolved_at.is_(None),
                                                  Notice.instance_id.in_(ended))
                             .values(resolved_at=max(step.now for step in steps)))


def announce_new_work(steps: Sequence[Step]) -> None:
    """Work items opened during the use case that no notice announces yet (a standing action waits for nobody)."""
    session, since = steps[0].session, min(step.now for step in steps)
    announced = exists().where(Notice.work_id == HumanTask.id)
    fresh = session.scalars(select(HumanTask).where(HumanTask.status == HumanTaskStatus.OPEN,
                                                    HumanTask.standing == false(), HumanTask.created_at >= since,
                                                    ~announced).order_by(HumanTask.id))
    for work in list(fresh):
        returned = session.scalar(select(func.count(HumanTask.id)).where(
            HumanTask.instance_id == work.instance_id, HumanTask.bpmn_id == work.bpmn_id,
            HumanTask.status == HumanTaskStatus.COMPLETED)) or 0
        post(session, steps[0].settings, Notice(
            created_at=work.created_at, task_id=work.task_id, role=work.role, unit_id=work.unit_id,
            user_id=work.assignee_id, instance_id=work.instance_id, work_id=work.id,
            kind="returned" if returned else "new_work", text=work_text(work, bool(returned))))


def work_text(work: HumanTask, returned: bool) -> Text:
    code = work.task.code if work.task is not None else None
    if returned:
        return N_("%(code)s 已退回，请修改后重新办理", code=code) if code else N_("一项工作已退回，请修改后重新办理")
    return N_("%(code)s 有新的待办", code=code) if code else N_("有新的待办")
