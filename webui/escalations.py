"""督办问责 pages: the register, one escalation, and a supervisor's proposal by hand from a task page."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine.features.escalation.queries import OPEN, EscalationFilters
from engine.store.models import EscalationLevel, EscalationStatus, EscalationTriggerKind
from webui.auth import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import ProposeEscalationForm

bp = Blueprint("escalations", __name__)

LEVEL_LABELS = {EscalationLevel.NOTICE: _l("通报"), EscalationLevel.INTERVIEW: _l("约谈"),
                EscalationLevel.EXPOSURE: _l("曝光"), EscalationLevel.ACCOUNTABILITY: _l("追责")}
LEVEL_STYLES = {EscalationLevel.NOTICE: "info", EscalationLevel.INTERVIEW: "warning",
                EscalationLevel.EXPOSURE: "danger", EscalationLevel.ACCOUNTABILITY: "dark"}
STATUS_LABELS = {
    EscalationStatus.PROPOSING: _l("待提出建议"),
    EscalationStatus.AWAITING_APPROVAL: _l("待领导审批"),
    EscalationStatus.CARRYING_OUT: _l("执行中"),
    EscalationStatus.AWAITING_COMMITMENT: _l("待单位承诺"),
    EscalationStatus.UNDER_REVIEW: _l("待办结"),
    EscalationStatus.CLOSED: _l("已办结"),
    EscalationStatus.ESCALATED: _l("已再次升级"),
    EscalationStatus.REJECTED: _l("未获批准"),
    EscalationStatus.DROPPED: _l("不予问责"),
}
TRIGGER_LABELS = {
    EscalationTriggerKind.REPORT_OVERDUE: _l("逾期未报"),
    EscalationTriggerKind.LAGGING: _l("进度滞后"),
    EscalationTriggerKind.DEADLINE_PASSED: _l("超过整改时限"),
    EscalationTriggerKind.MANUAL: _l("督办组提出"),
    EscalationTriggerKind.REPEATED: _l("再次升级"),
}
DECISION_LABELS = {"approve": _l("同意"), "change": _l("调整问责方式"), "reject": _l("不同意")}
MEASURE_LABELS = {"criticism": _l("批评教育"), "self_examination": _l("责令检查"), "admonition": _l("诫勉"),
                  "organisational": _l("组织处理"), "party_discipline": _l("党纪处分"),
                  "administrative": _l("政务处分"), "judicial": _l("移送司法机关")}


@bp.app_context_processor
def escalation_helpers() -> dict[str, Any]:
    return {
        "escalation_level": lambda value: LEVEL_LABELS[EscalationLevel(value)] if value else "",
        "escalation_level_style": lambda value: LEVEL_STYLES[EscalationLevel(value)] if value else "secondary",
        "escalation_status": lambda status: STATUS_LABELS[EscalationStatus(status)],
        "escalation_trigger": lambda kind: TRIGGER_LABELS[EscalationTriggerKind(kind)],
        "escalation_decision": lambda decision: DECISION_LABELS.get(decision, ""),
        "measure_label": lambda measure: MEASURE_LABELS.get(measure, measure),
    }


@bp.route("/escalations")
@login_required
@permission_required("escalation.view")
def index() -> str:
    filters = escalation_filters()
    page = engine().escalations(current_actor(), filters)
    units = [] if engine().roles.scope(current_user.role).is_unit_scoped() else engine().choices()["units"]
    return render_template("escalations.html", page=page, filters=filters, units=units,
                           levels=list(EscalationLevel), statuses=list(EscalationStatus),
                           triggers=list(EscalationTriggerKind), open_value=OPEN)


def escalation_filters() -> EscalationFilters:
    args = request.args
    return EscalationFilters(level=args.get("level", type=int), unit_id=args.get("unit", type=int),
                             status=args.get("status", "")[:32], trigger=args.get("trigger", "")[:32],
                             q=args.get("q", "")[:100], page=args.get("page", 1, type=int))


@bp.route("/escalations/<int:escalation_id>")
@login_required
@permission_required("escalation.view")
def show(escalation_id: int) -> str:
    return render_template("escalation.html", page=engine().escalation_page(current_actor(), escalation_id))


@bp.route("/tasks/<int:task_id>/escalate", methods=["GET", "POST"])
@login_required
@permission_required("escalation.propose")
def propose(task_id: int) -> str | Response:
    task = engine().task_page(current_actor(), task_id).task
    form = ProposeEscalationForm()
    if form.validate_on_submit():
        started = engine().propose_escalation(current_actor(), task_id, form.reason.data or "")
        if started.absorbed:
            flash(_("该任务已有进行中的督办问责（第 %(n)s 号），本次原因已并入其中", n=started.escalation_id), "info")
        else:
            flash(_("已启动督办问责，请提出问责建议"), "success")
        return redirect(url_for("escalations.show", escalation_id=started.escalation_id))
    return render_template("escalation_propose.html", task=task, form=form)
