"""Named actions of workflows/rectification.bpmn: the Python work its service tasks ask for (duban:action)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from engine.core.periods import next_period, period_label, period_of, period_text, report_due_date
from engine.core.statuses import ReportStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.features.notifications.notices import notify
from engine.features.rectification.events import ReportRequested, TaskClosed, TaskSlipped
from engine.features.rectification.notices import notify_unit, settle_deadline_warnings
from engine.store.models import InstanceStatus, ProcessInstance, ProgressReport
from engine.workflow.registry import Action
from engine.workflow.step import Step

MAIN_PROCESS = "rectification"
MONTHLY_REPORT_PROCESS = "monthly_report"
DEADLINE_WATCH_PROCESS = "deadline_watch"
#: the processes that run beside a task's main process, and end with it
COMPANION_PROCESSES = (MONTHLY_REPORT_PROCESS, DEADLINE_WATCH_PROCESS)


# --- the monthly report cycle (按月交账) ------------------------------------------------------------

def start_monthly_reporting(step: Step, data: dict[str, Any]) -> None:
    """The plan is filed: from now on the unit reports every month, starting with this one."""
    request_report(step, period_of(step.today))


def request_report(step: Step, period: str) -> None:
    """Start the task's report cycle of the period, unless it has a live one."""
    live = step.session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.task_id == step.the_task.id, ProcessInstance.business_key == period,
        ProcessInstance.process_id == MONTHLY_REPORT_PROCESS, ProcessInstance.status != InstanceStatus.CANCELLED)
        .limit(1))
    if live is None:
        step.processes.start(step, MONTHLY_REPORT_PROCESS, {"period": period}, business_key=period)


