"""Template filters: dates in the officials' time zone, status labels and colours."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, lazy_gettext
from flask_login import current_user

from engine.clock import LOCAL_TZ
from engine.models import DeadlineKind, PlanStatus, ReportStatus, SignoffStatus, TaskStatus
from webui.extensions import engine

STATUS_LABELS = {
    TaskStatus.REGISTERED: lazy_gettext("未启动"),
    TaskStatus.IN_PROGRESS: lazy_gettext("推进中"),
    TaskStatus.PENDING_SIGNOFF: lazy_gettext("待销号"),
    TaskStatus.CLOSED: lazy_gettext("已销号"),
}
STATUS_STYLES = {
    TaskStatus.REGISTERED: "secondary",
    TaskStatus.IN_PROGRESS: "primary",
    TaskStatus.PENDING_SIGNOFF: "warning",
    TaskStatus.CLOSED: "success",
}
PLAN_LABELS = {
    PlanStatus.DRAFTED: lazy_gettext("待单位签发"),
    PlanStatus.SUBMITTED: lazy_gettext("待审核备案"),
    PlanStatus.FILED: lazy_gettext("已备案"),
    PlanStatus.RETURNED: lazy_gettext("已退回"),
}
REPORT_LABELS = {
    ReportStatus.DRAFTED: lazy_gettext("待单位签发"),
    ReportStatus.SUBMITTED: lazy_gettext("待审核"),
    ReportStatus.ACCEPTED: lazy_gettext("审核通过"),
    ReportStatus.RETURNED: lazy_gettext("已退回"),
}
SIGNOFF_LABELS = {
    SignoffStatus.APPLIED: lazy_gettext("待单位签发"),
    SignoffStatus.SUBMITTED: lazy_gettext("待核验"),
    SignoffStatus.VERIFIED: lazy_gettext("待领导审批"),
    SignoffStatus.APPROVED: lazy_gettext("已批准销号"),
    SignoffStatus.RETURNED: lazy_gettext("已退回"),
}
DEADLINE_LABELS = {
    DeadlineKind.IMMEDIATE: lazy_gettext("立行立改"),
    DeadlineKind.STANDING: lazy_gettext("长期坚持"),
}


def local_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return format_date(value, "yyyy-MM-dd")


def local_datetime(value: datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def deadline_text(task: object) -> str:
    kind = getattr(task, "deadline_kind", None)
    deadline = getattr(task, "deadline", None)
    if kind in DEADLINE_LABELS:
        label = str(DEADLINE_LABELS[kind])
        return f"{label}（{local_date(deadline)}）" if deadline else label
    return local_date(deadline)


def template_helpers() -> dict[str, Any]:
    roles = engine().roles
    return {
        "may": lambda permission: current_user.is_authenticated and roles.allows(current_user.role, permission),
        "role_name": roles.role_name,
        "plan_status": lambda status: PLAN_LABELS[PlanStatus(status)],
        "report_status": lambda status: REPORT_LABELS[ReportStatus(status)],
        "signoff_status": lambda status: SIGNOFF_LABELS[SignoffStatus(status)],
    }


def register_filters(app: Flask) -> None:
    app.context_processor(template_helpers)
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(deadline_text, "deadline")
    app.add_template_filter(lambda status: STATUS_LABELS[TaskStatus(status)], "status_label")
    app.add_template_filter(lambda status: STATUS_STYLES[TaskStatus(status)], "status_style")
