"""Which measure, report or review a process instance works for: its business key names the measure."""
from __future__ import annotations

from sqlalchemy import select

from engine.store.models import Measure, MeasureReport
from engine.workflow.step import Step

REPORT_PROCESS = "measure_report"
REVIEW_PROCESS = "measure_review"
PROCESSES = (REPORT_PROCESS, REVIEW_PROCESS)
KEY_PREFIX = "QH"


def business_key(measure_id: int, period: str) -> str:
    """QH12:2026-Q3 — the measure and the period (or year) an instance is for."""
    return f"{KEY_PREFIX}{measure_id}:{period}"


def key_prefix(measure_id: int) -> str:
    return f"{KEY_PREFIX}{measure_id}:"


def measure_id_of(key: str) -> int | None:
    head, _, _ = key.partition(":")
    if not head.startswith(KEY_PREFIX) or not head[len(KEY_PREFIX):].isdigit():
        return None
    return int(head[len(KEY_PREFIX):])


def measure_of(step: Step) -> Measure:
    instance = step.the_instance
    measure_id = measure_id_of(instance.business_key) if instance.process_id in PROCESSES else None
    measure = step.session.get(Measure, measure_id) if measure_id is not None else None
    if measure is None:
        raise LookupError(f"no measure for instance {instance.id}")
    return measure


def lead_unit_of(step: Step) -> int | None:
    """The unit a measure instance's step is for (the measure's lead unit), else None."""
    instance = step.instance
    if instance is None or instance.process_id not in PROCESSES:
        return None
    measure_id = measure_id_of(instance.business_key)
    return step.session.scalar(select(Measure.lead_unit_id).where(Measure.id == measure_id))


def report_of(step: Step) -> MeasureReport | None:
    return step.session.scalar(select(MeasureReport).where(MeasureReport.instance_id == step.the_instance.id))
