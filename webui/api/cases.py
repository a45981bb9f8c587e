"""The complaint cases (信访件) in the API: the register with its filters, paged, and one case with its finding,
current steps and history. The same use cases, permission and unit scope as the pages under /cases."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask import Response
from pydantic import Field

from engine.core.statuses import CaseCallback, CaseCategory, CaseFinding, CaseStatus, WarningLevel
from engine.core.text import N_
from engine.features.cases.queries import CaseFilters, CasePage, CaseRegister
from webui.api import schemas, views
from webui.api.answers import answer
from webui.api.blueprint import bp
from webui.api.operations import operation, read_query
from webui.api.queries import Id, Query, WarningValue
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine

CategoryValue = Literal[tuple(category.value for category in CaseCategory)]  # type: ignore[valid-type]
FindingValue = Literal[tuple(finding.value for finding in CaseFinding)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(status.value for status in CaseStatus)]  # type: ignore[valid-type]
CallbackValue = Literal[tuple(callback.value for callback in CaseCallback)]  # type: ignore[valid-type]


class CaseQuery(Query):
    batch: int | None = Id
    unit: int | None = Id
    category: CategoryValue | None = None
    finding: FindingValue | None = None
    status: StatusValue | None = None
    colour: WarningValue | None = None
    overdue: bool = Field(default=False, description="its report date passed and it is still open")
    callback: CallbackValue | None = None
    q: str = Field(default="", max_length=100)


class CaseSummary(schemas.Schema):
    id: int
    number: str = Field(description="the inspection group's case number")
    batch: int = Field(description="第N批: the number of its batch")
    round_id: int = Field(description="the inspection round it came with")
    received_on: date
    category: schemas.Labelled
    place: str
    polluter: str
    unit: str
    status: schemas.Labelled
    colour: schemas.Labelled
    report_due: date
    reply_due: date
    finding: schemas.Labelled | None


class CasePageAnswer(schemas.Page):
    items: list[CaseSummary]


class CaseDetail(CaseSummary):
    content: str
    found: str
    measures: str
    orders: int
    fines_yuan: int
    closures: int
    accountability: str
    persons_held: int
    review_note: str
    published_at: datetime | None
    task_id: int | None = Field(description="the ledger task it was turned into, if any")
    callback: schemas.Labelled | None
    repeated: list[str] = Field(description="the numbers of the complaints about the same place or polluter")
    steps: list[schemas.Step]
    history: list[schemas.HistoryEvent]


def _summary(case: Any, colour: WarningLevel) -> dict[str, Any]:
    return {"id": case.id, "number": case.number, "batch": case.batch.number, "round_id": case.round_id,
            "received_on": case.received_on, "category": views.labelled(case.category), "place": case.place,
            "polluter": case.polluter, "unit": case.unit.name, "status": views.labelled(case.status),
            "colour": views.labelled(colour), "report_due": case.report_due, "reply_due": case.reply_due,
            "finding": views.labelled(case.finding) if case.finding else None}


def case_list(register: CaseRegister) -> CasePageAnswer:
    return CasePageAnswer(items=[CaseSummary(**_summary(row.case, row.colour)) for row in register.rows],
                          total=register.total, page=register.page, pages=register.pages)


def case_detail(page: CasePage) -> CaseDetail:
    case = page.case
    return CaseDetail(
        **_summary(case, page.colour), content=case.content, found=case.found, measures=case.measures,
        orders=case.orders, fines_yuan=case.fines_yuan, closures=case.closures, accountability=case.accountability,
        persons_held=case.persons_held, review_note=case.review_note, published_at=case.published_at,
        task_id=case.task_id, callback=views.labelled(case.callback) if case.callback else None,
        repeated=[other.number for other in page.repeated], steps=views.steps(page.open_work, page.my_work),
        history=views.history(page.history))


@bp.get("/cases")
@permission_required("case.view")
@operation(N_("信访件登记簿：按批次、单位、类别、查处结论、状态、颜色筛选，分页"), "cases", answer=CasePageAnswer,
           query=CaseQuery, etag=True)
def cases() -> Response:
    query = read_query(CaseQuery)
    filters = CaseFilters(
        batch_id=query.batch, unit_id=query.unit, q=query.q, page=query.page, overdue=query.overdue,
        category=CaseCategory(query.category) if query.category else None,
        finding=CaseFinding(query.finding) if query.finding else None,
        status=CaseStatus(query.status) if query.status else None,
        colour=WarningLevel(query.colour) if query.colour else None,
        callback=CaseCallback(query.callback) if query.callback else None)
    return answer(case_list(engine().cases.register(current_actor(), filters)), etag=True)


@bp.get("/cases/<int:case_id>")
@permission_required("case.view")
@operation(N_("一件信访件：内容、查处结果、当前环节和全程记录（不含举报人信息）"), "cases", answer=CaseDetail)
def case(case_id: int) -> Response:
    return answer(case_detail(engine().cases.page(current_actor(), case_id)))
