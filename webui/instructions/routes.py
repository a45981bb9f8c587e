"""领导批示: a leader writes an instruction on one task or several."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.instructions.usecases import WRITING_FIELDS
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.params import query_id

bp = Blueprint("instructions", __name__, template_folder="templates")


@bp.route("/instructions/new", methods=["GET", "POST"])
@login_required
@permission_required("instruction.write")
def write() -> str | Response:
    task_id = query_id(request.args.get("task"))
    initial = {"answer_due": date.fromisoformat(engine().instructions.proposed_due()),
               "task_ids": [task_id] if task_id else []}
    form = form_for(WRITING_FIELDS, initial, choices=lambda: engine().instructions.choices(current_actor()))
    if form.validate_on_submit():
        data = form.engine_data()
        try:
            batch = engine().instructions.write(current_actor(), data)
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("批示 %(batch)s 已送各牵头单位落实并答复", batch=batch), "success")
            if len(data["task_ids"]) == 1:
                return redirect(url_for("tasks.task", task_id=data["task_ids"][0]))
            return redirect(url_for("tasks.inbox"))
    return render_template("instructions/new.html", form=form)
