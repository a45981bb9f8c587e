"""Template filters: dates in the officials' time zone, status labels and colours."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel import Locale, dates
from flask import Flask, current_app
from flask_babel import format_decimal, format_percent, get_locale, gettext
from flask_login import current_user
from jinja2.runtime import Context
from jinja2.utils import pass_context

from engine.core.clock import LOCAL_TZ, local_today
from engine.core.statuses import DeadlineKind, PlanStatus, ReportStatus, SignoffStatus, TaskStatus, WarningLevel
from engine.features.signoff.forms import STANDARDS
from webui.extensions import engine
from webui.i18n import parenthetical, render_gettext, translated

STATUS_STYLES = {
    TaskStatus.REGISTERED: "secondary",
    TaskStatus.IN_PROGRESS: "primary",
    TaskStatus.PENDING_SIGNOFF: "warning",
    TaskStatus.CLOSED: "success",
}
WARNING_STYLES = {WarningLevel.GREEN: "success", WarningLevel.YELLOW: "warning", WarningLevel.RED: "danger"}


def local_date(value: datetime | date | None, locale: Locale | None = None) -> str:
    """A day in the reader's language: 2026年3月10日, Mar 10, 2026.

    Formatted by Babel in the reader's locale; Flask-Babel's `format_date` and `format_time` would look up their
    configured formats and time zone again on each of the hundreds of dates a list shows."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return dates.format_date(value, "medium", locale=locale or get_locale())


def local_datetime(value: datetime | None) -> str:
    """2026年3月10日 14:05, Mar 10, 2026 2:05 PM — in the officials' time zone."""
    if value is None:
        return ""
    locale = get_locale()
    return f"{local_date(value, locale)} {dates.format_time(value, 'short', tzinfo=LOCAL_TZ, locale=locale)}"


def number(value: float | int | None, digits: int = 0) -> str:
    """A number with the reader's separators, at most `digits` decimals."""
    if value is None:
        return ""
    return format_decimal(value, f"#,##0.{'#' * digits}" if digits else "#,##0")


def percent(value: float | None, digits: int = 0) -> str:
    """A share (0.456) as the reader writes a percentage (46%)."""
    if value is None:
        return ""
    return format_percent(value, f"#,##0.{'0' * digits}%" if digits else "#,##0%")


def deadline_text(task: object) -> str:
    kind = getattr(task, "deadline_kind", None)
    deadline = getattr(task, "deadline", None)
    if kind in (DeadlineKind.IMMEDIATE, DeadlineKind.STANDING):
        label = translated(kind.label)
        return label + parenthetical(local_date(deadline)) if deadline else label
    return local_date(deadline)


def reason_text(reason: dict[str, Any], today: date, gettext: Callable[..., str] = gettext) -> str:
    """One reason for a warning colour, in the reader's language; day counts are as of today."""
    code = reason.get("code")
    if code == "deadline_passed":
        return gettext("已超整改时限 %(days)s 天", days=(today - date.fromisoformat(reason["deadline"])).days)
    if code == "deadline_near":
        days = (date.fromisoformat(reason["deadline"]) - today).days
        return gettext("今天到整改时限") if days == 0 else gettext("距整改时限还有 %(days)s 天", days=days)
    if code == "report_overdue":
        return gettext("%(period)s 月度进展逾期未报", period=reason["period"])
    if code == "lagging":
        return gettext("%(period)s 月度进展滞后", period=reason["period"])
    if code == "repeated_yellow":
        return gettext("连续 %(n)s 期预警", n=len(reason["periods"]))
    if code == "receipt_late":
        return gettext("交办后逾期未签收")
    return str(code)


@pass_context
def warning_text(context: Context, task: Any) -> str:
    """"红：已超整改时限 12 天；2026-10 月度进展逾期未报" — the colour and why (a list shows it on every row)."""
    _ = render_gettext(context)
    today = local_today(engine().clock)
    label = translated(WarningLevel(task.warning).label, _)
    reasons = _("；").join(reason_text(reason, today, _) for reason in task.warning_reasons or [])
    return _("%(colour)s：%(reasons)s", colour=label, reasons=reasons) if reasons else label


def attachment_source(attachment: Any) -> str:
    """Where a file came from: the step whose form took it, or a public objection."""
    if attachment.human_task is not None:
        return translated(attachment.human_task.name)
    return gettext("公示异议") if attachment.objection_id else gettext("销号申请")


def template_helpers() -> dict[str, Any]:
    roles = engine().roles
    return {
        "may": lambda permission: current_user.is_authenticated and roles.allows(current_user.role, permission),
        "role_name": lambda role: translated(roles.role_name(role)),
        "plan_status": lambda status: translated(PlanStatus(status).label),
        "report_status": lambda status: translated(ReportStatus(status).label),
        "signoff_status": lambda status: translated(SignoffStatus(status).label),
        "warning_text": warning_text,
        "warning_style": lambda level: WARNING_STYLES[WarningLevel(level)],
        "warning_levels": list(WarningLevel),
        "warning_label": lambda level: translated(WarningLevel(level).label),
        "demo_clock": engine().clock.now() if "duban_time_machine" in current_app.extensions else None,
        "standard_label": lambda key: translated(STANDARDS.get(key, key)),
        "attachment_source": attachment_source,
    }


def register_filters(app: Flask) -> None:
    app.context_processor(template_helpers)
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(deadline_text, "deadline")
    app.add_template_filter(lambda status: translated(TaskStatus(status).label), "status_label")
    app.add_template_filter(lambda status: STATUS_STYLES[TaskStatus(status)], "status_style")
