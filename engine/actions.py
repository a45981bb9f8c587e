"""Named actions: the Python work a BPMN service task asks for (duban:action="...")."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from engine.models import InstanceStatus, ProcessInstance
from engine.periods import next_period, period_of
from engine.step import Step

MONTHLY_REPORT_PROCESS = "monthly_report"

Action = Callable[[Step, dict[str, Any]], dict[str, Any] | None]


def start_monthly_reporting(step: Step, data: dict[str, Any]) -> None:
    """The plan is filed: the unit now reports every month, starting with this one."""
    request_report(step, period_of(step.today))


def request_next_report(step: Step, data: dict[str, Any]) -> None:
    """A new month has begun: ask for its report unless the task is finished."""
    if step.the_task.status.is_reporting():
        request_report(step, next_period(data["period"]))


def request_report(step: Step, period: str) -> None:
    already = step.session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.task_id == step.the_task.id, ProcessInstance.process_id == MONTHLY_REPORT_PROCESS,
        ProcessInstance.business_key == period))
    if already is None:
        step.processes.start(step, MONTHLY_REPORT_PROCESS, {"period": period}, business_key=period)


def close_task(step: Step, data: dict[str, Any]) -> None:
    """销号: the task is done; its running monthly-report cycles end with it."""
    step.the_task.closed_at = step.now
    children = step.session.scalars(select(ProcessInstance).where(
        ProcessInstance.task_id == step.the_task.id, ProcessInstance.id != step.the_instance.id,
        ProcessInstance.status == InstanceStatus.RUNNING))
    for child in children:
        step.processes.cancel(step, child, "任务已销号")


ACTIONS: dict[str, Action] = {
    "start_monthly_reporting": start_monthly_reporting,
    "request_next_report": request_next_report,
    "close_task": close_task,
}
