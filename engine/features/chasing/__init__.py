"""催办: the coordination or supervision group chases a unit on an open step with a message and a reply date
(workflows/chase.bpmn); the unit's inbox shows the chase on top, and a chase left unanswered is counted in the
unit's record.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.chasing.forms import ACTIONS, CHASE_PROCESS, HANDLERS, chased_unit
from engine.features.rectification.actions import running_companions
from engine.features.rectification.events import TaskClosed
from engine.workflow.registry import IdOf, Registry
from engine.workflow.step import Step


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_actions(ACTIONS)
    registry.route_unit_work(_chased_unit_first(registry.work_unit))
    registry.subscribe(TaskClosed, withdraw_chases)


def withdraw_chases(step: Step, event: TaskClosed) -> None:
    """销号: a chase still awaiting its reply is moot."""
    for instance in running_companions(step, (CHASE_PROCESS,)):
        step.processes.cancel(step, instance, event.reason)


def _chased_unit_first(routed: IdOf) -> IdOf:
    """A chase's reply is the chased unit's (which may be a cooperating one); any other step goes where it went."""
    def unit_of(step: Step) -> int | None:
        unit_id = chased_unit(step)
        return unit_id if unit_id is not None else routed(step)

    return unit_of
