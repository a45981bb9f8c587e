"""督察批次: the coordination office lists the rounds the city answers, enters a new one and edits one."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.rounds.forms import ROUND_FIELDS
from engine.features.rounds.usecases import RoundView
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for

bp = Blueprint("rounds", __name__, url_prefix="/rounds", template_folder="templates")


@bp.route("")
@login_required
@permission_required("round.manage")
def index() -> str:
    return render_template("rounds/index.html", rounds=engine().rounds.rounds(), tasks=engine().rounds.task_counts())


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("round.manage")
def new() -> str | Response:
    return edit_round(None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
@permission_required("round.manage")
def edit(round_id: int) -> str | Response:
    return edit_round(engine().rounds.round(current_actor(), round_id))


def edit_round(found: RoundView | None) -> str | Response:
    form = form_for(ROUND_FIELDS, data=as_entered(found) if found else None)
    if form.validate_on_submit():
        try:
            if found:
                engine().rounds.update(current_actor(), found.id, form.engine_data())
            else:
                engine().rounds.create(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("督察批次已保存"), "success")
            return redirect(url_for("rounds.index"))
    return render_template("rounds/form.html", form=form, found=found)


def as_entered(found: RoundView) -> dict[str, Any]:
    return {"name": found.name, "body": found.body, "started_on": found.started_on, "ended_on": found.ended_on,
            "feedback_on": found.feedback_on, "description": found.description}
