"""Business settings with their defaults; each can be overridden from the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    #: the monthly report for a month is due on this day of the following month
    report_day: int = 5
    #: a reminder appears this many days before a report is due
    reminder_days: int = 3
    #: a task turns yellow this many days before its deadline
    deadline_warning_days: int = 30
    #: a task that was yellow for this many report periods in a row turns red
    red_after_yellow_periods: int = 2
    #: working days the supervision group has to review a plan or report
    review_working_days: int = 5
    #: the web server sweeps due timers this often (0: never; `duban tick` still works)
    sweep_seconds: int = 60
    #: a timer that met a database failure (a lost connection, a serialization failure) is tried again this
    #: many times, after 1, 2, 4 … times this many seconds, before it becomes an incident
    timer_retries: int = 3
    timer_retry_seconds: int = 2
    #: 公示: a sign-off notice stays on the public pages this many working days
    notice_working_days: int = 5
    #: the largest evidence file accepted, in MB
    evidence_max_mb: int = 20
    #: objections one address may file per hour on the public form
    objections_per_hour: int = 5
    #: consecutive failed logins that lock an account
    login_max_failures: int = 5
    #: failed logins one client address may make a minute and an hour (a correct password still gets in)
    login_failures_per_minute: int = 10
    login_failures_per_hour: int = 60
    #: how long a lock lasts; 0 keeps the account locked until an administrator unlocks it
    lockout_minutes: int = 30
    #: a login session ends this many hours after it began, whatever happens
    session_hours: int = 12
    #: ... or after this many minutes without a request
    session_idle_minutes: int = 120
    #: the level (1 通报 … 4 追责) a task's first escalation is proposed at, for an overdue or lagging report
    #: or by hand; and when the deadline passed
    escalation_start_level: int = 1
    escalation_deadline_start_level: int = 1
    #: escalations older than this many days no longer count on the ladder (0: the task's whole history)
    escalation_memory_days: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values = {}
        for item in fields(cls):
            raw = environ.get(f"DUBAN_{item.name.upper()}")
            if raw is not None:
                values[item.name] = _parse_int(item.name, raw)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if not 1 <= self.report_day <= 28:
            raise ValueError("DUBAN_REPORT_DAY must be between 1 and 28")
        if not 0 <= self.reminder_days <= 27:
            raise ValueError("DUBAN_REMINDER_DAYS must be between 0 and 27")
        if not 1 <= self.deadline_warning_days <= 365:
            raise ValueError("DUBAN_DEADLINE_WARNING_DAYS must be between 1 and 365")
        if not 1 <= self.red_after_yellow_periods <= 12:
            raise ValueError("DUBAN_RED_AFTER_YELLOW_PERIODS must be between 1 and 12")
        if not 1 <= self.review_working_days <= 60:
            raise ValueError("DUBAN_REVIEW_WORKING_DAYS must be between 1 and 60")
        if not 0 <= self.sweep_seconds <= 86_400:
            raise ValueError("DUBAN_SWEEP_SECONDS must be between 0 and 86400")
        if not 0 <= self.timer_retries <= 10:
            raise ValueError("DUBAN_TIMER_RETRIES must be between 0 and 10")
        if not 0 <= self.timer_retry_seconds <= 60:
            raise ValueError("DUBAN_TIMER_RETRY_SECONDS must be between 0 and 60")
        if not 1 <= self.notice_working_days <= 30:
            raise ValueError("DUBAN_NOTICE_WORKING_DAYS must be between 1 and 30")
        if not 1 <= self.evidence_max_mb <= 500:
            raise ValueError("DUBAN_EVIDENCE_MAX_MB must be between 1 and 500")
        if not 1 <= self.objections_per_hour <= 1000:
            raise ValueError("DUBAN_OBJECTIONS_PER_HOUR must be between 1 and 1000")
        self._check_login()
        self._check_escalation()

    def _check_login(self) -> None:
        if not 1 <= self.login_max_failures <= 100:
            raise ValueError("DUBAN_LOGIN_MAX_FAILURES must be between 1 and 100")
        if not 1 <= self.login_failures_per_minute <= self.login_failures_per_hour <= 100_000:
            raise ValueError("DUBAN_LOGIN_FAILURES_PER_MINUTE must be at least 1 and at most "
                             "DUBAN_LOGIN_FAILURES_PER_HOUR")
        if not 0 <= self.lockout_minutes <= 7 * 24 * 60:
            raise ValueError("DUBAN_LOCKOUT_MINUTES must be between 0 (until unlocked) and 10080")
        if not 1 <= self.session_hours <= 24 * 30:
            raise ValueError("DUBAN_SESSION_HOURS must be between 1 and 720")
        if not 5 <= self.session_idle_minutes <= 24 * 60:
            raise ValueError("DUBAN_SESSION_IDLE_MINUTES must be between 5 and 1440")

    def _check_escalation(self) -> None:
        for name in ("escalation_start_level", "escalation_deadline_start_level"):
            if not 1 <= getattr(self, name) <= 4:
                raise ValueError(f"DUBAN_{name.upper()} must be between 1 (通报) and 4 (追责)")
        if not 0 <= self.escalation_memory_days <= 3650:
            raise ValueError("DUBAN_ESCALATION_MEMORY_DAYS must be between 0 and 3650")


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"DUBAN_{name.upper()} must be a whole number, not {raw!r}") from None
