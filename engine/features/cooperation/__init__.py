"""会办: each month a task's report is requested, each of its cooperating units is asked for its contribution
(what it did this month), due some days before the lead unit's report (workflows/cooperation.bpmn). The lead
unit sees the contributions in its report form; a missing one is shown to the lead unit and the supervision
group and counts against the cooperating unit's colour (rectification/warnings.py, cooperation_colour).
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.cooperation.forms import (
    ACTIONS,
    COOPERATION_PROCESS,
    HANDLERS,
    contributing_unit,
    report_with_contributions,
    request_contributions,
)
from engine.features.rectification.actions import running_companions
from engine.features.rectification.events import ReportRequested, ReportSubmitted, TaskClosed
from engine.workflow.registry import IdOf, Registry
from engine.workflow.step import Step


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_actions(ACTIONS)
    registry.subscribe(ReportRequested, request_contributions)
    registry.subscribe(ReportSubmitted, report_with_contributions)
    registry.subscribe(TaskClosed, withdraw_requests)
    registry.route_unit_work(_contributing_unit_first(registry.work_unit))


def withdraw_requests(step: Step, event: TaskClosed) -> None:
    """销号: the contributions still asked of the cooperating units are no longer owed."""
    for instance in running_companions(step, (COOPERATION_PROCESS,)):
        step.processes.cancel(step, instance, event.reason)


def _contributing_unit_first(routed: IdOf) -> IdOf:
    """A contribution is the cooperating unit's to give; any other step goes where it went."""
    def unit_of(step: Step) -> int | None:
        unit_id = contributing_unit(step)
        return routed(step) if unit_id is None else unit_id

    return unit_of
