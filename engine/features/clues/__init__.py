"""问题线索: problem clues handed down (e.g. by the inspection team), investigated by the discipline commission.

A clue is registered by the office (source, content, related tasks and units), then runs the
BPMN process `clue` (workflows/clue.bpmn): investigated → responsibility determined → decision
recorded → closed with feedback to the source. Only roles with `clue.view` see clues.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.clues.forms import HANDLERS
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
