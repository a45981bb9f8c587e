"""强化措施: a round's strengthening measures (举一反三) — long-term work of a lead unit, reported each period
(workflows/measure.bpmn, process `measure_report`: the unit reports, the supervision group accepts or returns it)
and reviewed once a year (process `measure_review`: 成效明显 / 有序推进 / 推进滞后), until the office closes the
round's measures. There is no sign-off deadline; the colours come from the reports owed and the last review.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.measures import periods
from engine.features.measures.actions import ACTIONS, review_opens
from engine.features.measures.forms import HANDLERS
from engine.features.measures.records import lead_unit_of
from engine.workflow.expressions import add_days
from engine.workflow.registry import IdOf, Registry
from engine.workflow.step import Step


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_actions(ACTIONS)
    registry.add_functions({
        "measure_period_end": lambda period: periods.next_period_start(period).isoformat(),
        "measure_review_opens": lambda year: review_opens(settings.measure_review_month, int(year)),
        "measure_reminder_day": lambda due: add_days(due, -settings.reminder_days),
    })
    registry.route_unit_work(_lead_unit_first(registry.work_unit))


def _lead_unit_first(routed: IdOf) -> IdOf:
    """A measure's unit steps are its lead unit's; any other step goes where it went."""
    def unit_of(step: Step) -> int | None:
        unit_id = lead_unit_of(step)
        return unit_id if unit_id is not None else routed(step)

    return unit_of
