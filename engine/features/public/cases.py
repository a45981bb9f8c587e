"""What anyone may read of complaint cases: each batch's published results in the form inspection offices publish
them (number, place, what was complained of, the finding, the measures, the accountability), and a complainant's
own case looked up by its number and the code they were given. Nothing else of a case is public: what could name
a complainant (a phone or an ID number in the complaint's text) is masked."""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from engine.core.clock import LOCAL_TZ
from engine.core.errors import NotFound
from engine.core.statuses import CaseCategory, CaseFinding, CaseStatus
from engine.core.text import N_
from engine.store.models import CaseBatch, ComplaintCase, InspectionRound
from engine.store.transactions import Transactions

PAGE_SIZE = 100
SUMMARY_LENGTH = 120
#: a run of digits as long as a phone or an ID number, with the separators people write in them
LONG_NUMBER = re.compile(r"\d[\d\- ]{5,}\d[\dXx]?")


@dataclass(frozen=True)
class PublicBatch:
    id: int
    round_name: str
    number: int
    published_on: date
    cases: int


@dataclass(frozen=True)
class PublicCase:
    """A case as the public reads it."""

    number: str
    batch_number: int
    place: str
    summary: str
    category: CaseCategory
    unit: str
    status: CaseStatus
    finding: CaseFinding | None
    measures: str
    accountability: str
    published: bool


def masked(text: str) -> str:
    return LONG_NUMBER.sub("***", text)


def summary_of(text: str) -> str:
    text = masked(" ".join(text.split()))
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH] + "…"


def public_case(case: ComplaintCase) -> PublicCase:
    published = case.published_at is not None and not case.status.is_open()
    return PublicCase(case.number, case.batch.number, case.place, summary_of(case.content), case.category,
                      case.unit.name, case.status, case.finding if published else None,
                      masked(case.measures) if published else "", masked(case.accountability) if published else "",
                      published)


class PublicCaseUseCases:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    def batches(self) -> list[PublicBatch]:
        return self.transactions.read(published_batches)

    def batch(self, batch_id: int, page: int = 1) -> tuple[PublicBatch, list[PublicCase], int]:
        """A published batch's results, a page of them, and the number of pages."""
        def work(session: Session) -> tuple[PublicBatch, list[PublicCase], int]:
            found = published_batches(session, batch_id)
            if not found:
                raise NotFound(N_("没有公开这一批信访件"))
            pages = max(1, -(-found[0].cases // PAGE_SIZE))
            cases = session.scalars(select(ComplaintCase).options(
                joinedload(ComplaintCase.unit), joinedload(ComplaintCase.batch)).where(
                ComplaintCase.batch_id == batch_id, ComplaintCase.published_at.is_not(None))
                .order_by(ComplaintCase.number).offset((min(max(page, 1), pages) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
            return found[0], [public_case(case) for case in cases], pages

        return self.transactions.read(work)

    def lookup(self, number: str, code: str) -> PublicCase:
        """The complainant's own case, by its number and the code they were given; one answer for any mismatch."""
        typed = "".join(ch for ch in code.upper() if ch.isalnum())[:16]

        def work(session: Session) -> PublicCase:
            case = session.scalar(select(ComplaintCase).options(
                joinedload(ComplaintCase.unit), joinedload(ComplaintCase.batch)).where(
                ComplaintCase.number == number.strip()[:64]))
            if case is None or not hmac.compare_digest(case.lookup_code.encode(), typed.encode()):
                raise NotFound(N_("编号或查询码不对，请核对后重试"))
            return public_case(case)

        return self.transactions.read(work)


def published_batches(session: Session, batch_id: int | None = None) -> list[PublicBatch]:
    """The batches whose results are public (or that one of them), the latest first, with how many of their cases
    are."""
    counted = select(ComplaintCase.batch_id, func.count()).where(ComplaintCase.published_at.is_not(None))
    batches = select(CaseBatch, InspectionRound.name).join(InspectionRound).where(CaseBatch.published_at.is_not(None))
    if batch_id is not None:
        counted, batches = counted.where(ComplaintCase.batch_id == batch_id), batches.where(CaseBatch.id == batch_id)
    counts = dict(session.execute(counted.group_by(ComplaintCase.batch_id)).all())
    rows = session.execute(batches.order_by(CaseBatch.published_at.desc(), CaseBatch.id.desc()))
    return [PublicBatch(batch.id, name, batch.number, batch.published_at.astimezone(LOCAL_TZ).date(),
                        counts.get(batch.id, 0)) for batch, name in rows if batch.published_at is not None]
