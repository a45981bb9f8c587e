"""The use cases of rectification tasks: registering one, the ledger (台账) and the choices its forms offer."""
from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.statuses import TaskStatus, WarningLevel
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.rectification import queries
from engine.features.rectification.tasks import checked_registration, create_task
from engine.store.database import Session
from engine.store.models import Category, Unit
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


class TaskUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def register(self, actor: Actor, data: dict[str, Any]) -> int:
        """登记: create a rectification task and start its process (it waits for 交办)."""
        self.access.require(actor, "task.register")

        def work(session: Session) -> int:
            step = self.processes.step(session, actor)
            task = create_task(step, checked_registration(step, data))
            self.processes.settle([step])
            return task.id

        try:
            return self.transactions.run(work)
        except IntegrityError:  # a task with this code was registered meanwhile
            raise InvalidSubmission({"code": [N_("本批次已有这个编号")]}) from None

    def ledger(self, actor: Actor, filters: queries.LedgerFilters) -> queries.LedgerPage:
        self.access.require(actor, "ledger.view")
        return self.transactions.read(lambda s: queries.ledger(s, self.access, actor, filters))

    def ledger_filters(self, category_number: int | None = None, unit_code: str | None = None,
                       status: str | None = None, warning: str | None = None) -> queries.LedgerFilters:
        """Ledger filters named the way an operator types them (category number, unit code)."""
        def work(session: Session) -> queries.LedgerFilters:
            category = session.scalar(select(Category.id).where(Category.number == category_number)) \
                if category_number is not None else None
            unit = session.scalar(select(Unit.id).where(Unit.code == unit_code)) if unit_code else None
            if (category_number is not None and category is None) or (unit_code and unit is None):
                raise NotFound("没有这个类别或单位")
            return queries.LedgerFilters(category_id=category, unit_id=unit,
                                         status=TaskStatus(status) if status else None,
                                         warning=WarningLevel(warning) if warning else None)

        return self.transactions.read(work)

    def choices(self, sources: Collection[str] = tuple(queries.CHOICES)) -> dict[str, list[tuple[int, str]]]:
        """Options for the ledger filters and the registration and assignment forms: the lists `sources` names
        (categories, units, rounds, leaders), all of them unless told."""
        return self.transactions.read(partial(queries.choices, sources=sources))
