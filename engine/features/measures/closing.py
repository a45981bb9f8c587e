"""Closing a round's measures: their running reports and reviews end, reports still owed are cancelled."""
from __future__ import annotations

from sqlalchemy import select

from engine.core.statuses import MeasureReportStatus, MeasureStatus
from engine.features.measures.records import PROCESSES, key_prefix
from engine.store.models import InstanceStatus, Measure, MeasureReport, ProcessInstance
from engine.workflow.step import Step

OPEN_REPORTS = (MeasureReportStatus.REQUESTED, MeasureReportStatus.SUBMITTED, MeasureReportStatus.RETURNED)


def close_measures(step: Step, round_id: int, note: str) -> int:
    """Close every active measure of the round; how many were closed."""
    measures = list(step.session.scalars(select(Measure).where(
        Measure.round_id == round_id, Measure.status == MeasureStatus.ACTIVE).order_by(Measure.number)))
    for measure in measures:
        close_one(step, measure, note)
    return len(measures)


def close_one(step: Step, measure: Measure, note: str) -> None:
    measure.status, measure.closed_at, measure.closing_note = MeasureStatus.CLOSED, step.now, note
    for report in step.session.scalars(select(MeasureReport).where(
            MeasureReport.measure_id == measure.id, MeasureReport.status.in_(OPEN_REPORTS))):
        report.status = MeasureReportStatus.CANCELLED
    running = step.session.scalars(select(ProcessInstance).where(
        ProcessInstance.process_id.in_(PROCESSES), ProcessInstance.status == InstanceStatus.RUNNING,
        ProcessInstance.business_key.startswith(key_prefix(measure.id))).order_by(ProcessInstance.id))
    for instance in list(running):
        step.processes.cancel(step, instance, "强化措施已结束")
    step.audit("measure.closed", ("measure", measure.id), f"强化措施 {measure.code} 结束：{note}",
               before={"status": MeasureStatus.ACTIVE.value}, after={"status": MeasureStatus.CLOSED.value})
