"""签收 of an assigned task by each of its units (workflows/receipt.bpmn): starting one receipt per unit when the
task is assigned, routing each receipt's steps to its own unit, the receipt period passing, and 改派 (the task going
to another unit, which starts at 签收 again)."""
from __future__ import annotations

from datetime import date
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import select, update

from engine.core.statuses import ReceiptStatus
from engine.core.text import N_, chinese_date
from engine.core.workdays import add_working_days
from engine.features.notifications.notices import notify
from engine.features.rectification.events import TaskAssigned, TaskClosed
from engine.store.models import (
    HumanTask,
    HumanTaskStatus,
    InstanceStatus,
    ProcessInstance,
    RectificationTask,
    TaskReceipt,
    Unit,
)
from engine.workflow.step import Step

RECEIPT_PROCESS = "task_receipt"
#: receipts that still wait for their unit (or for the coordinator's answer to a return)
PENDING = (ReceiptStatus.WAITING, ReceiptStatus.RETURNED)
UNIT_ROLES = ("unit_staff", "unit_head")


def receipt_due(step: Step) -> str:
    return add_working_days(step.today, step.settings.receipt_working_days).isoformat()


def start_receipts(step: Step, event: TaskAssigned) -> None:
    """交办: the lead unit and each cooperating unit acknowledge receipt (a unit already asked is not asked again)."""
    task = step.the_task
    asked = set(step.session.scalars(select(TaskReceipt.unit_id).where(
        TaskReceipt.task_id == task.id, TaskReceipt.status != ReceiptStatus.REASSIGNED)))
    for unit_id in [task.lead_unit_id, *task.cooperating_unit_ids()]:
        if unit_id not in asked:
            start_receipt(step, unit_id, lead=unit_id == task.lead_unit_id)


def start_receipt(step: Step, unit_id: int, lead: bool) -> TaskReceipt:
    unit = step.session.get_one(Unit, unit_id)
    due = receipt_due(step)
    instance = step.processes.start(step, RECEIPT_PROCESS, {"unit_id": unit_id, "receipt_due": due},
                                    business_key=unit.name)
    receipt = TaskReceipt(task_id=step.the_task.id, unit_id=unit_id, instance_id=instance.id, lead=lead,
                          status=ReceiptStatus.WAITING, assigned_at=step.now, due_date=date.fromisoformat(due),
                          late=False)
    step.session.add(receipt)
    step.session.flush()
    return receipt


def route_to_receipt_unit(step: Step, workflow: BpmnWorkflow) -> None:
    """A receipt's steps for a unit go to the unit it asks (the runtime gives them to the task's lead unit)."""
    instance = step.the_instance
    if instance.process_id != RECEIPT_PROCESS:
        return
    unit_id = workflow.task_tree.data.get("unit_id")
    step.session.execute(update(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.OPEN,
        HumanTask.role.in_(UNIT_ROLES), HumanTask.unit_id != unit_id).values(unit_id=unit_id))


def receipt_of(step: Step) -> TaskReceipt:
    receipt = step.session.scalar(select(TaskReceipt).where(TaskReceipt.instance_id == step.the_instance.id))
    if receipt is None:
        raise LookupError(f"no receipt for instance {step.the_instance.id}")
    return receipt


def unit_name(step: Step, unit_id: int) -> str:
    return step.session.get_one(Unit, unit_id).name


def mark_receipt_late(step: Step, data: dict[str, Any]) -> None:
    """The receipt period passed without 签收: the task turns yellow and the coordination group follows it up."""
    receipt = receipt_of(step)
    if receipt.status is not ReceiptStatus.WAITING or receipt.late:
        return
    receipt.late = True
    step.the_task.receipt_late = True
    name = unit_name(step, receipt.unit_id)
    step.audit("task.receipt_late", ("task", step.the_task.id), f"{name}未在{chinese_date(receipt.due_date)}前签收",
               after={"unit_id": receipt.unit_id, "due": receipt.due_date.isoformat()})
    notify(step, "coordinator", "receipt_late", N_("%(code)s 交办后%(unit)s逾期未签收，请督促",
                                                   code=step.the_task.code, unit=name))


def settle_lateness(step: Step) -> None:
    """The task stays yellow for receipts while one of its units has not signed after its period."""
    task = step.the_task
    late = step.session.scalar(select(TaskReceipt.id).where(
        TaskReceipt.task_id == task.id, TaskReceipt.late.is_(True), TaskReceipt.status.in_(PENDING)).limit(1))
    task.receipt_late = late is not None


def reassign(step: Step, receipt: TaskReceipt, unit_id: int, reason: str) -> None:
    """改派: the task goes to another unit in place of the receipt's; the old receipt stays as history, the new unit
    starts at 签收, and the lead unit's open work (a plan being drafted) goes with the task."""
    task: RectificationTask = step.the_task
    old, new = unit_name(step, receipt.unit_id), unit_name(step, unit_id)
    receipt.status, receipt.reassigned_to_id, receipt.decision = ReceiptStatus.REASSIGNED, unit_id, reason
    before = {"lead_unit_id": task.lead_unit_id, "cooperating_unit_ids": task.cooperating_unit_ids()}
    if receipt.lead:
        task.lead_unit_id = unit_id
        step.session.execute(update(HumanTask).where(
            HumanTask.task_id == task.id, HumanTask.unit_id == receipt.unit_id,
            HumanTask.status == HumanTaskStatus.OPEN, HumanTask.instance_id != receipt.instance_id,
        ).values(unit_id=unit_id))
    else:
        task.cooperating_units = [unit for unit in task.cooperating_units if unit.id != receipt.unit_id]
        task.cooperating_units.append(step.session.get_one(Unit, unit_id))
    step.session.flush()
    step.audit("task.reassigned", ("task", task.id), f"改派：{old} → {new}（{reason}）", before=before,
               after={"lead_unit_id": task.lead_unit_id, "cooperating_unit_ids": task.cooperating_unit_ids()})
    start_receipt(step, unit_id, lead=receipt.lead)
    settle_lateness(step)


def end_receipts(step: Step, event: TaskClosed) -> None:
    """销号: a receipt still waiting is moot."""
    running = step.session.scalars(select(ProcessInstance).where(
        ProcessInstance.task_id == step.the_task.id, ProcessInstance.process_id == RECEIPT_PROCESS,
        ProcessInstance.status == InstanceStatus.RUNNING).order_by(ProcessInstance.id))
    for instance in list(running):
        step.processes.cancel(step, instance, event.reason)
    step.the_task.receipt_late = False
