"""文号: each kind of document numbered from 1 each year, never twice.

The sequence of a kind and year is one row, read FOR UPDATE while the next serial is taken, so two
offices issuing at once wait for each other instead of taking the same number; the first document of a
year creates the row in a savepoint, where a concurrent creation makes one of them read the other's row.
The unique constraints on issued documents (kind, year, serial; the number) are the last guard.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.store.models import DocumentSequence


def next_serial(session: Session, kind: str, year: int) -> int:
    sequence = _locked(session, kind, year)
    if sequence is None:
        try:
            with session.begin_nested():
                session.add(DocumentSequence(kind=kind, year=year, last_serial=0))
        except IntegrityError:
            pass  # another transaction created it first: its row is read (and waited for) below
        sequence = _locked(session, kind, year)
        if sequence is None:
            raise RuntimeError(f"no sequence for {kind} {year}")
    sequence.last_serial += 1
    session.flush()
    return sequence.last_serial


def _locked(session: Session, kind: str, year: int) -> DocumentSequence | None:
    return session.scalar(select(DocumentSequence).where(DocumentSequence.kind == kind, DocumentSequence.year == year)
                          .with_for_update().execution_options(populate_existing=True))


def document_number(prefix: str, series: str, year: int, serial: int) -> str:
    """泸整改办函〔2026〕12号: the office's prefix, the kind's series, the year in 〔〕, the serial."""
    return f"{prefix}{series}〔{year}〕{serial}号"
