"""Business settings with their defaults; each can be overridden from the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    #: 签收: working days the lead and cooperating units have to acknowledge (or return) an assigned task
    receipt_working_days: int = 2
    #: 延期申请: extensions a task may be granted by its lead leader; a request beyond them goes to the
    #: leading group's head, the leader whose title is leading_group_head_title
    extensions_per_task: int = 1
    leading_group_head_title: str = "市委书记"
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
    #: a dashboard of this many tasks or more is counted by each sweep, not at each visit (0: always)
    dashboard_summary_tasks: int = 10_000
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
    #: 公文: the issuing office, as the documents' red header and signature say it
    document_issuer: str = "泸州市生态环境保护督察整改工作领导小组办公室"
    #: the 文号's prefix (its kind's series follows: 泸整改办函〔2026〕12号)
    document_prefix: str = "泸整改办"
    #: a directory of templates replacing duban's own (assignment.docx …); empty: duban's
    document_templates: str = ""
    #: an outgoing notification is tried this many times, waiting twice as long after each failure, starting at
    #: notify_backoff_minutes; then it is shown to the administrator as a delivery failure
    notify_attempts: int = 6
    notify_backoff_minutes: int = 1
    #: messages a group robot (WeCom, DingTalk) takes a minute, and notices put in one robot message
    robot_messages_per_minute: int = 20
    robot_notices_per_message: int = 10
    #: the local hour a daily digest is sent
    digest_hour: int = 8
    #: 领导批示: the answer date a leader's instruction proposes, in working days; the leader reads an answer within
    instruction_answer_working_days: int = 5
    instruction_read_working_days: int = 3
    #: 催办: the reply date a chase proposes, in working days
    chase_reply_working_days: int = 2
    #: 会办: a cooperating unit's monthly contribution is due this many days before the lead unit's report
    contribution_days_before_report: int = 3
    #: 强化措施: how often a measure's lead unit reports (month, quarter, half, year), the day of the month after
    #: a period its report is due, the days past that day after which a missing report turns the measure red,
    #: and the month whose first day opens the year's review (年度评估), due within measure_review_days
    measure_period: str = "quarter"
    measure_report_day: int = 10
    measure_red_after_days: int = 15
    measure_review_month: int = 12
    measure_review_days: int = 30
    #: 信访件: working days a unit has to sign for (or return) a complaint case, and to report its findings; a
    #: case turns yellow this many working days before its report is due
    case_sign_working_days: int = 1
    case_report_working_days: int = 7
    case_warning_working_days: int = 2
    #: 督办问责 of a case: proposed when its result is still not reported this many working days after its report
    #: date, or when the supervision group has returned its result this many times
    case_escalation_working_days: int = 3
    case_escalation_returns: int = 2
    #: 回访: the share (percent) of each publication's closed cases whose complainants are called back
    case_callback_percent: int = 30
    #: the outgoing channels (e-mail, robots, SMS) and the site's address for links: texts, not numbers
    channels: Channels = field(default_factory=lambda: Channels())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values = {}
        for item in fields(cls):
            if item.name == "channels":
                continue
            raw = environ.get(f"DUBAN_{item.name.upper()}")
            if raw is not None:
                values[item.name] = raw.strip() if item.type == "str" else _parse_int(item.name, raw)
        settings = cls(**values, channels=Channels.from_env(environ))
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
        self._check_receipts_and_extensions()
        if not self.document_issuer.strip() or not self.document_prefix.strip():
            raise ValueError("DUBAN_DOCUMENT_ISSUER and DUBAN_DOCUMENT_PREFIX must not be empty")
        self._check_notifications()
        self._check_instructions_chases_contributions()
        self._check_measures()
        self._check_cases()

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

    def _check_cases(self) -> None:
        for name in ("case_sign_working_days", "case_report_working_days", "case_warning_working_days",
                     "case_escalation_working_days"):
            if not 1 <= getattr(self, name) <= 60:
                raise ValueError(f"DUBAN_{name.upper()} must be between 1 and 60")
        if not 1 <= self.case_escalation_returns <= 10:
            raise ValueError("DUBAN_CASE_ESCALATION_RETURNS must be between 1 and 10")
        if not 0 <= self.case_callback_percent <= 100:
            raise ValueError("DUBAN_CASE_CALLBACK_PERCENT must be between 0 and 100")

    def _check_escalation(self) -> None:
        for name in ("escalation_start_level", "escalation_deadline_start_level"):
            if not 1 <= getattr(self, name) <= 4:
                raise ValueError(f"DUBAN_{name.upper()} must be between 1 (通报) and 4 (追责)")
        if not 0 <= self.escalation_memory_days <= 3650:
            raise ValueError("DUBAN_ESCALATION_MEMORY_DAYS must be between 0 and 3650")

    def _check_receipts_and_extensions(self) -> None:
        if not 1 <= self.receipt_working_days <= 20:
            raise ValueError("DUBAN_RECEIPT_WORKING_DAYS must be between 1 and 20")
        if not 0 <= self.extensions_per_task <= 10:
            raise ValueError("DUBAN_EXTENSIONS_PER_TASK must be between 0 and 10")
        if not self.leading_group_head_title.strip():
            raise ValueError("DUBAN_LEADING_GROUP_HEAD_TITLE must not be empty")

    def _check_instructions_chases_contributions(self) -> None:
        for name in ("instruction_answer_working_days", "instruction_read_working_days", "chase_reply_working_days"):
            if not 1 <= getattr(self, name) <= 60:
                raise ValueError(f"DUBAN_{name.upper()} must be between 1 and 60")
        if not 0 <= self.case_callback_percent <= 100:
            raise ValueError("DUBAN_CASE_CALLBACK_PERCENT must be between 0 and 100")
        if not 0 <= self.contribution_days_before_report <= 27:
            raise ValueError("DUBAN_CONTRIBUTION_DAYS_BEFORE_REPORT must be between 0 and 27")

    def _check_measures(self) -> None:
        if self.measure_period not in ("month", "quarter", "half", "year"):
            raise ValueError("DUBAN_MEASURE_PERIOD must be month, quarter, half or year")
        if not 1 <= self.measure_report_day <= 28:
            raise ValueError("DUBAN_MEASURE_REPORT_DAY must be between 1 and 28")
        if not 1 <= self.measure_red_after_days <= 365:
            raise ValueError("DUBAN_MEASURE_RED_AFTER_DAYS must be between 1 and 365")
        if not 1 <= self.measure_review_month <= 12:
            raise ValueError("DUBAN_MEASURE_REVIEW_MONTH must be between 1 and 12")
        if not 1 <= self.measure_review_days <= 90:
            raise ValueError("DUBAN_MEASURE_REVIEW_DAYS must be between 1 and 90")

    def _check_notifications(self) -> None:
        if not 1 <= self.notify_attempts <= 20:
            raise ValueError("DUBAN_NOTIFY_ATTEMPTS must be between 1 and 20")
        if not 1 <= self.notify_backoff_minutes <= 1440:
            raise ValueError("DUBAN_NOTIFY_BACKOFF_MINUTES must be between 1 and 1440")
        if not 1 <= self.robot_messages_per_minute <= 600:
            raise ValueError("DUBAN_ROBOT_MESSAGES_PER_MINUTE must be between 1 and 600")
        if not 1 <= self.robot_notices_per_message <= 50:
            raise ValueError("DUBAN_ROBOT_NOTICES_PER_MESSAGE must be between 1 and 50")
        if not 0 <= self.digest_hour <= 23:
            raise ValueError("DUBAN_DIGEST_HOUR must be between 0 and 23")
        self.channels.check()


@dataclass(frozen=True)
class Channels:
    """Where notifications go besides the notification centre; a channel with no address is off."""

    #: the site's address, for the links in messages (e.g. https://duban.example.gov.cn)
    base_url: str = "http://127.0.0.1:5000"
    #: e-mail: the SMTP server, "starttls", "ssl" or "none", the login (optional) and the sender
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_sender: str = ""
    #: e-mail: a PEM file of certificate authorities trusted besides the system's (an office's own CA)
    smtp_ca_file: str = ""
    #: 企业微信 group robot: its webhook URL
    wecom_webhook: str = ""
    #: 钉钉 group robot: its webhook URL and, for signed requests, its secret (SEC…)
    dingtalk_webhook: str = ""
    dingtalk_secret: str = ""
    #: SMS: the gateway's webhook URL and the token sent as a bearer token
    sms_webhook: str = ""
    sms_token: str = ""
    #: seconds an outgoing connection may take
    timeout_seconds: int = 10

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Channels:
        values: dict[str, object] = {}
        for item in fields(cls):
            raw = environ.get(f"DUBAN_{item.name.upper()}")
            if raw is not None:
                values[item.name] = _parse_int(item.name, raw) if item.type == "int" else raw.strip()
        return cls(**values)  # type: ignore[arg-type]

    def check(self) -> None:
        if self.smtp_security not in ("starttls", "ssl", "none"):
            raise ValueError("DUBAN_SMTP_SECURITY must be starttls, ssl or none")
        if self.smtp_host and not self.smtp_sender:
            raise ValueError("DUBAN_SMTP_SENDER is needed with DUBAN_SMTP_HOST")
        if self.smtp_ca_file and not Path(self.smtp_ca_file).is_file():
            raise ValueError(f"DUBAN_SMTP_CA_FILE names no file: {self.smtp_ca_file}")
        if not 1 <= self.timeout_seconds <= 120:
            raise ValueError("DUBAN_TIMEOUT_SECONDS must be between 1 and 120")
        for name in ("base_url", "wecom_webhook", "dingtalk_webhook", "sms_webhook"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                raise ValueError(f"DUBAN_{name.upper()} must begin with http:// or https://")

    def configured(self) -> list[str]:
        """The channels that can send: e-mail, the robots, SMS."""
        addresses = {"email": self.smtp_host, "wecom": self.wecom_webhook, "dingtalk": self.dingtalk_webhook,
                     "sms": self.sms_webhook}
        return [channel for channel, address in addresses.items() if address]


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"DUBAN_{name.upper()} must be a whole number, not {raw!r}") from None
