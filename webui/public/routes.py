"""公开: the public disclosure pages — no login. Only public fields; objections during 公示."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engine.core.errors import InvalidSubmission
from engine.core.statuses import TaskStatus
from engine.features.public.disclosure import OBJECTION_MAX_CHARS, OBJECTION_MIN_CHARS
from webui.extensions import engine

bp = Blueprint("public", __name__, url_prefix="/public", template_folder="templates")


class ObjectionForm(FlaskForm):
    content = TextAreaField(_l("异议内容"),
                            validators=[DataRequired(), Length(OBJECTION_MIN_CHARS, OBJECTION_MAX_CHARS)],
                            description=_l("请说明该问题哪些方面没有整改到位，最好附上时间、地点"))
    name = StringField(_l("姓名（可不填）"), validators=[Optional(), Length(max=50)])
    contact = StringField(_l("联系方式（可不填，仅用于核实，不公开）"), validators=[Optional(), Length(max=100)])


@bp.route("/")
def index() -> str:
    status = request.args.get("status", "")
    chosen = TaskStatus(status) if status in TaskStatus._value2member_map_ else None
    tasks, pages = engine().public.tasks(request.args.get("page", 1, type=int), chosen)
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
    form = ObjectionForm()
    if current.open and form.validate_on_submit():
        try:
            engine().public.file_objection(notice_id, {"content": form.content.data, "name": form.name.data,
                                                "contact": form.contact.data}, request.remote_addr or "")
        except InvalidSubmission as exc:
            for name, messages in exc.errors.items():
                target = form._fields.get(name) or form.content
                target.errors = [*target.errors, *messages]
        else:
            flash(_("您的异议已经收到。公示期满后，整改督办组将逐件核实并答复。"), "success")
            return redirect(url_for("public.notice", notice_id=notice_id))
    return render_template("public/notice.html", notice=current, form=form)
