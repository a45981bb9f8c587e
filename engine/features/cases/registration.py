"""A batch of complaint cases (第N批) taken in: the batch, each case with its lookup code, and its process."""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from engine.core.statuses import CaseCategory, CaseStatus
from engine.core.workdays import add_working_days
from engine.features.cases.actions import start_cases
from engine.store.models import CaseBatch, ComplaintCase
from engine.workflow.step import Step

#: a lookup code is read over the phone: no 0/O, 1/I/L
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
NOT_COMPARED = re.compile(r"[\W_]+")
#: cases inserted and started together (one insert, one read of the process version), then progress is told
SLICE = 200


@dataclass(frozen=True)
class NewCase:
    """One case as read from the inspection group's spreadsheet, its unit found."""

    number: str
    received_on: date
    content: str
    place: str
    polluter: str
    category: CaseCategory
    unit_id: int
    reply_due: date


def compared(text: str) -> str:
    """A place or a polluter as compared for repeated complaints: full-width folded, no spaces or punctuation."""
    return NOT_COMPARED.sub("", unicodedata.normalize("NFKC", text)).lower()[:300]


def lookup_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def next_batch_number(step: Step, round_id: int) -> int:
    return (step.session.scalar(select(func.max(CaseBatch.number)).where(CaseBatch.round_id == round_id)) or 0) + 1


def take_batch(step: Step, round_id: int, number: int, file_name: str, cases: list[NewCase],
               progress: Callable[[int], None] | None = None) -> CaseBatch:
    """Record the batch and its cases and hand each to its unit (its process starts), a slice of cases at a time
    (`progress` is told how many are handed so far)."""
    batch = CaseBatch(round_id=round_id, number=number, received_on=step.today, file_name=file_name[:255],
                      imported_at=step.now, imported_by_id=step.actor.user_id)
    step.session.add(batch)
    step.session.flush()
    report_due = add_working_days(step.today, step.settings.case_report_working_days)
    for start in range(0, len(cases), SLICE):
        taken = [_case(step, batch, report_due, new) for new in cases[start:start + SLICE]]
        step.session.add_all(taken)
        step.session.flush()
        start_cases(step, taken)
        if progress is not None:
            progress(start + len(taken))
    step.audit("case.batch_imported", ("case_batch", batch.id),
               f"导入信访件第{number}批，共 {len(cases)} 件（{file_name}）",
               after={"round_id": round_id, "number": number, "cases": len(cases)})
    return batch


def _case(step: Step, batch: CaseBatch, report_due: date, new: NewCase) -> ComplaintCase:
    return ComplaintCase(
        batch_id=batch.id, round_id=batch.round_id, number=new.number, lookup_code=lookup_code(),
        received_on=new.received_on, content=new.content, place=new.place, polluter=new.polluter,
        place_key=compared(new.place), polluter_key=compared(new.polluter), category=new.category,
        unit_id=new.unit_id, reply_due=new.reply_due, report_due=min(report_due, new.reply_due),
        status=CaseStatus.SIGNING, return_reason="", found="", measures="", orders=0, fines_yuan=0, closures=0,
        accountability="", persons_held=0, review_note="", imported_at=step.now)
