"""问题线索 pages: the register, registration, one clue, and the form of each of its steps."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.clues.queries import OPEN, ClueFilters
from engine.store.models import ClueStatus, ClueVerdict
from webui.auth import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import FORMS, ClueRegisterForm
from webui.i18n import translated

bp = Blueprint("clues", __name__)

STATUS_LABELS = {ClueStatus.INVESTIGATING: _l("调查核实中"), ClueStatus.DETERMINING: _l("认定责任中"),
                 ClueStatus.DECIDING: _l("待作出处理决定"), ClueStatus.CLOSING: _l("待办结反馈"),
                 ClueStatus.CLOSED: _l("已办结")}
VERDICT_LABELS = {ClueVerdict.FOUNDED: _l("属实"), ClueVerdict.PARTLY: _l("部分属实"),
                  ClueVerdict.UNFOUNDED: _l("不属实")}


@bp.app_context_processor
def clue_helpers() -> dict[str, Any]:
    return {"clue_status": lambda status: STATUS_LABELS[ClueStatus(status)],
            "clue_verdict": lambda verdict: VERDICT_LABELS[ClueVerdict(verdict)] if verdict else ""}


@bp.route("/clues")
@login_required
@permission_required("clue.view")
def index() -> str:
    args = request.args
    filters = ClueFilters(status=args.get("status", "")[:32], unit_id=args.get("unit", type=int),
                          q=args.get("q", "")[:100], page=args.get("page", 1, type=int))
    return render_template("clues.html", page=engine().clues(current_actor(), filters), filters=filters,
                           units=engine().clue_choices()["units"], statuses=list(ClueStatus), open_value=OPEN)


@bp.route("/clues/new", methods=["GET", "POST"])
@login_required
@permission_required("clue.register")
def register() -> str | Response:
    form = ClueRegisterForm()
    form.fill_choices(engine().clue_choices())
    if form.validate_on_submit():
        try:
            clue_id = engine().register_clue(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("问题线索已登记，已交纪委监委调查核实"), "success")
            return redirect(url_for("clues.show", clue_id=clue_id))
    return render_template("clue_new.html", form=form)


@bp.route("/clues/<int:clue_id>")
@login_required
@permission_required("clue.view")
def show(clue_id: int) -> str:
    return render_template("clue.html", page=engine().clue_page(current_actor(), clue_id))


@bp.route("/clues/work/<int:work_id>", methods=["GET", "POST"])
@login_required
@permission_required("clue.view")
def work(work_id: int) -> str | Response:
    item = engine().clue_work_item(current_actor(), work_id)
    form = FORMS[item.work.form]()
    if form.validate_on_submit():
        try:
            engine().complete(current_actor(), work_id, form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            step = translated(item.work.name)
            flash(_("已完成「%(step)s」：%(code)s", step=step, code=item.page.clue.number), "success")
            return redirect(url_for("views.inbox"))
    return render_template("clue_work.html", item=item, page=item.page, form=form)
