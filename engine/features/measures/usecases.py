"""The use cases of strengthening measures (强化措施): registering one, the ledger, a measure's page, the figures,
closing a round's measures."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.fields import Field, clean, labels_of
from engine.core.statuses import MeasurePeriodKind, MeasureStatus
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.measures import queries as views
from engine.features.measures.actions import start_cycles
from engine.features.measures.closing import close_measures
from engine.features.measures.export import ledger_workbook
from engine.features.rounds.register import all_rounds, current_round_id
from engine.store.database import Session
from engine.store.models import InspectionRound, Measure, Unit
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes
from engine.workflow.step import Step

REGISTRATION_FIELDS = (
    Field("round_id", "id", label=N_("督察批次"), source="rounds"),
    Field("category_number", "int", low=1, high=20, label=N_("类别序号"), help=N_("一是…七是：填 1–7")),
    Field("category_name", "line", label=N_("类别")),
    Field("title", "line", label=N_("措施名称")),
    Field("content", label=N_("措施内容")),
    Field("lead_unit_id", "id", label=N_("牵头单位"), source="units"),
    Field("cooperating_unit_ids", "ids", required=False, label=N_("配合单位"), source="units"),
    Field("period_kind", "choice", choices=labels_of(MeasurePeriodKind), label=N_("报告周期")),
)
CLOSE_FIELDS = (Field("round_id", "id", label=N_("督察批次"), source="rounds"),
                Field("note", label=N_("结束说明"), help=N_("强化措施整体完成情况和结束的依据")))


class MeasureUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.settings = processes.settings

    def _today(self) -> date:
        return local_today(self.processes.runtime.clock)

    def register(self, actor: Actor, data: dict[str, Any]) -> int:
        """登记强化措施: it starts its period reports and its yearly review."""
        self.access.require(actor, "measure.manage")

        def work(session: Session) -> int:
            step = self.processes.step(session, actor)
            measure = _create(step, _clean_registration(session, data))
            start_cycles(step, measure)
            self.processes.settle([step])
            return measure.id

        return self.transactions.run(work)

    def close_round(self, actor: Actor, data: dict[str, Any]) -> int:
        """结束强化措施: the office closes a round's measures; their open reports and reviews end."""
        self.access.require(actor, "measure.manage")

        def work(session: Session) -> int:
            cleaned = clean(CLOSE_FIELDS, data)
            if session.get(InspectionRound, cleaned["round_id"]) is None:
                raise InvalidSubmission({"round_id": [N_("没有这个督察批次")]})
            step = self.processes.step(session, actor)
            closed = close_measures(step, cleaned["round_id"], cleaned["note"])
            if not closed:
                raise InvalidSubmission({"round_id": [N_("这个督察批次没有推进中的强化措施")]})
            self.processes.settle([step])
            return closed

        return self.transactions.run(work)

    def ledger(self, actor: Actor, filters: views.MeasureFilters) -> list[views.CategoryGroup]:
        self.access.require(actor, "measure.view")
        return self.transactions.read(
            lambda s: views.ledger(s, self.access, actor, filters, self._today(), self.settings))

    def export(self, actor: Actor, filters: views.MeasureFilters) -> bytes:
        """The ledger as the person sees it, as an .xlsx workbook."""
        return ledger_workbook(self.ledger(actor, filters), self._today())

    def page(self, actor: Actor, measure_id: int) -> views.MeasurePage:
        self.access.require(actor, "measure.view")

        def work(session: Session) -> views.MeasurePage:
            found = views.page(session, self.access, actor, measure_id, self._today(), self.settings)
            if found is None:
                raise NotFound(N_("没有找到这条强化措施"))
            return found

        return self.transactions.read(work)

    def figures(self, actor: Actor, round_id: int | None = None) -> views.MeasureFigures:
        return self.transactions.read(
            lambda s: views.figures(s, self.access, actor, self._today(), self.settings, round_id))

    def choices(self) -> dict[str, list[tuple[int, str]]]:
        """Options of the forms and filters: the rounds, the units, the categories."""
        def work(session: Session) -> dict[str, list[tuple[int, str]]]:
            units = session.scalars(select(Unit).where(Unit.kind.in_(("department", "county", "park")))
                                    .order_by(Unit.position))
            categories = session.execute(select(Measure.category_number, Measure.category_name).distinct()
                                         .order_by(Measure.category_number))
            return {"rounds": [(r.id, r.name) for r in all_rounds(session)],
                    "units": [(u.id, u.name) for u in units],
                    "categories": [(number, name) for number, name in categories]}

        return self.transactions.read(work)

    def current_round(self) -> int | None:
        return self.transactions.read(current_round_id)


def _clean_registration(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    cleaned = clean(REGISTRATION_FIELDS, data)
    errors: dict[str, list[str]] = {}
    if session.get(InspectionRound, cleaned["round_id"]) is None:
        errors["round_id"] = [N_("没有这个督察批次")]
    units = set(session.scalars(select(Unit.id).where(
        Unit.id.in_([cleaned["lead_unit_id"], *cleaned["cooperating_unit_ids"]]))))
    if cleaned["lead_unit_id"] not in units:
        errors["lead_unit_id"] = [N_("没有这个单位")]
    if set(cleaned["cooperating_unit_ids"]) - units:
        errors["cooperating_unit_ids"] = [N_("没有这个单位")]
    elif cleaned["lead_unit_id"] in cleaned["cooperating_unit_ids"]:
        errors["cooperating_unit_ids"] = [N_("牵头单位不必再列为配合单位")]
    if errors:
        raise InvalidSubmission(errors)
    return cleaned


def _create(step: Step, data: dict[str, Any]) -> Measure:
    number = (step.session.scalar(select(Measure.number).where(Measure.round_id == data["round_id"])
                                  .order_by(Measure.number.desc()).limit(1)) or 0) + 1
    measure = Measure(round_id=data["round_id"], category_number=data["category_number"],
                      category_name=data["category_name"], number=number, title=data["title"],
                      content=data["content"], lead_unit_id=data["lead_unit_id"],
                      period_kind=MeasurePeriodKind(data["period_kind"]), status=MeasureStatus.ACTIVE,
                      registered_at=step.now, closing_note="",
                      cooperating_units=list(step.session.scalars(
                          select(Unit).where(Unit.id.in_(data["cooperating_unit_ids"])))))
    step.session.add(measure)
    step.session.flush()
    step.audit("measure.registered", ("measure", measure.id),
               f"登记强化措施 {measure.code}（{measure.category_name}）：{measure.title}",
               after={"round": measure.round_id, "category": measure.category_number, "lead_unit": measure.lead_unit_id,
                      "cooperating_units": data["cooperating_unit_ids"], "period_kind": measure.period_kind.value})
    return measure
