"""领导批示: a leader writes an instruction on one task or several at once, with a date by which the units must
answer; each lead unit's answer goes back to the leader, who closes it or asks again (workflows/instruction.bpmn).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.core.clock import Clock, local_today
from engine.core.settings import Settings
from engine.core.workdays import add_working_days
from engine.features.instructions.forms import ACTIONS, HANDLERS, instruction_leader
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_actions(ACTIONS)
    registry.add_assignee("instruction_leader", instruction_leader)
    registry.add_functions(expression_functions(clock, settings))


def expression_functions(clock: Clock, settings: Settings) -> dict[str, Callable[..., Any]]:
    def instruction_read_due() -> str:
        return add_working_days(local_today(clock), settings.instruction_read_working_days).isoformat()

    return {"instruction_read_due": instruction_read_due}
