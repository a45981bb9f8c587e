"""Named actions of workflows/measure.bpmn: a period's report requested, reminded, marked overdue; a year's review
opened. Each cycle starts the next one while the measure is active."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.core.statuses import MeasureReportStatus
from engine.core.text import N_
from engine.features.measures import periods
from engine.features.measures.records import (
    REPORT_PROCESS,
    REVIEW_PROCESS,
    business_key,
    measure_of,
    report_of,
)
from engine.features.notifications.notices import notify
from engine.store.models import InstanceStatus, Measure, MeasureReport, ProcessInstance
from engine.workflow.registry import Action
from engine.workflow.step import Step

UNIT_ROLES = ("unit_staff", "unit_head")


def start_cycles(step: Step, measure: Measure) -> None:
    """A measure starts reporting with the period it was registered in and is reviewed in its first year."""
    request_report(step, measure, periods.period_of(step.today, measure.period_kind))
    open_year(step, measure, step.today.year)


def request_report(step: Step, measure: Measure, period: str) -> None:
    if not _live(step, REPORT_PROCESS, business_key(measure.id, period)):
        step.processes.start(step, REPORT_PROCESS, {"period": period}, business_key=business_key(measure.id, period))


def open_year(step: Step, measure: Measure, year: int) -> None:
    key = business_key(measure.id, str(year))
    if not _live(step, REVIEW_PROCESS, key):
        step.processes.start(step, REVIEW_PROCESS, {"year": year}, business_key=key)


def _live(step: Step, process_id: str, key: str) -> bool:
    return step.session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.process_id == process_id, ProcessInstance.business_key == key,
        ProcessInstance.status != InstanceStatus.CANCELLED).limit(1)) is not None


def tell_unit(step: Step, measure: Measure, kind: str, text: str) -> None:
    for role in UNIT_ROLES:
        notify(step, role, kind, text, unit_id=measure.lead_unit_id)


def open_measure_report(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The period is over: the lead unit owes its report, and the next period's cycle begins."""
    measure, period = measure_of(step), data["period"]
    due = periods.report_due(period, step.settings.measure_report_day)
    report = MeasureReport(measure_id=measure.id, instance_id=step.the_instance.id, period=period,
                           status=MeasureReportStatus.REQUESTED, requested_at=step.now, due_date=due)
    step.session.add(report)
    step.session.flush()
    label = periods.period_label(period)
    step.audit("measure_report.requested", ("measure_report", report.id),
               f"强化措施 {measure.code} 发起{label}工作报告，{due} 前报送")
    if measure.status.is_active():
        request_report(step, measure, periods.next_period(period))
    tell_unit(step, measure, "report_requested", N_("强化措施 %(code)s 请于 %(due)s 前报送%(period)s工作报告",
                                                    code=measure.code, due=due, period=periods.period_text(period)))
    return {"due": due.isoformat()}


def this_report(step: Step) -> MeasureReport:
    report = report_of(step)
    if report is None:
        raise LookupError(f"no measure report for instance {step.the_instance.id}")
    return report


def remind_measure_report(step: Step, data: dict[str, Any]) -> None:
    report = this_report(step)
    if not report.status.awaits_unit():
        return
    report.reminded_at = step.now
    step.audit("measure_report.reminded", ("measure_report", report.id),
               f"提醒：{periods.period_label(report.period)}工作报告将于 {report.due_date} 到期")
    tell_unit(step, report.measure, "report_reminder", N_("强化措施 %(code)s 工作报告将于 %(due)s 到期，请抓紧报送",
                                                          code=report.measure.code, due=report.due_date))


def mark_measure_report_overdue(step: Step, data: dict[str, Any]) -> None:
    report = this_report(step)
    if not report.status.awaits_unit() or report.submitted_at is not None:
        return
    report.overdue = True
    step.audit("measure_report.overdue", ("measure_report", report.id),
               f"强化措施 {report.measure.code} {periods.period_label(report.period)}工作报告逾期未报"
               f"（报送期限 {report.due_date}）")
    tell_unit(step, report.measure, "report_overdue", N_("强化措施 %(code)s 工作报告已逾期，请立即报送",
                                                         code=report.measure.code))
    notify(step, "supervisor", "report_overdue", N_("强化措施 %(code)s 工作报告逾期未报（报送期限 %(due)s）",
                                                    code=report.measure.code, due=report.due_date))


def open_measure_review(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The year's review (年度评估) is open for the supervision group; next year's is scheduled."""
    measure, year = measure_of(step), int(data["year"])
    due = date(year, step.settings.measure_review_month, 1) + timedelta(days=step.settings.measure_review_days)
    step.audit("measure_review.opened", ("measure", measure.id), f"强化措施 {measure.code} 开展{year}年度评估")
    if measure.status.is_active():
        open_year(step, measure, year + 1)
    return {"assessment_due": due.isoformat()}


def review_opens(month: int, year: int) -> str:
    return date(year, month, 1).isoformat()


ACTIONS: dict[str, Action] = {
    "open_measure_report": open_measure_report,
    "remind_measure_report": remind_measure_report,
    "mark_measure_report_overdue": mark_measure_report_overdue,
    "open_measure_review": open_measure_review,
}
