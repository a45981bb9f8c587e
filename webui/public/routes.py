"""公开: the public disclosure pages — no login. Only public fields; objections during 公示, looked up by their
tracking code."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission, NotFound
from engine.core.statuses import TaskStatus
from engine.features.public.disclosure import OBJECTION_FIELDS
from webui.extensions import engine
from webui.forms import EngineForm, form_for, sent_files
from webui.params import query_id
from webui.public.challenge import ANSWER_FIELD, HONEYPOT_FIELD, challenge_error, new_challenge
from webui.rounds.choice import round_choice

bp = Blueprint("public", __name__, url_prefix="/public", template_folder="templates")


@bp.route("/")
def index() -> str:
    status = request.args.get("status", "")
    chosen = TaskStatus(status) if status in TaskStatus._value2member_map_ else None
    rounds = round_choice()
    tasks, pages = engine().public.tasks(query_id(request.args.get("page")) or 1, chosen, rounds.chosen_id)
    return render_template("public/index.html", tasks=tasks, pages=pages, status=chosen, statuses=list(TaskStatus),
                           notices=engine().public.open_notices(rounds.chosen_id), rounds=rounds)


@bp.route("/tasks/<int:task_id>")
def task(task_id: int) -> str:
    return render_template("public/task.html", page=engine().public.task(task_id))


@bp.route("/notices")
def notices() -> str:
    return render_template("public/notices.html", notices=engine().public.open_notices())


@bp.route("/notices/<int:notice_id>", methods=["GET", "POST"])
def notice(notice_id: int) -> str | Response:
    current = engine().public.notice(notice_id)
    form = form_for(OBJECTION_FIELDS)
    if current.open and form.validate_on_submit():
        problem = challenge_error()
        if problem:
            form.form_errors.append(problem)
        else:
            filed = _file(notice_id, form)
            if filed:
                return filed
    challenge = new_challenge() if current.open else None
    return render_template("public/notice.html", notice=current, form=form, challenge=challenge,
                           answer_field=ANSWER_FIELD, honeypot_field=HONEYPOT_FIELD)


def _file(notice_id: int, form: EngineForm) -> Response | None:
    try:
        code = engine().public.file_objection(notice_id, form.engine_data(), request.remote_addr or "", sent_files())
    except InvalidSubmission as exc:
        form.add_errors(exc.errors)
        return None
    flash(_("您的异议已经收到。请记下受理编号，公示期满后凭编号查询答复。"), "success")
    return redirect(url_for("public.objection", code=code, filed=1))


@bp.route("/objections")
def objections() -> str:
    """Look an objection's answer up with its tracking code."""
    code = request.args.get("code", "").strip()[:32]
    found, missing = None, False
    if code:
        try:
            found = engine().public.objection(code)
        except NotFound:
            missing = True
    return render_template("public/objection.html", objection=found, code=code, missing=missing)


@bp.route("/objections/<code>")
def objection(code: str) -> str:
    """The receipt (printable) and, once given, the answer."""
    return render_template("public/objection.html", objection=engine().public.objection(code[:32]), code=code,
                           missing=False, filed=bool(request.args.get("filed")))


@bp.route("/audit-head")
def audit_head() -> str:
    return render_template("public/audit_head.html", head=engine().public.audit_head())
