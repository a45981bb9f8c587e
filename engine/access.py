"""Authorization on objects: the second layer, behind the role check on each route."""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from engine.actor import Actor
from engine.errors import NotFound, PermissionDenied
from engine.models import Escalation, HumanTask, RectificationTask, cooperating_units
from engine.roles import RoleModel, Scope
from engine.text import N_


class Access:
    def __init__(self, roles: RoleModel) -> None:
        self.roles = roles

    def require(self, actor: Actor, permission: str) -> None:
        """duban itself (the CLI run by the operator, timers) may; anyone else needs the role's permission."""
        if not actor.is_system() and not self.roles.allows(actor.role, permission):
            raise PermissionDenied(N_("角色无权执行此操作（%(permission)s）", permission=permission))

    def can_view_task(self, actor: Actor, task: RectificationTask) -> bool:
        if not self.roles.allows(actor.role, "task.view"):
            return False
        scope = self.roles.scope(actor.role)
        if scope is Scope.ALL:
            return True
        return scope is Scope.UNIT and actor.unit_id in task.unit_ids()

    def check_view_task(self, actor: Actor, task: RectificationTask | None) -> RectificationTask:
        """Unknown and not-yours look the same from outside: both are 'not found'."""
        if task is None or not self.can_view_task(actor, task):
            raise NotFound(N_("没有找到这项整改任务"))
        return task

    def can_act(self, actor: Actor, human_task: HumanTask) -> bool:
        return (human_task.role == actor.role
                and (human_task.unit_id is None or human_task.unit_id == actor.unit_id)
                and (human_task.assignee_id is None or human_task.assignee_id == actor.user_id))

    def task_filter(self, actor: Actor) -> ColumnElement[bool]:
        """A WHERE clause limiting rectification tasks to what the actor may see."""
        if not self.roles.allows(actor.role, "task.view"):
            return false()
        scope = self.roles.scope(actor.role)
        if scope is Scope.ALL:
            return true()
        if scope is Scope.UNIT and actor.unit_id is not None:
            cooperating = exists(select(cooperating_units.c.task_id).where(
                cooperating_units.c.task_id == RectificationTask.id, cooperating_units.c.unit_id == actor.unit_id))
            return or_(RectificationTask.lead_unit_id == actor.unit_id, cooperating)
        return false()

    def work_filter(self, actor: Actor) -> ColumnElement[bool]:
        """A WHERE clause limiting human tasks to those the actor may do."""
        return (HumanTask.role == actor.role) & or_(HumanTask.unit_id.is_(None), HumanTask.unit_id == actor.unit_id) \
            & or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == actor.user_id)

    # --- escalations and problem clues ----------------------------------------------------

    def escalation_filter(self, actor: Actor) -> ColumnElement[bool]:
        """A WHERE clause limiting escalations to what the actor may see: a unit sees only its own."""
        if not self.roles.allows(actor.role, "escalation.view"):
            return false()
        scope = self.roles.scope(actor.role)
        if scope is Scope.ALL:
            return true()
        if scope is Scope.UNIT and actor.unit_id is not None:
            return Escalation.unit_id == actor.unit_id
        return false()

    def can_view_escalation(self, actor: Actor, escalation: Escalation) -> bool:
        if not self.roles.allows(actor.role, "escalation.view"):
            return False
        scope = self.roles.scope(actor.role)
        return scope is Scope.ALL or (scope is Scope.UNIT and escalation.unit_id == actor.unit_id)

    def check_view_escalation(self, actor: Actor, escalation: Escalation | None) -> Escalation:
        if escalation is None or not self.can_view_escalation(actor, escalation):
            raise NotFound(N_("没有找到这项督办问责"))
        return escalation

    def can_view_clues(self, actor: Actor) -> bool:
        """Problem clues are for the roles roles.yaml lets see them (clue.view), never for units."""
        return self.roles.allows(actor.role, "clue.view")
