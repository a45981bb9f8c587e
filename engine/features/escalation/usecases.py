"""The use cases of 督办问责: proposing one by hand, the register, an escalation's page, the public exposures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission
from engine.core.fields import clean
from engine.core.statuses import EscalationTriggerKind
from engine.features.accounts.access import Access
from engine.features.escalation import queries as views
from engine.features.escalation.forms import REASON
from engine.features.escalation.triggers import open_escalation, raise_trigger
from engine.features.rectification.queries import load_task
from engine.store.database import Session
from engine.store.models import Escalation, ProcessInstance
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


@dataclass(frozen=True)
class EscalationStarted:
    escalation_id: int
    absorbed: bool  # an escalation was already open for the task: the reason was recorded on it


class EscalationUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def propose(self, actor: Actor, task_id: int, reason: str) -> EscalationStarted:
        """A supervisor starts an escalation by hand, with a reason (or adds it to the open one)."""
        self.access.require(actor, "escalation.propose")

        def work(session: Session) -> EscalationStarted:
            task = self.access.check_view_task(actor, load_task(session, task_id))
            cleaned = clean(REASON, {"reason": reason})
            if task.status.is_closed():
                raise InvalidSubmission({"reason": ["任务已销号，不能再提出问责"]})
            main = session.scalar(select(ProcessInstance).where(
                ProcessInstance.task_id == task.id, ProcessInstance.parent_id.is_(None)).order_by(ProcessInstance.id))
            absorbed = open_escalation(session, task.id) is not None
            step = self.processes.step(session, actor, task=task, instance=main)
            escalation = raise_trigger(step, EscalationTriggerKind.MANUAL, cleaned["reason"])
            self.processes.settle([step])
            return EscalationStarted(escalation.id, absorbed)

        return self.transactions.run(work)

    def ledger(self, actor: Actor, filters: views.EscalationFilters) -> views.EscalationRegister:
        self.access.require(actor, "escalation.view")
        return self.transactions.read(lambda s: views.register(s, self.access, actor, filters))

    def page(self, actor: Actor, escalation_id: int) -> views.EscalationPage:
        self.access.require(actor, "escalation.view")

        def work(session: Session) -> views.EscalationPage:
            escalation = self.access.check_view_escalation(actor, views.load(session, escalation_id))
            return views.escalation_page(session, self.access, actor, escalation)

        return self.transactions.read(work)

    def of_task(self, actor: Actor, task_id: int) -> list[Escalation]:
        """The escalations of a task this person may see (none without escalation.view)."""
        if not self.access.roles.allows(actor.role, "escalation.view"):
            return []
        return self.transactions.read(lambda s: views.for_task(s, self.access, actor, task_id))

    def of_case(self, actor: Actor, case_id: int) -> list[Escalation]:
        """The escalations of a complaint case this person may see (none without escalation.view)."""
        if not self.access.roles.allows(actor.role, "escalation.view"):
            return []
        return self.transactions.read(lambda s: views.for_case(s, self.access, actor, case_id))

    def public_exposures(self) -> list[views.PublicExposure]:
        """For the public pages (no login): published exposures, public fields only."""
        return self.transactions.read(views.public_exposures)
