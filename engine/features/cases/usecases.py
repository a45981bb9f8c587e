"""The use cases of complaint cases (信访件): the batches, the register, a case's page, the units' choices."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.features.accounts.access import Access
from engine.features.cases import queries as views
from engine.features.cases.aftercare import link_task, record_callback
from engine.features.cases.publication import publish_batch
from engine.store.database import Session
from engine.store.models import CaseBatch, ComplaintCase, Unit
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes
from engine.workflow.step import Step

T = TypeVar("T")


class CaseUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.settings = processes.settings
        self.clock = processes.runtime.clock

    def batches(self, actor: Actor) -> list[views.BatchLine]:
        return self._read(actor, lambda s: views.batches(s, self.access.case_filter(actor), local_today(self.clock)))

    def register(self, actor: Actor, filters: views.CaseFilters) -> views.CaseRegister:
        return self._read(actor, lambda s: views.register(s, self.access.case_filter(actor), filters,
                                                          local_today(self.clock), self.settings))

    def page(self, actor: Actor, case_id: int) -> views.CasePage:
        def work(session: Session) -> views.CasePage:
            case = self.access.check_view_case(actor, views.load(session, case_id))
            return views.case_page(session, self.access, actor, case, local_today(self.clock), self.settings)

        return self._read(actor, work)

    def publish_batch(self, actor: Actor, batch_id: int) -> int:
        """公开 the batch's accepted results; how many cases were published."""
        self.access.require(actor, "case.publish")

        def work(session: Session) -> int:
            step = self.processes.step(session, actor)
            return publish_batch(step, batch_id)

        return self.transactions.run(work)

    def to_task(self, actor: Actor, case_id: int, data: dict[str, str]) -> None:
        """长期整改: the accepted case goes on as a task of the ledger, named by its code."""
        self._change(actor, case_id, lambda step, case: link_task(step, case, data))

    def record_callback(self, actor: Actor, case_id: int, data: dict[str, str]) -> None:
        """回访: the complainant's satisfaction; 不满意 reopens the case."""
        self._change(actor, case_id, lambda step, case: record_callback(step, case, data))

    def of_task(self, actor: Actor, task_id: int) -> list[ComplaintCase]:
        """The cases that went on as this task (for its page), as far as the person may see them."""
        if not self.access.roles.allows(actor.role, "case.view"):
            return []
        return self.transactions.read(lambda s: views.of_task(s, self.access, actor, task_id))

    def _change(self, actor: Actor, case_id: int, change: Callable[[Step, ComplaintCase], None]) -> None:
        self.access.require(actor, "case.manage")

        def work(session: Session) -> None:
            case = self.access.check_view_case(actor, views.load(session, case_id))
            step = self.processes.step(session, actor)
            change(step, case)
            self.processes.settle([step])

        self.transactions.run(work)

    def batch_choices(self) -> list[tuple[int, str]]:
        """The batches, newest first, as the register's filter offers them: (id, number)."""
        return self.transactions.read(lambda s: [(i, str(n)) for i, n in s.execute(
            select(CaseBatch.id, CaseBatch.number).order_by(CaseBatch.round_id.desc(), CaseBatch.number.desc()))])

    def units(self) -> list[tuple[int, str]]:
        """The units a case may be handed to (the filter's and 改派's choices)."""
        return self.transactions.read(lambda s: [(u.id, u.name) for u in s.scalars(
            select(Unit).where(Unit.kind.in_(("department", "county", "park"))).order_by(Unit.position))])

    def _read(self, actor: Actor, work: Callable[[Session], T]) -> T:
        self.access.require(actor, "case.view")
        return self.transactions.read(work)
