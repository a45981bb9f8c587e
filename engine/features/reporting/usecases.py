"""Use cases of the office's reporting: the dashboard, the ledger in Excel, the monthly bulletin.

An actor of the system role (the `duban` command run by the operator) passes the permission checks
and sees every task; a person sees what their role's scope allows (access.task_filter).
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import ColumnElement, true
from sqlalchemy.exc import IntegrityError

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.spreadsheet import ImportRejected, Problem, read_table
from engine.features.accounts.access import Access
from engine.features.rectification.queries import LedgerFilters
from engine.features.reporting import bulletin, dashboard, ledger_export, ledger_import
from engine.features.reporting.bulletin_docx import render_docx
from engine.features.reporting.ledger_import import ProgressReporter
from engine.store.database import Session
from engine.store.models import RectificationTask
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


class _DryRun(Exception):
    """Raised inside a checking-only import so that its transaction rolls back."""

    def __init__(self, result: ledger_import.ImportResult) -> None:
        self.result = result


class ReportingUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.clock = processes.runtime.clock

    def _scope(self, actor: Actor) -> ColumnElement[bool]:
        return true() if actor.is_system() else self.access.task_filter(actor)

    def dashboard(self, actor: Actor) -> dashboard.Dashboard:
        self.access.require(actor, "dashboard.view")
        return self.transactions.read(lambda s: dashboard.build_dashboard(s, self._scope(actor), self.clock.now()))

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

    def import_tasks(self, actor: Actor, content: bytes, *, file_name: str = "", dry_run: bool = False,
                     progress: ProgressReporter = ledger_import.SILENT) -> ledger_import.ImportResult:
        """Register every new task of an .xlsx ledger, each with its process started; all or nothing."""
        self.access.require(actor, "ledger.import")
        rows = read_table(content, ledger_import.LEDGER_COLUMNS)

        def work(session: Session) -> ledger_import.ImportResult:
            step = self.processes.step(session, actor)
            result = ledger_import.import_rows(step, rows, progress)
            if dry_run:
                raise _DryRun(result)
            self.processes.settle([replace(step, task=session.get_one(RectificationTask, task_id))
                                   for task_id in result.task_ids.values()])
            if result.created or result.new_categories:
                step.audit("ledger.imported", ("ledger", file_name or "xlsx"),
                           f"导入台账{f'「{file_name}」' if file_name else ''}：新登记 {len(result.created)} 项，"
                           f"未变 {len(result.unchanged)} 项", after={"created": result.created,
                                                                     "new_categories": result.new_categories})
            return result

        try:
            return self.transactions.run(work)
        except _DryRun as checked:
            return replace(checked.result, dry_run=True, task_ids={})
        except IntegrityError:  # a task with one of these codes was registered meanwhile
            clash = Problem(0, "编号", "导入时有相同编号的任务被登记，未导入任何内容，请重新导入")
            raise ImportRejected([clash]) from None

    # --- the monthly bulletin -------------------------------------------------------------------

    def bulletin(self, actor: Actor, month: str) -> bytes:
        """月度通报 of a month (YYYY-MM) as .docx."""
        self.access.require(actor, "bulletin.make")

        def work(session: Session) -> bytes:
            data = bulletin.bulletin_data(session, self._scope(actor), month, self.clock.now())
            self.processes.step(session, actor).audit("bulletin.made", ("bulletin", month),
                                                      f"生成{data.label}月度通报")
            return render_docx(data)

        return self.transactions.run(work)

    def bulletin_data(self, actor: Actor, month: str) -> bulletin.BulletinData:
        self.access.require(actor, "bulletin.make")
        return self.transactions.read(
            lambda s: bulletin.bulletin_data(s, self._scope(actor), month, self.clock.now()))
