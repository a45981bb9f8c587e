"""公开: the public disclosure pages — no login. Only public fields; objections during 公示."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.core.statuses import TaskStatus
from engine.features.public.disclosure import OBJECTION_FIELDS
from webui.extensions import engine
from webui.forms import form_for, sent_files
from webui.params import query_id

bp = Blueprint("public", __name__, url_prefix="/public", template_folder="templates")


@bp.route("/")
def index() -> str:
    status = request.args.get("status", "")
    chosen = TaskStatus(status) if status in TaskStatus._value2member_map_ else None
    tasks, pages = engine().public.tasks(query_id(request.args.get("page")) or 1, chosen)
    return render_template("public/index.html", tasks=tasks, pages=pages, status=chosen, statuses=list(TaskStatus),
                           notices=engine().public.open_notices())


@bp.route("/tasks/<int:task_id>")
def task(task_id: int) -> str:
    task, summaries, notices = engine().public.task(task_id)
    return render_template("public/task.html", task=task, summaries=summaries, notices=notices)


@bp.route("/notices")
def notices() -> str:
    return render_template("public/notices.html", notices=engine().public.open_notices())


@bp.route("/notices/<int:notice_id>", methods=["GET", "POST"])
def notice(notice_id: int) -> str | Response:
    current = engine().public.notice(notice_id)
    form = form_for(OBJECTION_FIELDS)
    if current.open and form.validate_on_submit():
        try:
            engine().public.file_objection(notice_id, form.engine_data(), request.remote_addr or "", sent_files())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("您的异议已经收到。公示期满后，整改督办组将逐件核实并答复。"), "success")
            return redirect(url_for("public.notice", notice_id=notice_id))
    return render_template("public/notice.html", notice=current, form=form)


@bp.route("/audit-head")
def audit_head() -> str:
    return render_template("public/audit_head.html", head=engine().public.audit_head())
