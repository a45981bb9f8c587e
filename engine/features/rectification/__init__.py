"""整改任务: a rectification task's life (workflows/rectification.bpmn) — registration and 交办, the
implementation plan, the monthly report cycle (按月交账), the deadline and the warning colours.

Its events (events.py) tell other features when a task's work slips or the task is closed.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.core.statuses import TaskStatus
from engine.features.rectification.actions import ACTIONS
from engine.features.rectification.forms import HANDLERS
from engine.features.rectification.lifecycle import sync_status
from engine.features.rectification.schedule import expression_functions
from engine.features.rectification.warnings import settle_colours
from engine.store.database import Session
from engine.store.models import RectificationTask
from engine.workflow.registry import Registry
from engine.workflow.step import Step


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_actions(ACTIONS)
    registry.may_run_again(["start_monthly_reporting"])  # it starts the month's report cycle only if none is live
    registry.add_forms(HANDLERS)
    registry.add_functions(expression_functions(clock, settings))
    registry.add_statuses([status.value for status in TaskStatus])
    registry.add_assignee("lead_leader", lead_leader)
    registry.route_unit_work(lead_unit)
    registry.read_tasks_with(tasks_by_id)
    registry.on_saved(sync_status)
    registry.on_settle(settle_colours)


def lead_leader(step: Step) -> int | None:
    return step.task.lead_leader_id if step.task is not None else None


def lead_unit(step: Step) -> int | None:
    """A unit's steps of a task go to the task's lead unit."""
    return step.task.lead_unit_id if step.task is not None else None


def tasks_by_id(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """The tasks of a sweep's batch, with the units a fired timer names (a report requested of the lead unit asks
    each cooperating unit for its part): one read for the batch, not one for each task."""
    if not ids:
        return {}
    query = (select(RectificationTask).options(joinedload(RectificationTask.lead_unit),
                                               selectinload(RectificationTask.cooperating_units))
             .where(RectificationTask.id.in_(ids)))
    return {task.id: task for task in session.scalars(query)}
