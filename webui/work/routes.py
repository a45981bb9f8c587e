"""Doing one piece of work: the form of a BPMN user task."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.signoff.forms import ObjectionAnswerHandler
from engine.features.work.items import WorkItem
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.forms import EngineForm, form_for, sent_files
from webui.i18n import translated
from webui.work.forms import objection_answers_form

bp = Blueprint("work", __name__, template_folder="templates")


@bp.route("/work/<int:work_id>", methods=["GET", "POST"])
@login_required
def work(work_id: int) -> str | Response:
    item = engine().work.item(current_actor(), work_id)
    form = build_form(item)
    if form.validate_on_submit():
        try:
            engine().work.complete(current_actor(), work_id, form.engine_data(), sent_files())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("已完成「%(step)s」：%(code)s", step=translated(item.work.name), code=item.task.code), "success")
            return redirect(url_for("tasks.inbox"))
    return render_template("work/work.html", item=item, form=form)


def build_form(item: WorkItem) -> EngineForm:
    """The form of the step, from its handler's fields, starting from what is on record, the ladder's level or a
    drafted text."""
    handler = engine().registry.forms[item.work.form]
    if isinstance(handler, ObjectionAnswerHandler):  # one decision and one answer per objection
        objections = [objection.id for objection in item.extra.get("objections", [])]
        return objection_answers_form(handler.answer_fields, objections)(data=item.initial)
    return form_for(handler.fields, data=item.initial, choices=engine().tasks.choices)
