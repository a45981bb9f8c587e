"""问题线索 pages: the register, registration, one clue, and the form of each of its steps."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.core.statuses import ClueStatus, ClueVerdict
from engine.features.clues.forms import REGISTRATION_FIELDS
from engine.features.clues.queries import OPEN, ClueFilters
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.i18n import translated
from webui.params import query_id
from webui.work.item_forms import clue_form

bp = Blueprint("clues", __name__, template_folder="templates")

@bp.app_context_processor
def clue_helpers() -> dict[str, Any]:
    return {"clue_status": lambda status: translated(ClueStatus(status).label),
            "clue_verdict": lambda verdict: translated(ClueVerdict(verdict).label) if verdict else ""}


@bp.route("/clues")
@login_required
@permission_required("clue.view")
def index() -> str:
    args = request.args
    filters = ClueFilters(status=args.get("status", "")[:32], unit_id=query_id(args.get("unit")),
                          q=args.get("q", "")[:100], page=query_id(args.get("page")) or 1)
    return render_template("clues/index.html", page=engine().clues.ledger(current_actor(), filters), filters=filters,
                           units=engine().clues.choices()["units"], statuses=list(ClueStatus), open_value=OPEN)


@bp.route("/clues/new", methods=["GET", "POST"])
@login_required
@permission_required("clue.register")
def register() -> str | Response:
    form = form_for(REGISTRATION_FIELDS, choices=engine().clues.choices)
    if form.validate_on_submit():
        try:
            clue_id = engine().clues.register(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("问题线索已登记，已交纪委监委调查核实"), "success")
            return redirect(url_for("clues.show", clue_id=clue_id))
    return render_template("clues/new.html", form=form)


@bp.route("/clues/<int:clue_id>")
@login_required
@permission_required("clue.view")
def show(clue_id: int) -> str:
    return render_template("clues/clue.html", page=engine().clues.page(current_actor(), clue_id))


@bp.route("/clues/work/<int:work_id>", methods=["GET", "POST"])
@login_required
@permission_required("clue.view")
def work(work_id: int) -> str | Response:
    item = engine().work.clue_item(current_actor(), work_id)
    form = clue_form(item)
    if form.validate_on_submit():
        try:
            engine().work.complete(current_actor(), work_id, form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            step = translated(item.work.name)
            flash(_("已完成「%(step)s」：%(code)s", step=step, code=item.page.clue.number), "success")
            return redirect(url_for("tasks.inbox"))
    return render_template("clues/work.html", item=item, page=item.page, form=form)
