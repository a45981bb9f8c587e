"""Use cases of the office's reporting: the dashboard, the ledger in Excel, the monthly bulletin.

An actor of the system role (the `duban` command run by the operator) passes the permission checks
and sees every task; a person sees what their role's scope allows (access.task_filter).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import True_

from engine.core.actor import Actor
from engine.core.clock import local_midnight, local_today
from engine.core.errors import DomainError, InvalidSubmission
from engine.core.grid import read_grid
from engine.core.periods import parse_period
from engine.core.spreadsheet import ImportRejected, Problem
from engine.features.accounts.access import Access
from engine.features.cases.counts import CaseCounts, case_counts, case_escalations
from engine.features.measures.bulletin import month_figures
from engine.features.measures.queries import MeasureFigures
from engine.features.measures.queries import figures as measure_figures
from engine.features.rectification.queries import LedgerFilters, month_end
from engine.features.reporting import (
    bulletin,
    dashboard,
    dashboard_summary,
    ledger_export,
    ledger_import,
    unit_record,
)
from engine.features.reporting.bulletin_docx import render_docx
from engine.features.reporting.ledger_import import ProgressReporter
from engine.features.reporting.ledger_preview import LedgerPreview, preview_ledger
from engine.features.reporting.ledger_reading import FIELDS, ReadLedger, read_ledger
from engine.store.database import Session
from engine.store.files import CheckedFile, FileStore
from engine.store.models import ComplaintCase, ImportProfile, InspectionRound, RectificationTask
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes

SHA256 = re.compile(r"^[0-9a-f]{64}$")
PROFILE_NAME_MAX = 100


class _RolledBack(Exception):
    """Raised inside a preview or a checking-only import so that its transaction rolls back."""

    def __init__(self, value: Any) -> None:
        self.value = value


class ReportingUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access, files: FileStore) -> None:
        self.transactions = transactions
        self.files = files
        self.processes = processes
        self.access = access
        self.clock = processes.runtime.clock

    def _scope(self, actor: Actor, round_id: int | None = None) -> ColumnElement[bool]:
        """The tasks the actor sees, of one round if one is chosen (else of every round: the city-wide view)."""
        seen = true() if actor.is_system() else self.access.task_filter(actor)
        return and_(seen, RectificationTask.round_id == round_id) if round_id else seen

    def dashboard(self, actor: Actor, round_id: int | None = None) -> dashboard.Dashboard:
        """The dashboard of the tasks the actor sees (of one inspection round, given one); for everyone who sees
        them all, the sweep's summary of a province (dashboard_summary.py)."""
        self.access.require(actor, "dashboard.view")

        def work(session: Session) -> dashboard.Dashboard:
            now, settings = self.clock.now(), self.processes.settings
            kept = dashboard_summary.read(session, now, settings, round_id) if _sees_all(self._scope(actor)) else None
            board = kept or self._counted(session, self._scope(actor, round_id), now)
            return replace(board, measures=self._measures(session, actor),
                           cases=self._cases(session, actor, round_id))

        return self.transactions.read(work)

    def refresh_dashboard(self) -> bool:
        """Count the dashboard of every task for the summary (a pass of the sweep); whether a summary is kept."""
        counted = self.transactions.read(lambda session: dashboard_summary.count(
            session, self._counted, self.clock.now(), self.processes.settings))
        self.transactions.run(lambda session: dashboard_summary.keep(session, counted))
        return bool(counted)

    def _counted(self, session: Session, scope: ColumnElement[bool], now: datetime) -> dashboard.Dashboard:
        """The dashboard of the tasks in scope as counted now (what the summary keeps: nobody's own figures)."""
        built = dashboard.build_dashboard(session, scope, now)
        return replace(built, open_instructions=unit_record.open_instructions(session, scope),
                       instructed_tasks=unit_record.instructed_tasks(session, scope),
                       unit_records=unit_record.unit_records(session, scope, self.processes.settings))

    def _measures(self, session: Session, actor: Actor) -> MeasureFigures | None:
        if not actor.is_system() and not self.access.roles.allows(actor.role, "measure.view"):
            return None
        today = local_today(self.clock)
        found = measure_figures(session, self.access, actor, today, self.processes.settings)
        return found if found.total else None

    # --- the ledger in Excel ------------------------------------------------------------------

    def export_ledger(self, actor: Actor, filters: LedgerFilters,
                      progress: ProgressReporter = ledger_import.SILENT) -> tuple[bytes, int]:
        """The ledger as .xlsx, filtered like the page (every page of it); (content, number of tasks)."""
        self.access.require(actor, "ledger.export")

        def work(session: Session) -> tuple[bytes, int]:
            rows = ledger_export.export_rows(session, self._scope(actor), replace(filters, page=1))
            described = ledger_export.describe_filters(session, filters)
            meta = ledger_export.ExportMeta(self.clock.now(), actor.display_name, described)
            content = ledger_export.ledger_workbook(rows, local_today(self.clock), meta, progress)
            self.processes.step(session, actor).audit("ledger.exported", ("ledger", "xlsx"),
                                                      f"导出台账 {len(rows)} 项任务",
                                                      after={"count": len(rows), "filters": described})
            return content, len(rows)

        return self.transactions.run(work)

    def preview_import(self, actor: Actor, content: bytes, *, mapping: Mapping[str, str] | None = None,
                       profile: str = "", round_id: int | None = None) -> LedgerPreview:
        """Every row of a ledger as it would be imported, with its warnings and problems; nothing is kept."""
        self.access.require(actor, "ledger.import")
        ledger = self._read(content, mapping, profile)

        def work(session: Session) -> LedgerPreview:
            raise _RolledBack(preview_ledger(self.processes.step(session, actor), ledger, self.access.roles, round_id))

        try:
            return self.transactions.run(work)
        except _RolledBack as done:
            preview: LedgerPreview = done.value
            return preview

    def import_tasks(self, actor: Actor, content: bytes, *, file_name: str = "", dry_run: bool = False,
                     mapping: Mapping[str, str] | None = None, profile: str = "", round_id: int | None = None,
                     progress: ProgressReporter = ledger_import.SILENT) -> ledger_import.ImportResult:
        """Register every new task of a ledger (.xlsx, .xls, .csv) in a round (else the current one), each with its
        process started; all or nothing."""
        self.access.require(actor, "ledger.import")
        ledger = self._read(content, mapping, profile)

        def work(session: Session) -> ledger_import.ImportResult:
            step = self.processes.step(session, actor)
            preview = preview_ledger(step, ledger, self.access.roles, round_id)
            result = ledger_import.register_rows(step, preview, progress)
            if dry_run:
                raise _RolledBack(result)
            self.processes.settle([replace(step, task=session.get_one(RectificationTask, task_id))
                                   for task_id in result.task_ids.values()])
            if result.created or result.new_categories:
                step.audit("ledger.imported", ("ledger", file_name or "xlsx"),
                           f"导入台账{f'「{file_name}」' if file_name else ''}到{preview.round_name}："
                           f"新登记 {len(result.created)} 项，"
                           f"未变 {len(result.unchanged)} 项", after={"created": result.created,
                                                                     "new_categories": result.new_categories,
                                                                     "round": preview.round_name})
            return result

        try:
            return self.transactions.run(work)
        except _RolledBack as checked:
            return replace(checked.value, dry_run=True, task_ids={})
        except IntegrityError:  # a task with one of these codes was registered meanwhile
            clash = Problem(0, "编号", "导入时有相同编号的任务被登记，未导入任何内容，请重新导入")
            raise ImportRejected([clash]) from None

    def _read(self, content: bytes, mapping: Mapping[str, str] | None, profile: str) -> ReadLedger:
        """The ledger's rows, its columns named by the saved profile, then by `mapping` (header -> field)."""
        chosen = {**(self._profile(profile) if profile else {}), **(mapping or {})}
        try:
            return read_ledger(read_grid(content), chosen)
        except ValueError as exc:
            raise ImportRejected([Problem(0, "", str(exc))]) from None

    # --- an uploaded ledger between the steps of the web import, and saved column mappings ------------

    def keep_ledger(self, actor: Actor, content: bytes, file_name: str) -> str:
        """Keep an uploaded ledger under its SHA-256 until the person confirms; the hash names it."""
        self.access.require(actor, "ledger.import")
        sha256 = hashlib.sha256(content).hexdigest()
        self.files.writer().save(CheckedFile(file_name, sha256, len(content), "application/octet-stream", content))
        return sha256

    def kept_ledger(self, actor: Actor, sha256: str) -> bytes:
        """A ledger kept by keep_ledger; DomainError if there is none by that hash."""
        self.access.require(actor, "ledger.import")
        path = self.files.path(sha256) if SHA256.match(sha256) else None
        if path is None or not path.is_file():
            raise DomainError("上传的文件已不在，请重新上传")
        return path.read_bytes()

    def import_profiles(self, actor: Actor) -> dict[str, dict[str, str]]:
        """The saved column mappings, by name."""
        self.access.require(actor, "ledger.import")
        return self.transactions.read(lambda s: {p.name: dict(p.mapping) for p in s.scalars(
            select(ImportProfile).order_by(ImportProfile.name))})

    def save_import_profile(self, actor: Actor, name: str, mapping: Mapping[str, str]) -> None:
        """Save (or replace) a named mapping of headers to fields, for the next file laid out the same way."""
        self.access.require(actor, "ledger.import")
        name = " ".join(name.split())
        if not name or len(name) > PROFILE_NAME_MAX:
            raise InvalidSubmission({"profile_name": [f"方案名称须为 1 至 {PROFILE_NAME_MAX} 个字"]})
        wrong = [field for field in mapping.values() if field not in FIELDS]
        if wrong:
            raise InvalidSubmission({"profile_name": [f"没有这些字段：{'、'.join(wrong)}"]})

        def work(session: Session) -> None:
            profile = session.scalar(select(ImportProfile).where(ImportProfile.name == name))
            before = dict(profile.mapping) if profile else None
            profile = profile or ImportProfile(name=name)
            profile.mapping, profile.saved_at = dict(mapping), self.clock.now()
            session.add(profile)
            session.flush()
            self.processes.step(session, actor).audit("import_profile.saved", ("import_profile", profile.id),
                                                      f"保存台账列对应方案「{name}」", before=before,
                                                      after=dict(mapping))

        self.transactions.run(work)

    def _profile(self, name: str) -> dict[str, str]:
        profiles = self.transactions.read(lambda s: {p.name: dict(p.mapping) for p in s.scalars(select(ImportProfile))})
        if name not in profiles:
            known = "、".join(profiles) or "（还没有保存的方案）"
            raise DomainError(f"没有名为「{name}」的列对应方案；已保存的方案：{known}")
        return profiles[name]

    # --- the monthly bulletin -------------------------------------------------------------------

    def bulletin(self, actor: Actor, month: str, round_id: int | None = None) -> bytes:
        """月度通报 of a month (YYYY-MM) as .docx, of one round or of every round."""
        self.access.require(actor, "bulletin.make")

        def work(session: Session) -> bytes:
            data = self._bulletin_data(session, actor, month, round_id)
            self.processes.step(session, actor).audit(
                "bulletin.made", ("bulletin", month),
                f"生成{data.label}月度通报{f'（{data.round_name}）' if data.round_name else ''}")
            return render_docx(data)

        return self.transactions.run(work)

    def bulletin_data(self, actor: Actor, month: str, round_id: int | None = None) -> bulletin.BulletinData:
        self.access.require(actor, "bulletin.make")
        return self.transactions.read(lambda s: self._bulletin_data(s, actor, month, round_id))

    def _bulletin_data(self, session: Session, actor: Actor, month: str, round_id: int | None) -> bulletin.BulletinData:
        """The month's figures (of one round, or of all), the strengthening measures' paragraph included."""
        data = bulletin.bulletin_data(session, self._scope(actor, round_id), month, self.clock.now())
        chosen = session.get(InspectionRound, round_id) if round_id else None
        start = local_midnight(parse_period(month))
        measures = month_figures(session, self.access, start, month_end(month), self.clock.now(),
                                 self.processes.settings)
        escalations = self._with_cases(session, actor, data.escalations, round_id, start, month_end(month))
        return replace(data, round_name=chosen.name if chosen else "", measures=measures,
                       cases=self._cases(session, actor, round_id), escalations=escalations)

    def _cases(self, session: Session, actor: Actor, round_id: int | None = None) -> CaseCounts | None:
        """The complaint cases' figures (of one inspection round, given one), when the person may see cases."""
        visible = self._visible_cases(actor, round_id)
        return case_counts(session, visible, local_today(self.clock)) if visible is not None else None

    def _visible_cases(self, actor: Actor, round_id: int | None) -> ColumnElement[bool] | None:
        if not actor.is_system() and not self.access.roles.allows(actor.role, "case.view"):
            return None
        visible = self.access.case_filter(actor) if not actor.is_system() else true()
        return and_(visible, ComplaintCase.round_id == round_id) if round_id is not None else visible

    def _with_cases(self, session: Session, actor: Actor, tasks: dashboard.EscalationSummary, round_id: int | None,
                    start: datetime, end: datetime) -> dashboard.EscalationSummary:
        """The month's escalations of tasks, and of the complaint cases the person sees (named by their number)."""
        visible = self._visible_cases(actor, round_id)
        if visible is None:
            return tasks
        cases = case_escalations(session, visible, start, min(end, self.clock.now()))
        issued = sorted([*tasks.issued, *cases.issued], key=lambda item: item["issued_at"])
        return replace(tasks, issued=issued, started=tasks.started + cases.started)


def _sees_all(scope: ColumnElement[bool]) -> bool:
    return isinstance(scope, True_)
