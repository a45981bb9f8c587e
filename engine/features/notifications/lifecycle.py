"""Notices that follow the work: a notice of new work (or work returned) when a step waits for people, and
notices resolved once the work they are about is done."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select, update

from engine.core.text import N_, Text
from engine.features.notifications.notices import post
from engine.store.database import Session
from engine.store.models import HumanTask, HumanTaskStatus, Notice
from engine.workflow.step import Step

#: the open notices of an instance, resolved (none of them is loaded in a step: nothing in the session to update)
_RESOLVE = (update(Notice).where(Notice.instance_id == bindparam("instance"), Notice.resolved_at.is_(None))
            .values(resolved_at=bindparam("now")).execution_options(synchronize_session=False))
#: ... those to the people of a unit, or of a role, posted by now
_RESOLVE_FOR_UNIT = _RESOLVE.where(Notice.unit_id == bindparam("unit"), Notice.created_at <= bindparam("now"))
_RESOLVE_FOR_ROLE = _RESOLVE.where(Notice.role == bindparam("of_role"), Notice.created_at <= bindparam("now"))
#: instances read at once for the user tasks done before in them
_READ_AT_ONCE = 500


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
    role)."""
    if step.instance is None or not step.instance.status.is_running():
        return  # an instance that ended: all of its notices are resolved (resolve_ended_instances)
    work = step.human_task
    if work is None or work.status is HumanTaskStatus.OPEN:
        return
    if work.unit_id is not None:
        step.session.execute(_RESOLVE_FOR_UNIT, {"instance": step.instance.id, "unit": work.unit_id, "now": step.now})
    else:
        step.session.execute(_RESOLVE_FOR_ROLE, {"instance": step.instance.id, "of_role": work.role, "now": step.now})


def resolve_ended_instances(steps: Sequence[Step]) -> None:
    """The notices of the instances the use case ended: cancelled along the way (a deadline watch restarted for a
    new deadline, a report cycle ended by the sign-off) or completed."""
    ended = {instance.id for step in steps for instance in step.ended}
    if ended:
        steps[0].session.execute(update(Notice).where(Notice.instance_id.in_(ended), Notice.resolved_at.is_(None))
                                 .values(resolved_at=max(step.now for step in steps))
                                 .execution_options(synchronize_session=False))


def announce_new_work(steps: Sequence[Step]) -> None:
    """The work items the use case opened and left open (a standing action waits for nobody), each announced."""
    session = steps[0].session
    opened = {id(work): (work, step) for step in steps for work in step.opened
              if work.status is HumanTaskStatus.OPEN and not work.standing}
    if not opened:
        return
    session.flush()  # the work items get their ids
    done_before = _done_before(session, {work.instance_id for work, _ in opened.values()})
    for work, step in opened.values():
        returned = (work.instance_id, work.bpmn_id) in done_before
        task = step.task if step.task is not None and step.task.id == work.task_id else work.task
        code = task.code if task is not None else None
        post(session, steps[0].settings, Notice(
            created_at=work.created_at, task_id=work.task_id, role=work.role, unit_id=work.unit_id,
            user_id=work.assignee_id, instance_id=work.instance_id, work_id=work.id,
            kind="returned" if returned else "new_work", text=work_text(code, bool(returned))))


def _done_before(session: Session, instance_ids: set[int]) -> set[tuple[int, str]]:
    """The user tasks (instance, BPMN id) done before in these instances: their work, open again, came back."""
    ids, done = sorted(instance_ids), set[tuple[int, str]]()
    for start in range(0, len(ids), _READ_AT_ONCE):
        rows = session.execute(select(HumanTask.instance_id, HumanTask.bpmn_id).distinct().where(
            HumanTask.instance_id.in_(ids[start:start + _READ_AT_ONCE]), HumanTask.status == HumanTaskStatus.COMPLETED))
        done.update((instance_id, bpmn_id) for instance_id, bpmn_id in rows)
    return done


def work_text(code: str | None, returned: bool) -> Text:
    if returned:
        return N_("%(code)s 已退回，请修改后重新办理", code=code) if code else N_("一项工作已退回，请修改后重新办理")
    return N_("%(code)s 有新的待办", code=code) if code else N_("有新的待办")
