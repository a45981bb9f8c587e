"""销号: a task is closed only after its unit applies with evidence, the supervisor verifies it against the
acceptance standards, the public has N working days to object (公示), and the lead leader approves."""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.signoff.actions import ACTIONS
from engine.features.signoff.forms import HANDLERS
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_actions(ACTIONS)
    registry.add_forms(HANDLERS)
