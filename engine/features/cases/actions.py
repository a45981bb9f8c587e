"""A complaint case's process (workflows/complaint_case.bpmn): starting it for a case, giving its unit's steps to
the case's unit, the deadline colours, and the reminder when a report is late."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import select, update

from engine.core.settings import Settings
from engine.core.statuses import WarningLevel
from engine.core.text import N_
from engine.core.workdays import add_working_days
from engine.features.notifications.notices import notify
from engine.store.models import ComplaintCase, HumanTask, HumanTaskStatus, Unit
from engine.workflow.step import Step

CASE_PROCESS = "complaint_case"
UNIT_ROLES = ("unit_staff", "unit_head")


def start_case(step: Step, case: ComplaintCase) -> None:
    start_cases(step, [case])


def start_cases(step: Step, cases: Sequence[ComplaintCase]) -> None:
    """转办: each case goes to its unit, which signs for it, then investigates and reports by its report date."""
    sign_due = add_working_days(step.today, step.settings.case_sign_working_days).isoformat()
    instances = step.processes.start_many(step, CASE_PROCESS, [(_case_data(step, case, sign_due), case.number)
                                                                    for case in cases])
    for case, instance in zip(cases, instances, strict=True):
        case.instance_id = instance.id


def _case_data(step: Step, case: ComplaintCase, sign_due: str) -> dict[str, object]:
    # a case handed down late (its report date already past) gives its unit the days all the same
    escalate_on = add_working_days(max(case.report_due, step.today), step.settings.case_escalation_working_days)
    return {"case_id": case.id, "unit_id": case.unit_id, "case_sign_due": sign_due,
            "case_report_due": case.report_due.isoformat(), "case_escalate_on": escalate_on.isoformat()}


def route_to_case_unit(step: Step, workflow: BpmnWorkflow) -> None:
    """A case's steps for a unit go to the unit the case is handed to (the runtime knows only tasks' units): the work
    this save opened (the last of `step.opened`) before it is written."""
    instance = step.the_instance
    if instance.process_id != CASE_PROCESS:
        return
    case = step.session.get(ComplaintCase, workflow.task_tree.data["case_id"])
    unit_id = case.unit_id if case is not None else workflow.task_tree.data.get("unit_id")
    for work in reversed(step.opened):
        if work.instance_id != instance.id:
            break
        if work.role in UNIT_ROLES:
            work.unit_id = unit_id


def reroute_open_work(step: Step, case: ComplaintCase) -> None:
    """改派: the unit work of the case still open goes to the case's new unit."""
    step.session.execute(update(HumanTask).where(
        HumanTask.instance_id == step.the_instance.id, HumanTask.status == HumanTaskStatus.OPEN,
        HumanTask.role.in_(UNIT_ROLES), HumanTask.unit_id.is_distinct_from(case.unit_id))
        .values(unit_id=case.unit_id))


def case_of(step: Step) -> ComplaintCase:
    case = step.session.scalar(select(ComplaintCase).where(ComplaintCase.instance_id == step.the_instance.id))
    if case is None:
        raise LookupError(f"no complaint case for instance {step.the_instance.id}")
    return case


def unit_name(step: Step, unit_id: int) -> str:
    return step.session.get_one(Unit, unit_id).name


def remind_case_overdue(step: Step, data: dict[str, Any]) -> None:
    """The report date passed: the unit and the coordination group are told (the case is red on every page). It may
    pass as the case is handed down (a late batch), before the case knows its instance: read by its id."""
    case = step.session.get_one(ComplaintCase, data["case_id"])
    if not case.status.is_open():
        return
    step.audit("case.overdue", ("complaint_case", case.id),
               f"信访件 {case.number} 逾期未报告办理结果（{case.report_due}）",
               after={"case_report_due": case.report_due.isoformat()})
    text = N_("信访件 %(number)s 已逾期（报告时限 %(due)s），请尽快报告办理结果", number=case.number,
              due=case.report_due)
    for role in UNIT_ROLES:
        notify(step, role, "case_overdue", text, unit_id=case.unit_id)
    notify(step, "coordinator", "case_overdue", text)


def yellow_until(today: date, settings: Settings) -> date:
    """A case whose report is due on or before this day (and not yet past) is yellow."""
    return add_working_days(today, settings.case_warning_working_days)


def colour(case: ComplaintCase, today: date, settings: Settings) -> WarningLevel:
    """预警 of a case, as of a task: red when its report date has passed, yellow when it is near, else green."""
    if not case.status.is_open():
        return WarningLevel.GREEN
    if case.report_due < today:
        return WarningLevel.RED
    if case.report_due <= yellow_until(today, settings):
        return WarningLevel.YELLOW
    return WarningLevel.GREEN