def open_report(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The period is over: the unit now owes its report, due on the report day of next month,
    and the cycle of the period that has just begun is started.

    The due day is the rule's, whenever the request goes out: units know the monthly schedule,
    and a request held up by an outage does not move their deadline.
    """
    period = data["period"]
    due = report_due_date(period, step.settings.report_day)
    report = ProgressReport(task_id=step.the_task.id, instance_id=step.the_instance.id, period=period,
                            status=ReportStatus.REQUESTED, requested_at=step.now, due_date=due)
    step.session.add(report)
    step.session.flush()
    step.audit("report.requested", ("report", report.id),
               f"发起{period_label(period)}月度交账，{chinese_date(due)}前报送")
    if step.the_task.status.is_reporting():
        request_report(step, next_period(period))
    notify_unit(step, "report_requested", N_("%(code)s 请于 %(due)s 前报送%(period)s月度进展",
                                             code=step.the_task.code, due=marked_date(due), period=period_text(period)))
    step.publish(ReportRequested(period, due.isoformat()))
    return {"due": due.isoformat()}


_REPORT_OF_INSTANCE = select(ProgressReport).where(ProgressReport.instance_id == bindparam("instance_id"))


def report_of_instance(step: Step) -> ProgressReport | None:
    """The report of the step's monthly report cycle (none before its month is over)."""
    return step.session.scalar(_REPORT_OF_INSTANCE, {"instance_id": step.the_instance.id})


def this_report(step: Step) -> ProgressReport:
    report = report_of_instance(step)
    if report is None:
        raise LookupError(f"no report for instance {step.the_instance.id}")
    return report


def remind_report(step: Step, data: dict[str, Any]) -> None:
    report = this_report(step)
    if report.submitted_at is not None or report.status.is_final():
        return
    report.reminded_at = step.now
    text = N_("%(code)s %(period)s月度进展将于 %(due)s 到期，请抓紧报送", code=step.the_task.code,
              period=period_text(report.period), due=marked_date(report.due_date))
    step.audit("report.reminded", ("report", report.id), f"提醒：{period_label(report.period)}月度进展将于 "
                                                        f"{chinese_date(report.due_date)}到期")
    notify_unit(step, "report_reminder", text)


def mark_report_overdue(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The due day has passed: 逾期未报 unless the unit head has sent it up. The supervision group gets one item
    for it: the escalation proposal, when the slip opens one (chasing is one of its answers), else 催报."""
    report = this_report(step)
    if report.submitted_at is not None or report.status.is_final():
        return {"chase": False}
    report.overdue = True
    step.audit("report.overdue", ("report", report.id),
               f"{period_label(report.period)}月度进展逾期未报（报送期限 {chinese_date(report.due_date)}）")
    notify_unit(step, "report_overdue", N_("%(code)s %(period)s月度进展已逾期，请立即报送", code=step.the_task.code,
                                            period=period_text(report.period)))
    overdue = f"{period_label(report.period)}月度进展逾期未报（报送期限 {chinese_date(report.due_date)}）"
    proposed = step.publish(TaskSlipped("report_overdue", overdue))
    return {"chase": not proposed}


# --- the deadline (整改时限) -------------------------------------------------------------------------

def start_deadline_watch(step: Step, data: dict[str, Any]) -> None:
    task = step.the_task
    deadline = task.deadline.isoformat() if task.deadline and task.deadline_kind.has_date() else None
    step.processes.start(step, DEADLINE_WATCH_PROCESS, {"deadline": deadline}, business_key=deadline or "")


def restart_deadline_watch(step: Step) -> None:
    """The deadline was changed: the old timers go, new ones count to the new deadline."""
    for instance in running_companions(step, (DEADLINE_WATCH_PROCESS,)):
        step.processes.cancel(step, instance, "整改时限已改定")
    settle_deadline_warnings(step)
    start_deadline_watch(step, {})


def mark_deadline_near(step: Step, data: dict[str, Any]) -> None:
    step.audit("task.deadline_near", ("task", step.the_task.id),
               f"临期预警：距整改时限（{chinese_date(data['deadline'])}）不足 {step.settings.deadline_warning_days} 天")
    notify_unit(step, "deadline_near", N_("%(code)s 距整改时限（%(deadline)s）不足 %(days)s 天",
                                          code=step.the_task.code, deadline=marked_date(data["deadline"]),
                                          days=step.settings.deadline_warning_days))


def mark_deadline_passed(step: Step, data: dict[str, Any]) -> None:
    step.audit("task.deadline_passed", ("task", step.the_task.id),
               f"超期预警：已超过整改时限（{chinese_date(data['deadline'])}）")
    notify_unit(step, "deadline_passed", N_("%(code)s 已超过整改时限（%(deadline)s），尚未销号",
                                            code=step.the_task.code, deadline=marked_date(data["deadline"])))
    notify(step, "supervisor", "deadline_passed", N_("%(code)s 已超过整改时限（%(deadline)s），请督办",
                                                     code=step.the_task.code, deadline=marked_date(data["deadline"])))
    step.publish(TaskSlipped("deadline_passed", f"已超过整改时限（{chinese_date(data['deadline'])}），尚未销号"))


# --- closing -------------------------------------------------------------------------------------

def close_task(step: Step, data: dict[str, Any]) -> None:
    """销号: the task is done; its report cycles and deadline timers end with it, the reports it still owes are
    cancelled, and the features that wait on it are told (an escalation nobody has proposed yet is withdrawn)."""
    task = step.the_task
    task.closed_at = step.now
    for instance in running_companions(step, COMPANION_PROCESSES):
        step.processes.cancel(step, instance, "任务已销号")
    step.publish(TaskClosed("任务已销号，不再提出问责"))
    pending = step.session.scalars(select(ProgressReport).where(
        ProgressReport.task_id == task.id, ProgressReport.status.not_in((ReportStatus.ACCEPTED,
                                                                        ReportStatus.CANCELLED))))
    for report in pending:
        report.status = ReportStatus.CANCELLED


def running_companions(step: Step, processes: tuple[str, ...]) -> list[ProcessInstance]:
    return list(step.session.scalars(select(ProcessInstance).where(
        ProcessInstance.task_id == step.the_task.id, ProcessInstance.process_id.in_(processes),
        ProcessInstance.status == InstanceStatus.RUNNING).order_by(ProcessInstance.id)))


ACTIONS: dict[str, Action] = {
    "start_monthly_reporting": start_monthly_reporting,
    "open_report": open_report,
    "remind_report": remind_report,
    "mark_report_overdue": mark_report_overdue,
    "start_deadline_watch": start_deadline_watch,
    "mark_deadline_near": mark_deadline_near,
    "mark_deadline_passed": mark_deadline_passed,
    "close_task": close_task,
}
