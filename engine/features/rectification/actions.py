"""Named actions: the Python work a BPMN service task asks for (duban:action="...")."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine.core.periods import PERIOD_PATTERN, next_period, period_label, period_of, report_due_date
from engine.features.escalation.actions import ESCALATION_ACTIONS
from engine.features.escalation.triggers import ESCALATION_PROCESS, raise_trigger, withdraw_unproposed
from engine.store.database import insert_row, write_loaded
from engine.store.models import (
    EscalationTriggerKind,
    InstanceStatus,
    Objection,
    ProcessInstance,
    ProgressReport,
    ReportStatus,
    SignoffApplication,
    SignoffNotice,
    SignoffStatus,
)
from engine.workflow.notices import notify, notify_unit
from engine.workflow.step import Step

MONTHLY_REPORT_PROCESS = "monthly_report"
DEADLINE_WATCH_PROCESS = "deadline_watch"

Action = Callable[[Step, dict[str, Any]], dict[str, Any] | None]
#: the live report cycles of some tasks and periods; the report a cycle's instance asks for (built once: every
#: sweep runs them)
LIVE_REPORT_CYCLES = select(ProcessInstance.task_id, ProcessInstance.business_key).where(
    ProcessInstance.task_id.in_(bindparam("task_ids", expanding=True)),
    ProcessInstance.business_key.in_(bindparam("periods", expanding=True)),
    ProcessInstance.process_id == MONTHLY_REPORT_PROCESS, ProcessInstance.status != InstanceStatus.CANCELLED)
#: whether a task's report cycle of a period is live, by (task id, period), as known in this transaction (a session)
_CYCLES_KNOWN = "duban.report_cycles_known"
REPORT_OF_INSTANCE = select(ProgressReport).where(ProgressReport.instance_id == bindparam("instance_id"))


# --- the monthly report cycle (按月交账) ------------------------------------------------------------

def start_monthly_reporting(step: Step, data: dict[str, Any]) -> None:
    """The plan is filed: from now on the unit reports every month, starting with this one."""
    request_report(step, period_of(step.today))


def request_report(step: Step, period: str) -> None:
    """Start the task's report cycle of the period, unless it has a live one."""
    key = (step.the_task.id, period)
    known = _cycles_known(step.session, {key})
    if not known[key]:
        step.processes.start(step, MONTHLY_REPORT_PROCESS, {"period": period}, business_key=period)
        known[key] = True


def know_report_cycles(session: Session, instances: Sequence[ProcessInstance]) -> None:
    """Read at once whether the cycles a sweep's batch may start are live already: a monthly report instance whose
    month is over asks for the next month's (open_report). request_report then finds the answer known, where it
    would read it for each instance."""
    _cycles_known(session, {(instance.task_id, next_period(instance.business_key)) for instance in instances
                            if instance.process_id == MONTHLY_REPORT_PROCESS and instance.task_id is not None
                            and PERIOD_PATTERN.match(instance.business_key)})  # another key: its firing reads


def _cycles_known(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], bool]:
    """Whether each (task id, period) has a live report cycle, as known in this transaction: those not known yet
    are read, in one query."""
    known: dict[tuple[int, str], bool] = session.info.setdefault(_CYCLES_KNOWN, {})
    unknown = keys - known.keys()
    if unknown:
        rows = session.execute(LIVE_REPORT_CYCLES, {"task_ids": sorted({task_id for task_id, _ in unknown}),
                                                    "periods": sorted({period for _, period in unknown})})
        live = {(task_id, period) for task_id, period in rows}
        known.update({key: key in live for key in unknown})
    return known


def forget_report_cycles(session: Session) -> None:
    """An instance was cancelled: what was known of live cycles may no longer hold."""
    session.info.pop(_CYCLES_KNOWN, None)


def open_report(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The period is over: the unit now owes its report, due on the report day of next month,
    and the cycle of the period that has just begun is started.

    The due day is the rule's, whenever the request goes out: units know the monthly schedule,
    and a request held up by an outage does not move their deadline.
    """
    period = data["period"]
    due = report_due_date(period, step.settings.report_day)
    report_id = insert_row(step.session, ProgressReport.__table__, {
        "task_id": step.the_task.id, "instance_id": step.the_instance.id, "period": period,
        "status": ReportStatus.REQUESTED, "requested_at": step.now, "due_date": due})
    step.audit("report.requested", ("report", report_id), f"发起{period_label(period)}月度交账，{due} 前报送")
    notify_unit(step, "report_requested", f"{step.the_task.code} 请于 {due} 前报送{period_label(period)}月度进展")
    if step.the_task.status.is_reporting():
        request_report(step, next_period(period))
    return {"due": due.isoformat()}


def report_of_instance(step: Step) -> ProgressReport | None:
    """The report of the step's monthly report cycle: as loaded with its instance (a step's work item, a sweep's
    batch), or read now when it was not there then (requested since, in this transaction)."""
    instance = step.the_instance
    return instance.report or step.session.scalar(REPORT_OF_INSTANCE, {"instance_id": instance.id})


def this_report(step: Step) -> ProgressReport:
    report = report_of_instance(step)
    if report is None:
        raise LookupError(f"no report for instance {step.the_instance.id}")
    return report


def remind_report(step: Step, data: dict[str, Any]) -> None:
    report = this_report(step)
    if report.submitted_at is not None or report.status.is_final():
        return
    write_loaded(step.session, report, {"reminded_at": step.now})
    text = f"{step.the_task.code} {period_label(report.period)}月度进展将于 {report.due_date} 到期，请抓紧报送"
    step.audit("report.reminded", ("report", report.id), f"提醒：{period_label(report.period)}月度进展将于 "
                                                        f"{report.due_date} 到期")
    notify_unit(step, "report_reminder", text)


def mark_report_overdue(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The due day has passed: 逾期未报 unless the unit head has sent it up; ask the supervisor to chase."""
    report = this_report(step)
    if report.submitted_at is not None or report.status.is_final():
        return {"chase": False}
    write_loaded(step.session, report, {"overdue": True})
    step.audit("report.overdue", ("report", report.id),
               f"{period_label(report.period)}月度进展逾期未报（报送期限 {report.due_date}）")
    notify_unit(step, "report_overdue", f"{step.the_task.code} {period_label(report.period)}月度进展已逾期，请立即报送")
    raise_trigger(step, EscalationTriggerKind.REPORT_OVERDUE,
                  f"{period_label(report.period)}月度进展逾期未报（报送期限 {report.due_date}）")
    return {"chase": True}


