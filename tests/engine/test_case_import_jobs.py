"""A batch of complaint cases confirmed on the page is queued, then registered by the next sweep, all or nothing; a
failure of the moment is tried again, a failing batch registers nothing and says why; one sweep runs a job."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.core.errors import Busy, PermissionDenied
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import CaseStatus, ImportJobState
from engine.features.cases import import_jobs, import_usecases, registration
from engine.features.cases.import_jobs import JobTaken, claim
from engine.features.cases.import_usecases import UNEXPECTED, CaseImportJobs
from engine.store.models import AuditEvent, CaseBatch, CaseImportJob, ComplaintCase, ProcessInstance
from tests.cases import ROWS, batch_csv, case_named, import_batch
from tests.factories import World

FIRST = ROWS[0].split(",")[0]


def queue(world: World, *rows: str) -> int:
    return world.duban.case_import.queue(world["coordinator"], batch_csv(*rows), "第一批.csv")


def registered(world: World) -> tuple[int, int, int]:
    """Batches, cases and their process instances in the database."""
    with world.duban.db.transaction(write=False) as session:
        return (session.scalar(select(func.count(CaseBatch.id))) or 0,
                session.scalar(select(func.count(ComplaintCase.id))) or 0,
                session.scalar(select(func.count(ProcessInstance.id)).where(
                    ProcessInstance.process_id == "complaint_case")) or 0)


def audited(world: World) -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "case_import_job")
                                    .order_by(AuditEvent.id)))


def test_a_queued_batch_is_registered_by_the_next_sweep(world: World) -> None:
    job_id = queue(world)
    job = world.duban.case_jobs.job(world["coordinator"], job_id)
    assert (job.state, job.total, job.done, job.queued_by) == (ImportJobState.QUEUED, 3, 0, "coordinator")
    assert registered(world) == (0, 0, 0)  # nothing until the sweep takes it
    world.tick(seconds=1)
    job = world.duban.case_jobs.job(world["coordinator"], job_id)
    assert (job.state, job.done, job.batch_number, job.error) == (ImportJobState.DONE, 3, 1, "")
    assert registered(world) == (1, 3, 3)
    assert case_named(world, FIRST).status is CaseStatus.SIGNING
    assert [w.form for w in world.work_for("staff")] == ["case_sign"]
    assert audited(world) == ["case.import_queued", "case.import_done"]
    with world.duban.db.transaction(write=False) as session:
        batch = session.scalars(select(CaseBatch)).one()
        assert batch.imported_by_id == world["coordinator"].user_id and batch.file_name == "第一批.csv"
    world.tick(seconds=1)
    assert registered(world) == (1, 3, 3)  # a done job is not run again


def test_a_bad_file_is_not_queued(world: World) -> None:
    with pytest.raises(ImportRejected):
        queue(world, "Y1,2026-02-30,内容,地点,对象,大气,江阳区,2026-03-31")
    assert world.duban.case_jobs.recent(world["coordinator"]) == []


def test_a_batch_whose_case_was_imported_meanwhile_fails_and_registers_nothing(world: World) -> None:
    job_id = queue(world)
    import_batch(world, ROWS[0])  # the command line imports one of its cases first
    world.tick(seconds=1)
    job = world.duban.case_jobs.job(world["coordinator"], job_id)
    assert job.state is ImportJobState.FAILED and job.batch_id is None
    assert f"信访件 {FIRST} 已经导入过" in job.error
    assert registered(world) == (1, 1, 1)  # the command line's batch only
    assert audited(world) == ["case.import_queued", "case.import_failed"]


def test_an_unexpected_failure_rolls_back_the_whole_batch(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = queue(world)
    started = import_jobs.take_batch

    def breaks_after_the_cases(*args: object, **kwargs: object) -> object:
        started(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_jobs, "take_batch", breaks_after_the_cases)
    world.tick(seconds=1)
    job = world.duban.case_jobs.job(world["coordinator"], job_id)
    assert (job.state, job.error) == (ImportJobState.FAILED, UNEXPECTED)  # no exception text shown
    assert registered(world) == (0, 0, 0)


def test_a_busy_database_is_tried_again_at_the_next_sweep(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = queue(world)
    real, calls = import_usecases.run_job, []

    def busy_once(*args: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise Busy("系统繁忙，请稍后重试")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(import_usecases, "run_job", busy_once)
    world.tick(seconds=1)
    job = world.duban.case_jobs.job(world["coordinator"], job_id)
    assert job.state is ImportJobState.QUEUED and registered(world) == (0, 0, 0)
    world.tick(seconds=1)
    assert world.duban.case_jobs.job(world["coordinator"], job_id).state is ImportJobState.DONE
    assert registered(world) == (1, 3, 3)


def test_a_busy_database_that_stays_busy_fails_the_job(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = queue(world)

    def busy(*args: object) -> object:
        raise Busy("系统繁忙，请稍后重试")

    monkeypatch.setattr(import_usecases, "run_job", busy)
    for _ in range(import_jobs.ATTEMPTS):
        world.tick(seconds=1)
    job = world.duban.case_jobs.job(world["coordinator"], job_id)
    assert (job.state, job.error) == (ImportJobState.FAILED, "系统繁忙，请稍后重试")


def test_two_sweeps_claiming_one_job_run_it_once(world: World) -> None:
    job_id = queue(world)
    now = world.duban.clock.now()
    first = world.duban.transactions.run(lambda s: claim(s, now))
    second = world.duban.transactions.run(lambda s: claim(s, now))
    assert first == (job_id, 1) and second is None
    later = now + import_jobs.STALE_AFTER + timedelta(minutes=1)  # the first sweep's process seems lost
    third = world.duban.transactions.run(lambda s: claim(s, later))
    assert third == (job_id, 2)

    def run(attempt: int) -> object:
        def work(session: object) -> object:
            step = world.duban.processes.step(session, world["coordinator"])  # type: ignore[arg-type]
            return import_jobs.run_job(step, job_id, attempt, lambda done: None)
        return world.duban.transactions.run(work)

    with pytest.raises(JobTaken):
        run(1)  # the first sweep, back after all: what it registered rolls back
    assert registered(world) == (0, 0, 0)
    run(2)
    assert registered(world) == (1, 3, 3)
    with world.duban.db.transaction(write=False) as session:
        assert session.get_one(CaseImportJob, job_id).state is ImportJobState.DONE


def test_only_who_may_import_may_queue_or_see_jobs(world: World) -> None:
    job_id = queue(world)
    for username in ("staff", "supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            world.duban.case_jobs.job(world[username], job_id)
        with pytest.raises(PermissionDenied):
            world.duban.case_import.queue(world[username], batch_csv(), "x.csv")
    assert [job.id for job in world.duban.case_jobs.recent(world["coordinator"])] == [job_id]


def test_the_cases_handed_so_far_are_counted_beside_the_import(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL another transaction reads the count while the import's own is still open (SQLite, with one
    writer, is told the count but shows it at the end)."""
    monkeypatch.setattr(registration, "SLICE", 1)
    job_id, seen = queue(world), []
    counting = CaseImportJobs._progress

    def watched(jobs: CaseImportJobs, job_id: int) -> Callable[[int], None]:
        write = counting(jobs, job_id)

        def progress(done: int) -> None:
            write(done)
            seen.append(done if world.duban.db.is_sqlite else world.duban.transactions.read(
                lambda s: s.get_one(CaseImportJob, job_id).done))
        return progress

    monkeypatch.setattr(CaseImportJobs, "_progress", watched)
    world.tick(seconds=1)
    assert seen == [1, 2, 3]
    assert world.duban.case_jobs.job(world["coordinator"], job_id).state is ImportJobState.DONE
