"""Pages: inbox, ledger, task page, registration."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.core.periods import FILTER_PERIOD_PATTERN
from engine.core.statuses import TaskStatus, WarningLevel
from engine.features.rectification.forms import REGISTRATION_FIELDS
from engine.features.rectification.ledger_order import SORTS
from engine.features.rectification.queries import LedgerFilters
from engine.features.work.inbox import INBOX_SORTS, InboxFilters
from webui.auth.routes import landing_page
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.params import query_id
from webui.rounds.choice import chosen_round_id, round_choice
from webui.tasks.history import history_changes
from webui.work.batch import batch_form
from webui.work.process_diagram import task_diagram

bp = Blueprint("tasks", __name__, template_folder="templates")
bp.add_app_template_global(history_changes, "history_changes")


@bp.route("/")
@login_required
def index() -> Response:
    return redirect(landing_page())


@bp.route("/inbox")
@login_required
def inbox() -> str:
    actor = current_actor()
    filters = inbox_filters()
    view = engine().work.inbox_view(actor, query_id(request.args.get("page")) or 1, filters)
    to_publish = (engine().public.count_to_publish(actor) if engine().roles.allows(actor.role, "progress.publish")
                  else None)
    return render_template("tasks/inbox.html", page=view.page, entries=view.page.entries, notices=view.notices,
                           read_notices=view.read_notices, unread_notices=lambda: view.unread_notices,
                           filters=filters, units=view.units, batch=batch_form(filters.kind),
                           warnings=list(WarningLevel), to_publish=to_publish)


def inbox_filters() -> InboxFilters:
    args = request.args
    warning, due, sort = args.get("warning", ""), args.get("due", ""), args.get("sort", "arrived")
    return InboxFilters(kind=args.get("kind", "")[:64], unit_id=query_id(args.get("unit")),
                        warning=WarningLevel(warning) if warning in WarningLevel._value2member_map_ else None,
                        due=due if due in ("overdue", "soon") else "", sort=sort if sort in INBOX_SORTS else "arrived")


@bp.route("/ledger")
@login_required
@permission_required("ledger.view")
def ledger() -> str:
    filters = ledger_filters()
    page = engine().tasks.ledger(current_actor(), filters)
    rounds = round_choice()
    return render_template("tasks/ledger.html", page=page, filters=filters, choices=engine().tasks.choices(),
                           statuses=list(TaskStatus), rounds=rounds,
                           round_names={found.id: found.name for found in rounds.rounds})


def ledger_filters() -> LedgerFilters:
    args = request.args
    status, warning, sort = args.get("status", ""), args.get("warning", ""), args.get("sort", "")
    return LedgerFilters(
        round_id=chosen_round_id(), category_id=query_id(args.get("category")), unit_id=query_id(args.get("unit")),
        status=TaskStatus(status) if status in TaskStatus._value2member_map_ else None,
        warning=WarningLevel(warning) if warning in WarningLevel._value2member_map_ else None,
        leader_id=query_id(args.get("leader")), q=args.get("q", "")[:100], page=query_id(args.get("page")) or 1,
        sort=sort if sort.lstrip("-") in SORTS else "",
        lead_only=args.get("lead") == "1", report_overdue=args.get("overdue") == "1",
        extended=args.get("extended") == "1", instructed=args.get("instructed") == "1",
        registered_by=_period_arg("registered_by"), closed_by=_period_arg("closed_by"),
        closed_in=_period_arg("closed_in"))


def _period_arg(name: str) -> str:
    """A YYYY-MM filter from the dashboard's links; anything else is ignored."""
    value = request.args.get(name, "")
    return value if FILTER_PERIOD_PATTERN.match(value) else ""


@bp.route("/tasks/<int:task_id>")
@login_required
@permission_required("task.view")
def task(task_id: int) -> str:
    view = engine().work.task_view(current_actor(), task_id)
    diagram = task_diagram(view.path, f"{view.page.task.code} {view.page.task.title}")
    return render_template("tasks/task.html", page=view.page, diagram=diagram, now=engine().clock.now(),
                           escalations=view.escalations, clues=view.clues, documents=view.documents, cases=view.cases)


@bp.route("/attachments/<int:attachment_id>")
@login_required
@permission_required("task.view")
def attachment(attachment_id: int) -> Response:
    """The file itself: a photo is shown in the browser (the gallery opens it), anything else is downloaded."""
    path, file = engine().attachments.download(current_actor(), attachment_id)
    return send_file(path, mimetype=file.media_type, as_attachment=not file.is_image,
                     download_name=file.original_name, max_age=0)


@bp.route("/attachments/<int:attachment_id>/preview")
@login_required
@permission_required("task.view")
def attachment_preview(attachment_id: int) -> Response:
    return send_file(engine().attachments.preview(current_actor(), attachment_id), mimetype="image/jpeg",
                     max_age=3600)


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
@permission_required("task.register")
def register() -> str | Response:
    # the current round is offered on the empty form; a submitted form says its own
    starting = {"round_id": engine().rounds.current_id()} if request.method == "GET" else None
    form = form_for(REGISTRATION_FIELDS, data=starting, choices=engine().tasks.choices)
    if form.validate_on_submit():
        try:
            task_id = engine().tasks.register(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("整改任务已登记，等待交办"), "success")
            return redirect(url_for("tasks.task", task_id=task_id))
    return render_template("tasks/register.html", form=form)
