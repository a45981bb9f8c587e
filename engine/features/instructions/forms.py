"""The steps of workflows/instruction.bpmn: the unit answers, the leader reads the answer (closes it or asks
again), and the answer date passing unanswered."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, attachments_field, clean
from engine.core.statuses import InstructionStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.features.notifications.notices import notify
from engine.features.rectification.notices import notify_unit
from engine.store.models import Instruction, InstructionAnswer
from engine.workflow.forms import FormHandler
from engine.workflow.registry import Action
from engine.workflow.step import Step

INSTRUCTION_PROCESS = "instruction"
CLOSE, AGAIN = "close", "again"


#: what a step's page shows of its instruction: who wrote it and the answers so far
SHOWN = (selectinload(Instruction.leader), selectinload(Instruction.answers))


def instruction_of(step: Step, *options: ORMOption) -> Instruction:
    found = step.session.scalar(select(Instruction).options(*options)
                                .where(Instruction.instance_id == step.the_instance.id))
    if found is None:
        raise LookupError(f"no instruction for instance {step.the_instance.id}")
    return found


def instruction_leader(step: Step) -> int | None:
    """The leader who wrote the instruction reads its answers."""
    return step.session.scalar(select(Instruction.leader_id).where(Instruction.instance_id == step.the_instance.id))


class AnswerHandler(FormHandler):
    """答复批示: what the unit did about the leader's instruction."""

    name = "instruction_answer"
    fields = (Field("answer", label=N_("落实情况"), help=N_("按领导批示要求开展的工作和取得的成效")),
              attachments_field())

    def context(self, step: Step) -> dict[str, Any]:
        return {"instruction": instruction_of(step, *SHOWN)}

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        instruction = instruction_of(step)
        step.session.add(InstructionAnswer(instruction_id=instruction.id, answer=data["answer"],
                                           answered_by_id=step.actor.user_id, answered_at=step.now))
        instruction.status = InstructionStatus.ANSWERED
        step.audit("instruction.answered", ("instruction", instruction.id),
                   f"答复领导批示 {instruction.batch}：{data['answer']}", after={"status": instruction.status.value})
        return {}


class ReviewHandler(FormHandler):
    """阅示: the leader closes the instruction, or asks again with a new answer date."""

    name = "instruction_review"
    fields = (Field("decision", "choice", choices={CLOSE: N_("阅结"), AGAIN: N_("请继续落实并再次答复")},
                    label=N_("阅示意见")),
              Field("comment", required=False, label=N_("批示"), help=N_("再次批示时必填")),
              Field("answer_due", "date", required=False, label=N_("再次答复时限"), help=N_("再次批示时必填")))

    def context(self, step: Step) -> dict[str, Any]:
        return {"instruction": instruction_of(step, *SHOWN)}

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == AGAIN:
            errors: dict[str, list[Any]] = {}
            if not cleaned["comment"]:
                errors["comment"] = [N_("再次批示时必须写明要求")]
            if not cleaned["answer_due"] or cleaned["answer_due"] <= step.today.isoformat():
                errors["answer_due"] = [N_("再次答复时限必须晚于今天")]
            if errors:
                raise InvalidSubmission(errors)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        instruction = instruction_of(step)
        answer = instruction.answers[-1]
        answer.decision, answer.comment, answer.read_at = data["decision"], data["comment"] or "", step.now
        if data["decision"] == CLOSE:
            instruction.status, instruction.closed_at = InstructionStatus.CLOSED, step.now
            step.audit("instruction.closed", ("instruction", instruction.id),
                       f"领导阅结批示 {instruction.batch}" + (f"：{data['comment']}" if data["comment"] else ""),
                       after={"status": instruction.status.value})
            return {"decision": CLOSE}
        instruction.status, instruction.answer_due = InstructionStatus.AWAITING_ANSWER, date.fromisoformat(
            data["answer_due"])
        step.audit("instruction.again", ("instruction", instruction.id),
                   f"领导再次批示 {instruction.batch}：{data['comment']}（{chinese_date(data['answer_due'])}前答复）",
                   after={"status": instruction.status.value, "answer_due": data["answer_due"]})
        notify_unit(step, "instruction", N_("%(code)s 领导再次批示：%(text)s（%(due)s 前答复）",
                                            code=step.the_task.code, text=data["comment"],
                                            due=marked_date(data["answer_due"])))
        return {"decision": AGAIN, "answer_due": data["answer_due"]}


def mark_instruction_overdue(step: Step, data: dict[str, Any]) -> None:
    """The answer date passed unanswered: the unit and the leader are told."""
    instruction = instruction_of(step)
    step.audit("instruction.overdue", ("instruction", instruction.id),
               f"领导批示 {instruction.batch} 逾期未答复（时限 {chinese_date(instruction.answer_due)}）")
    notify_unit(step, "instruction_overdue", N_("%(code)s 领导批示逾期未答复（时限 %(due)s）",
                                                code=step.the_task.code, due=marked_date(instruction.answer_due)))
    notify(step, "leader", "instruction_overdue", N_("%(code)s %(unit)s 逾期未答复您的批示（时限 %(due)s）",
                                                     code=step.the_task.code, unit=instruction.unit.name,
                                                     due=marked_date(instruction.answer_due)),
           user_id=instruction.leader_id)


HANDLERS: tuple[FormHandler, ...] = (AnswerHandler(), ReviewHandler())
ACTIONS: dict[str, Action] = {"mark_instruction_overdue": mark_instruction_overdue}
