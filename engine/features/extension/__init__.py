"""延期申请: the lead unit asks for a later deadline with reasons and evidence before the deadline passes
(workflows/extension.bpmn); the supervision group reviews; the lead leader approves, sets another date or refuses.
A task may be extended a number of times (Settings.extensions_per_task); a request beyond them goes to the leading
group's head. An extension moves the task's deadline and restarts its deadline timers (the rectification feature's
deadline_watch), and is counted on the task.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.extension.forms import HANDLERS
from engine.features.extension.requests import group_head
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_assignee("group_head", group_head)
