"""催办: the coordination or supervision group chases the unit of an open step."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.chasing.usecases import CHASE_FIELDS
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for

bp = Blueprint("chasing", __name__, template_folder="templates")


@bp.route("/chase/<int:work_id>", methods=["GET", "POST"])
@login_required
@permission_required("chase.send")
def chase(work_id: int) -> str | Response:
    target = engine().chases.target(current_actor(), work_id)
    form = form_for(CHASE_FIELDS, {"reply_due": date.fromisoformat(engine().chases.proposed_due())})
    if form.validate_on_submit():
        try:
            engine().chases.chase(current_actor(), work_id, form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("已催办%(unit)s，请其在 %(due)s 前反馈", unit=target.unit.name if target.unit else "",
                    due=form.engine_data()["reply_due"]), "success")
            return redirect(url_for("tasks.task", task_id=target.task_id))
    return render_template("chasing/chase.html", form=form, target=target)
