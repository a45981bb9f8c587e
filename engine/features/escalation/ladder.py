"""The escalation ladder: which level a new escalation is proposed at. The rules live here and only here.

- A task's first escalation starts at the configured level for its trigger (通报 by default;
  DUBAN_ESCALATION_START_LEVEL, DUBAN_ESCALATION_DEADLINE_START_LEVEL).
- Each escalation that was approved (carried out) for the same task (or complaint case) and the same unit counts:
  the next one is proposed one step above the highest counted level, up to 追责.
- Escalations older than DUBAN_ESCALATION_MEMORY_DAYS no longer count (0: they always count).

The supervisor proposes what they see fit; this is only the default on their form.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.core.clock import LOCAL_TZ
from engine.core.settings import Settings
from engine.core.statuses import EscalationLevel, EscalationTriggerKind


@dataclass(frozen=True)
class PastEscalation:
    """An approved escalation of the same task and unit."""

    level: EscalationLevel
    decided_at: datetime


@dataclass(frozen=True)
class Suggestion:
    level: EscalationLevel
    why: str


class EscalationLadder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def start_level(self, trigger: EscalationTriggerKind) -> EscalationLevel:
        if trigger is EscalationTriggerKind.DEADLINE_PASSED:
            return EscalationLevel(self.settings.escalation_deadline_start_level)
        return EscalationLevel(self.settings.escalation_start_level)

    def counted(self, history: Sequence[PastEscalation], now: datetime) -> list[PastEscalation]:
        days = self.settings.escalation_memory_days
        return [past for past in history if not days or past.decided_at >= now - timedelta(days=days)]

    def suggest(self, trigger: EscalationTriggerKind, history: Sequence[PastEscalation],
                now: datetime, subject: str = "本任务") -> Suggestion:
        start = self.start_level(trigger)
        counted = self.counted(history, now)
        if not counted:
            return Suggestion(start, f"该单位此前未因{subject}被问责，建议{start.label}")
        highest = max(counted, key=lambda past: (past.level, past.decided_at))
        level = max(start, highest.level.climb())
        when = highest.decided_at.astimezone(LOCAL_TZ).date().isoformat()
        already = f"该单位已因{subject}被{highest.level.label}（{when} 批准）"
        if highest.level is EscalationLevel.ACCOUNTABILITY:
            return Suggestion(level, f"{already}，已是最高一级，建议再次追责")
        return Suggestion(level, f"{already}，建议升级为{level.label}")
