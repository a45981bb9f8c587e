"""Authorization on objects: the second layer, behind the role check on each route."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, false, or_, select, true, union

from engine.core.actor import Actor
from engine.core.errors import NotFound, PermissionDenied
from engine.core.roles import RoleModel, Scope
from engine.core.text import N_
from engine.store.models import (
    ComplaintCase,
    Escalation,
    HumanTask,
    HumanTaskStatus,
    RectificationTask,
    cooperating_units,
)


def unit_tasks(unit_id: int) -> ColumnElement[bool]:
    """The tasks a unit leads or cooperates on.

    Written as one IN over a UNION of two indexed lookups: an OR of the two conditions would make
    the database read every task of the province."""
    led = select(RectificationTask.id).where(RectificationTask.lead_unit_id == unit_id)
    cooperating = select(cooperating_units.c.task_id).where(cooperating_units.c.unit_id == unit_id)
    return RectificationTask.id.in_(union(led, cooperating))


#: A person's open work in two disjoint parts, each one range of the inbox index (an OR over both would not be):
#: the role's shared work and the unit's own. Built once; a query binds the person with `Access.work_person`.
_OPEN_FOR_PERSON = and_(HumanTask.status == HumanTaskStatus.OPEN, HumanTask.standing == false(),  # '=', not IS: indexed
                        HumanTask.role == bindparam("role"),
                        or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == bindparam("user_id")))
WORK_QUEUES: dict[str, ColumnElement[bool]] = {
    "shared": and_(_OPEN_FOR_PERSON, HumanTask.unit_id.is_(None)),
    "unit": and_(_OPEN_FOR_PERSON, HumanTask.unit_id == bindparam("unit_id")),
}


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
            return unit_tasks(actor.unit_id)
        return false()

    def work_filter(self, actor: Actor) -> ColumnElement[bool]:
        """A WHERE clause limiting human tasks to those the actor may do."""
        return (HumanTask.role == actor.role) & or_(HumanTask.unit_id.is_(None), HumanTask.unit_id == actor.unit_id) \
            & or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == actor.user_id)

    @staticmethod
    def work_queues(actor: Actor) -> list[str]:
        """The parts of WORK_QUEUES that hold this person's open work: the role's shared work, and the unit's."""
        return ["shared", "unit"] if actor.unit_id is not None else ["shared"]

    @staticmethod
    def work_person(actor: Actor) -> dict[str, object]:
        """The person, bound into WORK_QUEUES."""
        return {"role": actor.role, "user_id": actor.user_id, "unit_id": actor.unit_id}

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

    # --- complaint cases ------------------------------------------------------------------

    def case_filter(self, actor: Actor) -> ColumnElement[bool]:
        """A WHERE clause limiting complaint cases to what the actor may see: a unit sees only those handed to it."""
        if not self.roles.allows(actor.role, "case.view"):
            return false()
        scope = self.roles.scope(actor.role)
        if scope is Scope.ALL:
            return true()
        if scope is Scope.UNIT and actor.unit_id is not None:
            return ComplaintCase.unit_id == actor.unit_id
        return false()

    def check_view_case(self, actor: Actor, case: ComplaintCase | None) -> ComplaintCase:
        """Unknown and not-yours look the same from outside: both are 'not found'."""
        scope = self.roles.scope(actor.role)
        visible = case is not None and self.roles.allows(actor.role, "case.view") and (
            scope is Scope.ALL or (scope is Scope.UNIT and case.unit_id == actor.unit_id))
        if case is None or not visible:
            raise NotFound(N_("没有找到这件信访件"))
        return case
