"""The use cases of 督办问责, mixed into engine.service.Duban (one method, one transaction each)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission
from engine.features.escalation import queries as views
from engine.features.escalation.triggers import open_escalation, raise_trigger
from engine.features.rectification import queries
from engine.features.rectification.forms import Field, clean
from engine.store.models import EscalationTriggerKind, ProcessInstance

if TYPE_CHECKING:
    from engine.features.accounts.access import Access
    from engine.workflow.step import Step

T = TypeVar("T")
REASON = (Field("reason"),)


@dataclass(frozen=True)
class EscalationStarted:
    escalation_id: int
    absorbed: bool  # an escalation was already open for the task: the reason was recorded on it


class EscalationUseCases:
    access: Access

    if TYPE_CHECKING:
        def _use_case(self, work: Callable[[Session], T]) -> T: ...
        def _read(self, work: Callable[[Session], T]) -> T: ...
        def _step(self, session: Session, actor: Actor, **objects: Any) -> Step: ...

    def propose_escalation(self, actor: Actor, task_id: int, reason: str) -> EscalationStarted:
        """A supervisor starts an escalation by hand, with a reason (or adds it to the open one)."""
        self.access.require(actor, "escalation.propose")

        def work(session: Session) -> EscalationStarted:
            task = self.access.check_view_task(actor, queries.load_task(session, task_id))
            cleaned = clean(REASON, {"reason": reason})
            if task.status.is_closed():
                raise InvalidSubmission({"reason": ["任务已销号，不能再提出问责"]})
            main = session.scalar(select(ProcessInstance).where(
                ProcessInstance.task_id == task.id, ProcessInstance.parent_id.is_(None)).order_by(ProcessInstance.id))
            absorbed = open_escalation(session, task.id) is not None
            step = self._step(session, actor, task=task, instance=main)
            escalation = raise_trigger(step, EscalationTriggerKind.MANUAL, cleaned["reason"])
            return EscalationStarted(escalation.id, absorbed)

        return self._use_case(work)

    def escalations(self, actor: Actor, filters: views.EscalationFilters) -> views.EscalationRegister:
        self.access.require(actor, "escalation.view")
        return self._read(lambda s: views.register(s, self.access, actor, filters))

    def escalation_page(self, actor: Actor, escalation_id: int) -> views.EscalationPage:
        self.access.require(actor, "escalation.view")

        def work(session: Session) -> views.EscalationPage:
            escalation = self.access.check_view_escalation(actor, views.load(session, escalation_id))
            return views.escalation_page(session, self.access, actor, escalation)

        return self._read(work)

    def task_escalations(self, actor: Actor, task_id: int) -> list[Any]:
        """The escalations of a task this person may see (none without escalation.view)."""
        if not self.access.roles.allows(actor.role, "escalation.view"):
            return []
        return self._read(lambda s: views.for_task(s, self.access, actor, task_id))

    def public_exposures(self) -> list[views.PublicExposure]:
        """For the public pages (no login): published exposures, public fields only."""
        return self._read(views.public_exposures)

    def _escalation_context(self, session: Session, actor: Actor, item: Any) -> None:
        """Beside the form of an escalation step: the escalation and the form's starting values."""
        if not views.is_escalation_work(session, item.work):
            return
        today = self._step(session, actor).today
        item.escalation, item.initial = views.work_context(session, actor, item.work, today)


