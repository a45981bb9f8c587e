"""What the API reads: a person's inbox, the ledger and a task, the escalations, the dashboard's figures. The same
use cases, permissions and unit scope as the web pages."""
from __future__ import annotations

from flask import Response, g
from flask_login import current_user

from engine.core.statuses import TaskStatus, WarningLevel
from engine.core.text import N_
from engine.features.escalation.queries import EscalationFilters
from engine.features.rectification.queries import LedgerFilters
from engine.features.work.inbox import InboxFilters
from webui.api import schemas, views
from webui.api.answers import answer
from webui.api.blueprint import bp
from webui.api.operations import operation, read_query
from webui.api.queries import EscalationQuery, InboxQuery, LedgerQuery
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine


@bp.get("/inbox")
@operation(N_("我的待办：等我（我的角色、我的单位）办理的事项"), "work", answer=schemas.InboxPage, query=InboxQuery,
           etag=True)
def inbox() -> Response:
    query = read_query(InboxQuery)
    filters = InboxFilters(kind=query.kind, unit_id=query.unit, sort=query.sort, due=query.due or "",
                           warning=WarningLevel(query.warning) if query.warning else None)
    return answer(views.inbox(engine().work.inbox(current_actor(), query.page, filters)), etag=True)


@bp.get("/tasks")
@permission_required("ledger.view")
@operation(N_("整改任务台账：按台账的筛选条件，分页"), "tasks", answer=schemas.TaskPage, query=LedgerQuery, etag=True)
def tasks() -> Response:
    query = read_query(LedgerQuery)
    filters = LedgerFilters(
        category_id=query.category, unit_id=query.unit, leader_id=query.leader, q=query.q, page=query.page,
        status=TaskStatus(query.status) if query.status else None, sort=query.sort or "",
        warning=WarningLevel(query.warning) if query.warning else None, lead_only=query.lead,
        report_overdue=query.overdue, extended=query.extended, registered_by=query.registered_by or "",
        closed_by=query.closed_by or "", closed_in=query.closed_in or "")
    return answer(views.ledger(engine().tasks.ledger(current_actor(), filters)), etag=True)


@bp.get("/tasks/<int:task_id>")
@permission_required("task.view")
@operation(N_("一项整改任务：事实、当前环节（谁在何时前办什么）、全程记录、月度进展"), "tasks",
           answer=schemas.TaskDetail)
def task(task_id: int) -> Response:
    return answer(views.task_detail(engine().work.task_page(current_actor(), task_id)))


@bp.get("/tasks/<int:task_id>/reports")
@permission_required("task.view")
@operation(N_("一项任务的月度进展报告（按月交账）"), "reports", answer=schemas.MonthlyReportList)
def task_reports(task_id: int) -> Response:
    page = engine().work.task_page(current_actor(), task_id)
    return answer(schemas.MonthlyReportList(items=views.reports(page)))


@bp.get("/escalations")
@permission_required("escalation.view")
@operation(N_("督办问责台账：分页"), "escalations", answer=schemas.EscalationPage, query=EscalationQuery, etag=True)
def escalations() -> Response:
    query = read_query(EscalationQuery)
    filters = EscalationFilters(level=query.level, unit_id=query.unit, status=query.status or "",
                                trigger=query.trigger or "", q=query.q, page=query.page,
                                opened_in=query.opened or "", approved_in=query.approved or "")
    return answer(views.escalations(engine().escalation.ledger(current_actor(), filters)), etag=True)


@bp.get("/escalations/<int:escalation_id>")
@permission_required("escalation.view")
@operation(N_("一件督办问责：理由、决定、整改承诺、当前环节和记录"), "escalations", answer=schemas.EscalationDetail)
def escalation(escalation_id: int) -> Response:
    return answer(views.escalation_detail(engine().escalation.page(current_actor(), escalation_id)))


@bp.get("/dashboard")
@permission_required("dashboard.view")
@operation(N_("驾驶舱数字：各状态、预警颜色、逾期、督办问责、按月曲线"), "reports", answer=schemas.Dashboard)
def dashboard() -> Response:
    return answer(views.dashboard(engine().reporting.dashboard(current_actor())))


@bp.get("/me")
@operation(N_("调用者本人：账号、角色、单位，以及访问令牌的权限范围"), "account", answer=schemas.Me)
def me() -> Response:
    token = g.get("api_token")
    return answer(schemas.Me(username=current_user.username, name=current_user.display_name,
                             role=current_user.role, unit=current_user.unit_name or None,
                             scope=token.scope if token else "session"))
