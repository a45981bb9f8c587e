"""The forms of 签收 (workflows/receipt.bpmn): the unit signs for the task or returns it (退办) within its receipt
period; the coordinator answers a return (改派 to another unit, or 驳回) and follows up a late receipt."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, clean
from engine.core.statuses import ReceiptStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.features.notifications.notices import notify
from engine.features.receipt.actions import reassign, receipt_due, receipt_of, settle_lateness, unit_name
from engine.store.models import TaskReceipt, Unit
from engine.workflow.forms import FormHandler
from engine.workflow.step import Step

REASSIGN_FIELDS = (
    Field("unit_id", "id", required=False, label=N_("改派给"), source="units", help=N_("改派时必填")),
)


class SignHandler(FormHandler):
    """签收 or 退办: the unit confirms the task is its own, or returns it with reasons within the receipt period."""

    name = "receipt_sign"
    fields = (
        Field("decision", "choice", choices={"receive": N_("签收"), "return": N_("退办（不属于本单位职责）")},
              label=N_("签收意见"), widget="radio"),
        Field("reason", required=False, label=N_("说明"), help=N_("退办时必填：为什么不属于本单位，应由哪个单位办理")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "return":
            receipt = receipt_of(step)
            if not cleaned["reason"]:
                raise InvalidSubmission({"reason": [N_("退办须说明理由")]})
            if receipt.decision:
                raise InvalidSubmission({"decision": [N_("退办已被驳回，请签收")]})
            if step.today > receipt.due_date:
                raise InvalidSubmission({"decision": [N_("签收期限（%(due)s）已过，不能再退办",
                                                          due=marked_date(receipt.due_date))]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        receipt = receipt_of(step)
        name = unit_name(step, receipt.unit_id)
        if data["decision"] == "return":
            receipt.status, receipt.return_reason = ReceiptStatus.RETURNED, data["reason"]
            step.audit("task.returned", ("task", step.the_task.id), f"{name}退办：{data['reason']}",
                       after={"unit_id": receipt.unit_id, "reason": data["reason"]})
            return {"decision": "return"}
        receipt.status, receipt.received_at = ReceiptStatus.RECEIVED, step.now
        receipt.received_by_id = step.actor.user_id
        if receipt.lead:
            step.the_task.received_at = step.now
        step.audit("task.received", ("task", step.the_task.id), f"{name}签收" + (
            f"（逾期，签收期限 {chinese_date(receipt.due_date)}）" if receipt.late else ""),
                   after={"unit_id": receipt.unit_id, "note": data["reason"] or ""})
        settle_lateness(step)
        return {"decision": "receive"}


class ReturnDecisionHandler(FormHandler):
    """The coordinator answers a return: the task goes to another unit (改派), or the return is refused (驳回) with a
    reason and the unit signs for it."""

    name = "receipt_return_decide"
    fields = (
        Field("decision", "choice", choices={"reassign": N_("改派其他单位"), "reject": N_("驳回退办")},
              label=N_("处理意见"), widget="radio"),
        *REASSIGN_FIELDS,
        Field("reason", label=N_("理由")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "reassign":
            check_new_unit(step, cleaned)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        receipt = receipt_of(step)
        if data["decision"] == "reassign":
            reassign(step, receipt, data["unit_id"], data["reason"])
            return {"decision": "reassign"}
        receipt.status, receipt.decision = ReceiptStatus.WAITING, data["reason"]
        due = receipt_due(step)
        receipt.due_date = date.fromisoformat(due)
        step.audit("task.return_rejected", ("task", step.the_task.id),
                   f"驳回{unit_name(step, receipt.unit_id)}的退办：{data['reason']}，请于{chinese_date(due)}前签收",
                   after={"unit_id": receipt.unit_id, "reason": data["reason"], "due": due})
        return {"decision": "reject", "receipt_due": due}


class FollowUpHandler(FormHandler):
    """The receipt period passed: the coordinator chases the unit, or gives the task to another unit."""

    name = "receipt_follow_up"
    fields = (
        Field("decision", "choice", choices={"chase": N_("督促签收"), "reassign": N_("改派其他单位")},
              label=N_("处理意见"), widget="radio"),
        *REASSIGN_FIELDS,
        Field("reason", label=N_("督促或改派说明")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "reassign":
            if receipt_of(step).status is not ReceiptStatus.WAITING:
                raise InvalidSubmission({"decision": [N_("单位已签收或已退办，不能在此改派")]})
            check_new_unit(step, cleaned)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        receipt = receipt_of(step)
        if data["decision"] == "reassign":
            reassign(step, receipt, data["unit_id"], data["reason"])
            return {"decision": "reassign"}
        name = unit_name(step, receipt.unit_id)
        step.audit("task.receipt_chased", ("task", step.the_task.id), f"督促{name}签收：{data['reason']}",
                   after={"unit_id": receipt.unit_id, "reason": data["reason"]})
        for role in ("unit_staff", "unit_head"):
            notify(step, role, "receipt_chased", N_("%(code)s 请尽快签收：%(reason)s", code=step.the_task.code,
                                                   reason=data["reason"]), unit_id=receipt.unit_id)
        return {"decision": "chase"}


def check_new_unit(step: Step, cleaned: dict[str, Any]) -> None:
    """改派 names a unit that exists and does not already work on the task."""
    unit_id = cleaned["unit_id"]
    if unit_id is None:
        raise InvalidSubmission({"unit_id": [N_("改派须选择单位")]})
    if step.session.get(Unit, unit_id) is None:
        raise InvalidSubmission({"unit_id": [N_("没有这个单位")]})
    busy = step.session.scalar(select(TaskReceipt.id).where(
        TaskReceipt.task_id == step.the_task.id, TaskReceipt.unit_id == unit_id,
        TaskReceipt.status != ReceiptStatus.REASSIGNED).limit(1))
    if unit_id in step.the_task.unit_ids() or busy is not None:
        raise InvalidSubmission({"unit_id": [N_("这个单位已承担本任务，请选择其他单位")]})


HANDLERS = (SignHandler(), ReturnDecisionHandler(), FollowUpHandler())