# --- the deadline (整改时限) -------------------------------------------------------------------------

def start_deadline_watch(step: Step, data: dict[str, Any]) -> None:
    task = step.the_task
    deadline = task.deadline.isoformat() if task.deadline and task.deadline_kind.has_date() else None
    step.processes.start(step, DEADLINE_WATCH_PROCESS, {"deadline": deadline}, business_key=deadline or "")


def restart_deadline_watch(step: Step) -> None:
    """The deadline was changed at 交办: the old timers go, new ones count to the new deadline."""
    running = step.session.scalars(select(ProcessInstance).where(
        ProcessInstance.task_id == step.the_task.id, ProcessInstance.process_id == DEADLINE_WATCH_PROCESS,
        ProcessInstance.status == InstanceStatus.RUNNING))
    for instance in running:
        step.processes.cancel(step, instance, "整改时限已改定")
    start_deadline_watch(step, {})


def mark_deadline_near(step: Step, data: dict[str, Any]) -> None:
    step.audit("task.deadline_near", ("task", step.the_task.id),
               f"临期预警：距整改时限（{data['deadline']}）不足 {step.settings.deadline_warning_days} 天")
    notify_unit(step, "deadline_near", f"{step.the_task.code} 距整改时限（{data['deadline']}）不足 "
                                       f"{step.settings.deadline_warning_days} 天")


def mark_deadline_passed(step: Step, data: dict[str, Any]) -> None:
    step.audit("task.deadline_passed", ("task", step.the_task.id), f"超期预警：已超过整改时限（{data['deadline']}）")
    notify_unit(step, "deadline_passed", f"{step.the_task.code} 已超过整改时限（{data['deadline']}），尚未销号")
    notify(step, "supervisor", "deadline_passed", f"{step.the_task.code} 已超过整改时限（{data['deadline']}），请督办")
    raise_trigger(step, EscalationTriggerKind.DEADLINE_PASSED, f"已超过整改时限（{data['deadline']}），尚未销号")


# --- sign-off (销号) -----------------------------------------------------------------------------

def close_notice(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """公示期满: no more objections; each one filed must now be answered before sign-off goes on."""
    notice = step.session.scalar(select(SignoffNotice).where(SignoffNotice.task_id == step.the_task.id)
                                 .order_by(SignoffNotice.id.desc()).limit(1))
    if notice is None:
        raise LookupError(f"task {step.the_task.id} has no sign-off notice to close")
    notice.closed_at = step.now
    objections = step.session.scalar(select(func.count(Objection.id)).where(Objection.notice_id == notice.id)) or 0
    step.audit("signoff.notice_closed", ("notice", notice.id),
               f"公示期满（{notice.start_date} 至 {notice.end_date}），收到异议 {objections} 件")
    if objections == 0:
        step.session.get_one(SignoffApplication, notice.signoff_id).status = SignoffStatus.NOTICE_DONE
    return {"objections": objections}


def close_task(step: Step, data: dict[str, Any]) -> None:
    """销号: the task is done; its report cycles and deadline timers end with it, and so does an escalation
    nobody has proposed yet (approved ones go on, see withdraw_unproposed)."""
    task = step.the_task
    task.closed_at = step.now
    children = step.session.scalars(select(ProcessInstance).where(
        ProcessInstance.task_id == task.id, ProcessInstance.id != step.the_instance.id,
        ProcessInstance.process_id != ESCALATION_PROCESS, ProcessInstance.status == InstanceStatus.RUNNING))
    for child in children:
        step.processes.cancel(step, child, "任务已销号")
    withdraw_unproposed(step, "任务已销号，不再提出问责")
    finished = (ReportStatus.ACCEPTED, ReportStatus.CANCELLED)
    pending = step.session.scalars(select(ProgressReport).where(
        ProgressReport.task_id == task.id, ProgressReport.status.not_in(finished)))
    for report in pending:
        report.status = ReportStatus.CANCELLED


ACTIONS: dict[str, Action] = {
    "start_monthly_reporting": start_monthly_reporting,
    "open_report": open_report,
    "remind_report": remind_report,
    "mark_report_overdue": mark_report_overdue,
    "start_deadline_watch": start_deadline_watch,
    "mark_deadline_near": mark_deadline_near,
    "mark_deadline_passed": mark_deadline_passed,
    "close_notice": close_notice,
    "close_task": close_task,
    **ESCALATION_ACTIONS,
}
