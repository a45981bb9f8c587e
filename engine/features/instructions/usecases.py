"""The use cases of leaders' instructions (领导批示): writing one on tasks, reading them, counting the open ones."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, clean
from engine.core.statuses import InstructionStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.core.workdays import add_working_days
from engine.features.accounts.access import Access
from engine.features.instructions import queries
from engine.features.instructions.forms import INSTRUCTION_PROCESS
from engine.features.rectification.notices import notify_unit
from engine.store.database import Session
from engine.store.models import Instruction, RectificationTask
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes
from engine.workflow.step import Step

WRITING_FIELDS = (
    Field("task_ids", "ids", label=N_("批示的整改任务"), source="tasks", help=N_("可同时选择多项任务")),
    Field("text", label=N_("批示内容")),
    Field("answer_due", "date", label=N_("答复时限"), help=N_("各牵头单位须在此日期前答复落实情况")),
)


class InstructionUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def write(self, actor: Actor, data: dict[str, Any]) -> str:
        """领导批示: the instruction goes to the lead unit of each task; returns its number (one for all tasks)."""
        self.access.require(actor, "instruction.write")

        def work(session: Session) -> str:
            step = self.processes.step(session, actor)
            cleaned = clean(WRITING_FIELDS, data)
            tasks = self._tasks(session, actor, step, cleaned)
            batch = _next_batch(session, step.today.year)
            steps = [_write_on(self.processes.step(session, actor, task=task), batch, cleaned) for task in tasks]
            self.processes.settle(steps)
            return batch

        return self.transactions.run(work)

    def _tasks(self, session: Session, actor: Actor, step: Step, cleaned: dict[str, Any]) -> list[RectificationTask]:
        errors: dict[str, list[Any]] = {}
        if cleaned["answer_due"] <= step.today.isoformat():
            errors["answer_due"] = [N_("答复时限必须晚于今天")]
        tasks = list(session.scalars(select(RectificationTask).where(RectificationTask.id.in_(cleaned["task_ids"]))
                                     .order_by(RectificationTask.id)))
        if len(tasks) != len(cleaned["task_ids"]) or not all(self.access.can_view_task(actor, t) for t in tasks):
            errors["task_ids"] = [N_("没有这个整改任务")]
        elif any(task.status.is_closed() for task in tasks):
            errors["task_ids"] = [N_("已销号的任务不能再批示")]
        if errors:
            raise InvalidSubmission(errors)
        return tasks

    def proposed_due(self) -> str:
        """The answer date the writing form proposes."""
        today = local_today(self.processes.runtime.clock)
        return add_working_days(today, self.processes.settings.instruction_answer_working_days).isoformat()

    def choices(self, actor: Actor) -> dict[str, list[tuple[int, str]]]:
        """The open tasks an instruction may be written on."""
        self.access.require(actor, "instruction.write")
        return {"tasks": self.transactions.read(lambda s: queries.open_tasks(s, self.access.task_filter(actor)))}


def open_count(session: Session, scope: ColumnElement[bool]) -> int:
    """Instructions still open (awaiting an answer or the leader's reading) on the tasks in scope."""
    return session.scalar(select(func.count(Instruction.id)).join(RectificationTask).where(
        scope, Instruction.status != InstructionStatus.CLOSED)) or 0


def _next_batch(session: Session, year: int) -> str:
    prefix = f"PS-{year}-"
    count = session.scalar(select(func.count(func.distinct(Instruction.batch)))
                           .where(Instruction.batch.startswith(prefix))) or 0
    return f"{prefix}{count + 1:03d}"


def _write_on(step: Step, batch: str, data: dict[str, Any]) -> Step:
    task: RectificationTask = step.the_task
    instruction = Instruction(batch=batch, task_id=task.id, unit_id=task.lead_unit_id,
                              leader_id=step.actor.user_id or 0, text=data["text"],
                              answer_due=date.fromisoformat(data["answer_due"]),
                              status=InstructionStatus.AWAITING_ANSWER, written_at=step.now)
    step.session.add(instruction)
    step.session.flush()
    step.audit("instruction.written", ("instruction", instruction.id),
               f"领导批示 {batch}：{data['text']}（{chinese_date(data['answer_due'])}前答复）",
               after={"batch": batch, "answer_due": data["answer_due"]})
    instance = step.processes.start(step, INSTRUCTION_PROCESS, {"answer_due": data["answer_due"]},
                                    business_key=batch)
    instruction.instance_id = instance.id
    notify_unit(step.for_instance(instance), "instruction", N_("%(code)s 领导批示：%(text)s（%(due)s 前答复）",
                                                               code=task.code, text=data["text"],
                                                               due=marked_date(data["answer_due"])))
    return step
