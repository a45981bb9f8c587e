"""督办问责 pages: the register, one escalation, a supervisor's proposal by hand from a task page, and the steps of a
complaint case's escalation."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine.core.statuses import EscalationLevel, EscalationStatus, EscalationTriggerKind
from engine.features.escalation.accountability import MEASURES
from engine.features.escalation.forms import APPROVAL_DECISIONS, REASON
from engine.features.escalation.queries import OPEN, UNDER_WAY, EscalationFilters
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.i18n import translated
from webui.params import query_id
from webui.work.routes import completed

bp = Blueprint("escalations", __name__, template_folder="templates")

LEVEL_STYLES = {EscalationLevel.NOTICE: "info", EscalationLevel.INTERVIEW: "warning",
                EscalationLevel.EXPOSURE: "danger", EscalationLevel.ACCOUNTABILITY: "dark"}


@bp.app_context_processor
def escalation_helpers() -> dict[str, Any]:
    return {
        "escalation_level": lambda value: translated(EscalationLevel(value).label) if value else "",
        "escalation_level_style": lambda value: LEVEL_STYLES[EscalationLevel(value)] if value else "secondary",
        "escalation_status": lambda status: translated(EscalationStatus(status).label),
        "escalation_trigger": lambda kind: translated(EscalationTriggerKind(kind).label),
        "escalation_decision": lambda decision: translated(APPROVAL_DECISIONS.get(decision, "")),
        "measure_label": lambda measure: translated(MEASURES.get(measure, measure)),
    }


@bp.route("/escalations")
@login_required
@permission_required("escalation.view")
def index() -> str:
    filters = escalation_filters()
    page = engine().escalation.ledger(current_actor(), filters)
    unit_scoped = engine().roles.scope(current_user.role).is_unit_scoped()
    units = [] if unit_scoped else engine().tasks.choices({"units"})["units"]
    return render_template("escalation/index.html", page=page, filters=filters, units=units,
                           levels=list(EscalationLevel), statuses=list(EscalationStatus),
                           triggers=list(EscalationTriggerKind), open_value=OPEN, under_way=UNDER_WAY)


def escalation_filters() -> EscalationFilters:
    args = request.args
    return EscalationFilters(level=query_id(args.get("level")), unit_id=query_id(args.get("unit")),
                             status=args.get("status", "")[:32], trigger=args.get("trigger", "")[:32],
                             q=args.get("q", "")[:100], page=query_id(args.get("page")) or 1,
                             opened_in=args.get("opened", "")[:7], approved_in=args.get("approved", "")[:7])


@bp.route("/escalations/<int:escalation_id>")
@login_required
@permission_required("escalation.view")
def show(escalation_id: int) -> str:
    return render_template("escalation/escalation.html", page=engine().escalation.page(current_actor(), escalation_id))


@bp.route("/tasks/<int:task_id>/escalate", methods=["GET", "POST"])
@login_required
@permission_required("escalation.propose")
def propose(task_id: int) -> str | Response:
    task = engine().work.task_page(current_actor(), task_id).task
    form = form_for(REASON)
    if form.validate_on_submit():
        started = engine().escalation.propose(current_actor(), task_id, form.reason.data or "")
        if started.absorbed:
            flash(_("该任务已有进行中的督办问责（第 %(n)s 号），本次原因已并入其中", n=started.escalation_id), "info")
        else:
            flash(_("已启动督办问责，请提出问责建议"), "success")
        return redirect(url_for("escalations.show", escalation_id=started.escalation_id))
    return render_template("escalation/propose.html", task=task, form=form)


@bp.route("/escalations/work/<int:work_id>", methods=["GET", "POST"])
@login_required
@permission_required("escalation.view")
def work(work_id: int) -> str | Response:
    """A step of a complaint case's escalation (a task's are done on the task's work page)."""
    item = engine().work.escalation_item(current_actor(), work_id)
    form = form_for(engine().registry.forms[item.work.form].fields, data=item.initial)
    if completed(form, work_id):
        code = item.page.escalation.subject_code
        flash(_("已完成「%(step)s」：%(code)s", step=translated(item.work.name), code=code), "success")
        return redirect(url_for("tasks.inbox"))
    return render_template("escalation/work.html", item=item, page=item.page, form=form)
