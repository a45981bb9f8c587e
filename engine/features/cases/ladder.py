"""A complaint case on the escalation ladder (通报 → 约谈 → 曝光 → 追责), as a task is: a result still not reported
Settings.case_escalation_working_days after the report date (a timer of workflows/complaint_case.bpmn), or returned
Settings.case_escalation_returns times, opens an escalation proposal for the supervision group (or is recorded on
the open one); an accepted result withdraws a proposal nobody has made yet."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.core.statuses import EscalationTriggerKind
from engine.features.escalation.triggers import case_subject, raise_on, withdraw_unproposed_of
from engine.store.models import AuditEvent, ComplaintCase
from engine.workflow.step import Step

#: the audit action of a result returned to the unit (cases/forms.py), counted for the ladder
SENT_BACK = "case.sent_back"


def escalate_overdue_case(step: Step, data: dict[str, Any]) -> None:
    """The case's result is still not in, days after its report date: it goes up the ladder."""
    case = step.session.get_one(ComplaintCase, data["case_id"])
    if not case.status.is_open():
        return
    late = (step.today - case.report_due).days
    raise_on(step, case_subject(case), EscalationTriggerKind.CASE_OVERDUE,
             f"信访件 {case.batch.title}-{case.number}（{case.unit.name}）办理结果应于 {case.report_due} 前报告，"
             f"已逾期 {late} 天仍未报告")


def escalate_when_returned_again(step: Step, case: ComplaintCase, comment: str) -> None:
    """The result was returned once more: at the configured number of returns (and each one after) it goes up the
    ladder. This return's audit event is not written yet (the trail is written at commit): it counts as one."""
    returns = 1 + (step.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "complaint_case", AuditEvent.object_id == str(case.id),
        AuditEvent.action == SENT_BACK)) or 0)
    if returns < step.settings.case_escalation_returns:
        return
    raise_on(step, case_subject(case), EscalationTriggerKind.CASE_RETURNED,
             f"信访件 {case.batch.title}-{case.number}（{case.unit.name}）办理结果第 {returns} 次被退回：{comment}")


def withdraw_when_accepted(step: Step, case: ComplaintCase) -> None:
    withdraw_unproposed_of(step, case_subject(case), f"信访件 {case.number} 办理结果已审核通过")
