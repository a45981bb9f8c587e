"""The use cases of problem clues, mixed into engine.service.Duban (one method, one transaction each)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.errors import Conflict, NotFound
from engine.features.clues import queries as views
from engine.features.clues.forms import clean_registration, create_clue
from engine.store.models import RectificationTask, Unit

if TYPE_CHECKING:
    from engine.features.accounts.access import Access
    from engine.workflow.step import Step

T = TypeVar("T")


class ClueUseCases:
    access: Access

    if TYPE_CHECKING:
        def _use_case(self, work: Callable[[Session], T]) -> T: ...
        def _read(self, work: Callable[[Session], T]) -> T: ...
        def _step(self, session: Session, actor: Actor, **objects: Any) -> Step: ...
        def _open_work(self, session: Session, actor: Actor, human_task_id: int,
                       lock: bool = True) -> tuple[Any, Any]: ...

    def register_clue(self, actor: Actor, data: dict[str, Any]) -> int:
        """登记问题线索: record it and hand it to the discipline commission (its process starts)."""
        self.access.require(actor, "clue.register")

        def work(session: Session) -> int:
            step = self._step(session, actor)
            return create_clue(step, clean_registration(step, data)).id

        try:
            return self._use_case(work)
        except IntegrityError:  # two registrations took the same number at once
            raise Conflict("线索编号冲突，请重新提交") from None

    def clues(self, actor: Actor, filters: views.ClueFilters) -> views.ClueRegister:
        self.access.require(actor, "clue.view")
        return self._read(lambda s: views.register(s, filters))

    def clue_page(self, actor: Actor, clue_id: int) -> views.CluePage:
        self.access.require(actor, "clue.view")

        def work(session: Session) -> views.CluePage:
            clue = views.load(session, clue_id)
            if clue is None:
                raise NotFound("没有找到这条问题线索")
            return views.clue_page(session, self.access, actor, clue)

        return self._read(work)

    def clue_work_item(self, actor: Actor, human_task_id: int) -> views.ClueWorkItem:
        self.access.require(actor, "clue.view")

        def work(session: Session) -> views.ClueWorkItem:
            item, _instance = self._open_work(session, actor, human_task_id, lock=False)
            clue = views.clue_of_instance(session, item.instance_id)
            if clue is None:
                raise NotFound("没有找到这项工作")
            return views.ClueWorkItem(item, views.clue_page(session, self.access, actor, clue))

        return self._read(work)

    def task_clues(self, actor: Actor, task_id: int) -> list[Any]:
        if not self.access.can_view_clues(actor):
            return []
        return self._read(lambda s: views.for_task(s, task_id))

    def clue_choices(self) -> dict[str, list[tuple[int, str]]]:
        """Options of the registration form: the tasks and the units a clue may concern."""
        def work(session: Session) -> dict[str, list[tuple[int, str]]]:
            tasks = session.execute(select(RectificationTask.id, RectificationTask.code, RectificationTask.title)
                                    .order_by(RectificationTask.id))
            units = session.scalars(select(Unit).where(Unit.kind.in_(("department", "county", "park")))
                                    .order_by(Unit.position))
            return {"tasks": [(i, f"{code} {title}") for i, code, title in tasks],
                    "units": [(u.id, u.name) for u in units]}

        return self._read(work)
