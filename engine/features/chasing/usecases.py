"""The use cases of chasing (催办): chasing a unit on an open step, a task's chases, the units' record."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.errors import Conflict, InvalidSubmission, NotFound, PermissionDenied
from engine.core.fields import Field, clean
from engine.core.statuses import ChaseStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.core.workdays import add_working_days
from engine.features.accounts.access import Access
from engine.features.chasing.forms import CHASE_FORM, CHASE_PROCESS, business_key
from engine.features.notifications.notices import notify
from engine.store.database import Session
from engine.store.models import Chase, HumanTask, Unit
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes
from engine.workflow.step import Step

CHASE_FIELDS = (
    Field("message", label=N_("催办内容"), help=N_("请写明催办事项和要求")),
    Field("reply_due", "date", label=N_("反馈时限")),
)
UNIT_ROLES = ("unit_staff", "unit_head")


class ChaseUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def chase(self, actor: Actor, work_id: int, data: dict[str, Any]) -> int:
        """催办: the unit of an open step is chased; it replies by the date given."""
        self.access.require(actor, "chase.send")

        def work(session: Session) -> int:
            target = self._chaseable(session, actor, work_id)
            step = self.processes.step(session, actor, task=target.task)
            cleaned = clean(CHASE_FIELDS, data)
            if cleaned["reply_due"] < step.today.isoformat():
                raise InvalidSubmission({"reply_due": [N_("反馈时限不能早于今天")]})
            chase = _send(step, target, cleaned)
            self.processes.settle([step])
            return chase.id

        return self.transactions.run(work)

    def _chaseable(self, session: Session, actor: Actor, work_id: int) -> HumanTask:
        target = session.scalar(select(HumanTask).options(joinedload(HumanTask.task), joinedload(HumanTask.unit))
                                .where(HumanTask.id == work_id))
        if target is None or target.task is None or not self.access.can_view_task(actor, target.task):
            raise NotFound(N_("没有找到这项工作"))
        if not target.status.is_open():
            raise Conflict(N_("这一步已经办理，无需催办"))
        if target.unit_id is None or target.form == CHASE_FORM:
            raise Conflict(N_("只能催办责任单位正在办理的环节"))
        if actor.unit_id == target.unit_id:
            raise PermissionDenied(N_("按职责分离要求，不能催办本单位"))
        return target

    def target(self, actor: Actor, work_id: int) -> HumanTask:
        """The step a chase would be about, if it may be chased."""
        self.access.require(actor, "chase.send")
        return self.transactions.read(lambda s: self._chaseable(s, actor, work_id))

    def proposed_due(self) -> str:
        today = local_today(self.processes.runtime.clock)
        return add_working_days(today, self.processes.settings.chase_reply_working_days).isoformat()


def _send(step: Step, target: HumanTask, data: dict[str, Any]) -> Chase:
    unit = step.session.get_one(Unit, target.unit_id)
    chase = Chase(task_id=target.task_id, unit_id=unit.id, work_id=target.id, step_name=target.name,
                  message=data["message"], reply_due=date.fromisoformat(data["reply_due"]),
                  chased_by_id=step.actor.user_id, chased_at=step.now, status=ChaseStatus.OPEN, overdue=False)
    step.session.add(chase)
    step.session.flush()
    step.audit("chase.sent", ("chase", chase.id),
               f"催办{unit.name}（{target.name}）：{data['message']}（{chinese_date(data['reply_due'])}前反馈）",
               after={"unit": unit.id, "work": target.id, "reply_due": data["reply_due"]})
    instance = step.processes.start(step, CHASE_PROCESS, {"reply_due": data["reply_due"]},
                                    business_key=business_key(chase))
    chase.instance_id = instance.id
    text = N_("%(code)s 催办（%(step)s）：%(message)s（%(due)s 前反馈）", code=step.the_task.code, step=target.name,
              message=data["message"], due=marked_date(data["reply_due"]))
    for role in UNIT_ROLES:
        notify(step.for_instance(instance), role, "chased", text, unit_id=unit.id)
    return chase
