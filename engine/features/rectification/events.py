"""What happens to a rectification task that other features act on (they subscribe in their register())."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskAssigned:
    """交办: the task went to its lead unit (and its cooperating units), to plan and report on it."""


@dataclass(frozen=True)
class ReportRequested:
    """A month is over: the lead unit owes its report of `period` by `due` (an ISO date)."""

    period: str
    due: str


@dataclass(frozen=True)
class ReportSubmitted:
    """The lead unit's head signed the report of `period`: it goes up to the supervision group."""

    period: str


@dataclass(frozen=True)
class TaskSlipped:
    """The task's work slipped: a monthly report overdue (report_overdue), a report judged lagging (lagging),
    the deadline passed without sign-off (deadline_passed). `detail` says what, in the audit trail's words."""

    reason: str
    detail: str


@dataclass(frozen=True)
class TaskClosed:
    """销号: the task is done; `reason` is why what still waits for it is moot."""

    reason: str
