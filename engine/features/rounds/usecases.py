"""The use cases of the rounds: the coordination office enters and edits them; every page that filters by round
offers them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.rounds.forms import checked_round
from engine.features.rounds.register import all_rounds, current_round_id
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import InspectionRound, RectificationTask
from engine.store.transactions import Transactions

NAME_TAKEN = N_("已有同名的督察批次")
DATES = ("started_on", "ended_on", "feedback_on")


@dataclass(frozen=True)
class RoundView:
    """A round as the pages show it, and whether new tasks go into it by default."""

    id: int
    name: str
    body: str
    started_on: date | None
    ended_on: date | None
    feedback_on: date | None
    description: str
    current: bool


class RoundUseCases:
    def __init__(self, transactions: Transactions, access: Access, clock: Clock) -> None:
        self.transactions = transactions
        self.access = access
        self.clock = clock

    def rounds(self) -> list[RoundView]:
        """Every round, the earliest first; what a round selector offers (the public pages' too)."""
        return self.transactions.read(_views)

    def task_counts(self) -> dict[int, int]:
        """How many tasks each round has (by round id; a round without tasks is left out), for the rounds' page."""
        def work(session: Session) -> dict[int, int]:
            return dict(session.execute(select(RectificationTask.round_id, func.count(RectificationTask.id))  # type: ignore[arg-type]
                                        .group_by(RectificationTask.round_id)).all())

        return self.transactions.read(work)

    def current_id(self) -> int | None:
        """The round a new task goes into unless another is chosen: the one most recently begun."""
        return self.transactions.read(current_round_id)

    def named(self, name: str) -> int:
        """The id of the round of this name (as the command line names it); NotFound lists the rounds there are."""
        def work(session: Session) -> int:
            found = session.scalar(select(InspectionRound.id).where(InspectionRound.name == name.strip()))
            if found is None:
                known = "、".join(round_.name for round_ in all_rounds(session))
                raise NotFound(f"没有名为「{name}」的督察批次；现有批次：{known}")
            return found

        return self.transactions.read(work)

    def round(self, actor: Actor, round_id: int) -> RoundView:
        self.access.require(actor, "round.manage")
        found = next((view for view in self.rounds() if view.id == round_id), None)
        if found is None:
            raise NotFound(N_("没有这个督察批次"))
        return found

    def create(self, actor: Actor, data: dict[str, Any]) -> int:
        """A new round: its name, the inspecting body, its dates and a description (audited)."""
        self.access.require(actor, "round.manage")
        fields = _stored(checked_round(data))

        def work(session: Session) -> int:
            _refuse_taken_name(session, fields["name"], None)
            made = InspectionRound(**fields, created_at=self.clock.now())
            session.add(made)
            session.flush()
            record(session, actor, self.clock.now(), "round.created", ("round", made.id),
                   f"新建督察批次 {made.name}", after=_summary(made))
            return made.id

        return self._saving(work)

    def update(self, actor: Actor, round_id: int, data: dict[str, Any]) -> None:
        """Change a round's name, body, dates or description (audited with before and after)."""
        self.access.require(actor, "round.manage")
        fields = _stored(checked_round(data))

        def work(session: Session) -> None:
            found = session.get(InspectionRound, round_id)
            if found is None:
                raise NotFound(N_("没有这个督察批次"))
            _refuse_taken_name(session, fields["name"], round_id)
            before = _summary(found)
            for name, value in fields.items():
                setattr(found, name, value)
            session.flush()
            if before != _summary(found):
                record(session, actor, self.clock.now(), "round.updated", ("round", found.id),
                       f"修改督察批次 {found.name}", before=before, after=_summary(found))

        self._saving(work)

    def _saving(self, work: Any) -> Any:
        try:
            return self.transactions.run(work)
        except IntegrityError:  # a round of this name was entered meanwhile
            raise InvalidSubmission({"name": [NAME_TAKEN]}) from None


def _views(session: Session) -> list[RoundView]:
    current = current_round_id(session)
    return [RoundView(r.id, r.name, r.body, r.started_on, r.ended_on, r.feedback_on, r.description, r.id == current)
            for r in all_rounds(session)]


def _refuse_taken_name(session: Session, name: str, own_id: int | None) -> None:
    taken = session.scalar(select(InspectionRound.id).where(InspectionRound.name == name))
    if taken is not None and taken != own_id:
        raise InvalidSubmission({"name": [NAME_TAKEN]})


def _stored(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {**cleaned, **{name: date.fromisoformat(cleaned[name]) if cleaned[name] else None for name in DATES}}


def _summary(found: InspectionRound) -> dict[str, Any]:
    return {"name": found.name, "body": found.body, "description": found.description,
            **{name: getattr(found, name).isoformat() if getattr(found, name) else None for name in DATES}}
