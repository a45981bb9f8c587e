"""A confirmed batch of complaint cases registered in the background: queued by the person who confirmed its
preview, claimed by one sweep (UPDATE … WHERE state='queued': two sweeps never both take it), registered all or
nothing in one transaction, then marked done; a batch that cannot be registered is marked failed, nothing of it
registered. The command line registers a batch in the foreground with the same `register_batch`."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from engine.core.errors import DomainError
from engine.core.spreadsheet import ImportRejected, Problem
from engine.core.statuses import CaseCategory, ImportJobState
from engine.features.cases.registration import NewCase, next_batch_number, take_batch
from engine.store.database import Session
from engine.store.models import CaseBatch, CaseImportJob, ComplaintCase
from engine.workflow.step import Step

#: a job still running after this long lost its sweep (the process ended): its transaction rolled back, it goes again
STALE_AFTER = timedelta(minutes=30)
#: a failure of the moment (the database busy or locked, a serialization failure): the job is tried this often
ATTEMPTS = 3

Progress = Callable[[int], None]


class JobTaken(DomainError):
    """Another sweep has claimed the job since (this one ran too long): what this one registered is rolled back."""


def as_rows(cases: list[NewCase]) -> list[dict[str, Any]]:
    return [{**asdict(case), "received_on": case.received_on.isoformat(), "reply_due": case.reply_due.isoformat(),
             "category": case.category.value} for case in cases]


def as_cases(rows: list[dict[str, Any]]) -> list[NewCase]:
    return [NewCase(**{**row, "received_on": date.fromisoformat(row["received_on"]),
                       "reply_due": date.fromisoformat(row["reply_due"]), "category": CaseCategory(row["category"])})
            for row in rows]


def queue_job(step: Step, round_id: int, file_name: str, cases: list[NewCase]) -> CaseImportJob:
    job = CaseImportJob(round_id=round_id, file_name=file_name[:255], rows=as_rows(cases), total=len(cases), done=0,
                        state=ImportJobState.QUEUED, attempts=0, error="", queued_at=step.now,
                        queued_by_id=step.actor.user_id)
    step.session.add(job)
    step.session.flush()
    step.audit("case.import_queued", ("case_import_job", job.id),
               f"信访件批量导入排队：{len(cases)} 件（{file_name}）", after={"cases": len(cases), "job": job.id})
    return job


def register_batch(step: Step, round_id: int, file_name: str, cases: list[NewCase],
                   progress: Progress | None = None) -> CaseBatch:
    """The round's next batch, every case handed to its unit; ImportRejected (nothing written) if a case's number
    was imported meanwhile. The caller settles the step."""
    known = set(step.session.scalars(select(ComplaintCase.number).where(
        ComplaintCase.number.in_([case.number for case in cases]))))
    if known:
        raise ImportRejected([Problem(0, "案件编号", f"信访件 {number} 已经导入过") for number in sorted(known)][:20])
    return take_batch(step, round_id, next_batch_number(step, round_id), file_name, cases, progress)


def claim(session: Session, now: datetime, passed: Collection[int] = ()) -> tuple[int, int] | None:
    """Take the oldest queued job (or one whose sweep was lost) for this sweep: (job id, attempt), or None. `passed`
    are the jobs this sweep has run already (one that failed for a moment waits for the next sweep)."""
    waiting = or_(CaseImportJob.state == ImportJobState.QUEUED,
                  (CaseImportJob.state == ImportJobState.RUNNING) & (CaseImportJob.started_at < now - STALE_AFTER))
    for job_id, attempts in session.execute(select(CaseImportJob.id, CaseImportJob.attempts).where(
            waiting, CaseImportJob.id.not_in(passed)).order_by(CaseImportJob.id).limit(5)):
        taken = session.execute(update(CaseImportJob).where(
            CaseImportJob.id == job_id, CaseImportJob.attempts == attempts, waiting).values(
            state=ImportJobState.RUNNING, started_at=now, attempts=attempts + 1, done=0)
            .execution_options(synchronize_session=False))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return job_id, attempts + 1
    return None


def run_job(step: Step, job_id: int, attempt: int, progress: Progress) -> CaseBatch:
    """Register the job's batch and mark it done, as the claim `attempt` (JobTaken if another sweep took it since)."""
    job = step.session.get_one(CaseImportJob, job_id)
    batch = register_batch(step, job.round_id, job.file_name, as_cases(job.rows), progress)
    finished = step.session.execute(update(CaseImportJob).where(
        CaseImportJob.id == job_id, CaseImportJob.attempts == attempt, CaseImportJob.state == ImportJobState.RUNNING)
        .values(state=ImportJobState.DONE, done=job.total, batch_id=batch.id, finished_at=step.now, error="")
        .execution_options(synchronize_session=False))
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        raise JobTaken("这批信访件已由另一个后台进程导入")
    step.audit("case.import_done", ("case_import_job", job_id),
               f"信访件批量导入完成：第{batch.number}批 {job.total} 件（{job.file_name}）",
               after={"batch_id": batch.id, "cases": job.total})
    return batch


def fail_job(step: Step, job_id: int, error: str, again: bool) -> None:
    """The run rolled back: the job waits for the next sweep (`again`, a failure of the moment) or has failed."""
    job = step.session.get_one(CaseImportJob, job_id)
    if job.state is not ImportJobState.RUNNING:
        return
    job.error, job.done = error, 0
    if again:
        job.state = ImportJobState.QUEUED
        return
    job.state, job.finished_at = ImportJobState.FAILED, step.now
    step.audit("case.import_failed", ("case_import_job", job_id),
               f"信访件批量导入失败，未导入任何信访件（{job.file_name}）：{error}", after={"error": error})


def record_progress(session: Session, job_id: int, done: int) -> None:
    session.execute(update(CaseImportJob).where(CaseImportJob.id == job_id, CaseImportJob.state ==
                                                ImportJobState.RUNNING).values(done=done)
                    .execution_options(synchronize_session=False))


def problems_text(problems: list[Problem]) -> str:
    return "；".join(str(problem) for problem in problems)
