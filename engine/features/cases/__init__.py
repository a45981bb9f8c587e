"""信访件: complaint cases from the public, handed down by the inspection group in numbered batches (第N批).

Each case runs workflows/complaint_case.bpmn: its unit signs for it (签收) or returns it (退办, the coordination
group gives it to another unit or back); the unit investigates and reports what it found (查实, 部分查实, 不属实) and
what it did, with evidence; the supervision group accepts the result or returns it. The report is due in working
days (Settings.case_report_working_days); a case is yellow near that date and red after it, when the unit and the
coordination group are reminded. A unit sees only the cases handed to it. Work that takes longer goes on as a
task of the ledger (aftercare.py); a share of the closed cases is called back, and 不满意 reopens the case.
An overdue or repeatedly returned case climbs the escalation ladder as a task does (ladder.py).
The batch import is the reporting feature's (it reads spreadsheets); the public pages are the public feature's.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.cases.actions import remind_case_overdue, route_to_case_unit
from engine.features.cases.aftercare import end_rectifying
from engine.features.cases.forms import HANDLERS
from engine.features.cases.ladder import escalate_overdue_case
from engine.features.rectification.events import TaskClosed
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms(HANDLERS)
    registry.add_actions({"remind_case_overdue": remind_case_overdue, "escalate_overdue_case": escalate_overdue_case})
    registry.on_saved(route_to_case_unit)
    registry.subscribe(TaskClosed, end_rectifying)
