"""签收 and 退办/改派: after 交办 the lead unit and each cooperating unit acknowledge the task within a number of
working days (workflows/receipt.bpmn, one instance per unit), or return it with reasons; the coordinator gives a
returned task to another unit, which starts at 签收, or refuses the return. A receipt period passed without 签收
turns the task yellow and asks the coordinator to follow it up.

The feature starts on the rectification feature's TaskAssigned and keeps on the task when its lead unit received
it (the ledger's column) and whether a receipt is late (the colour's reason).
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.receipt.actions import end_receipts, mark_receipt_late, route_to_receipt_unit, start_receipts
from engine.features.receipt.forms import HANDLERS
from engine.features.rectification.events import TaskAssigned, TaskClosed
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_actions({"mark_receipt_late": mark_receipt_late})
    registry.on_saved(route_to_receipt_unit)
    registry.subscribe(TaskAssigned, start_receipts)
    registry.subscribe(TaskClosed, end_receipts)
