"""The use cases of problem clues (问题线索): registering one, the register, a clue's page."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.core.actor import Actor
from engine.core.errors import Conflict, NotFound
from engine.features.accounts.access import Access
from engine.features.clues import queries as views
from engine.features.clues.forms import clean_registration, create_clue
from engine.store.database import Session
from engine.store.models import Clue, RectificationTask, Unit
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


class ClueUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def register(self, actor: Actor, data: dict[str, Any]) -> int:
        """登记问题线索: record it and hand it to the discipline commission (its process starts)."""
        self.access.require(actor, "clue.register")

        def work(session: Session) -> int:
            step = self.processes.step(session, actor)
            clue_id = create_clue(step, clean_registration(step, data)).id
            self.processes.settle([step])
            return clue_id

        try:
            return self.transactions.run(work)
        except IntegrityError:  # two registrations took the same number at once
            raise Conflict("线索编号冲突，请重新提交") from None

    def ledger(self, actor: Actor, filters: views.ClueFilters) -> views.ClueRegister:
        self.access.require(actor, "clue.view")
        return self.transactions.read(lambda s: views.register(s, filters))

    def page(self, actor: Actor, clue_id: int) -> views.CluePage:
        self.access.require(actor, "clue.view")

        def work(session: Session) -> views.CluePage:
            clue = views.load(session, clue_id)
            if clue is None:
                raise NotFound("没有找到这条问题线索")
            return views.clue_page(session, self.access, actor, clue)

        return self.transactions.read(work)

    def of_task(self, actor: Actor, task_id: int) -> list[Clue]:
        if not self.access.can_view_clues(actor):
            return []
        return self.transactions.read(lambda s: views.for_task(s, task_id))

    def choices(self) -> dict[str, list[tuple[int, str]]]:
        """Options of the registration form: the tasks and the units a clue may concern."""
        def work(session: Session) -> dict[str, list[tuple[int, str]]]:
            tasks = session.execute(select(RectificationTask.id, RectificationTask.code, RectificationTask.title)
                                    .order_by(RectificationTask.id))
            units = session.scalars(select(Unit).where(Unit.kind.in_(("department", "county", "park")))
                                    .order_by(Unit.position))
            return {"tasks": [(i, f"{code} {title}") for i, code, title in tasks],
                    "units": [(u.id, u.name) for u in units]}

        return self.transactions.read(work)
