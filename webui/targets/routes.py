"""整改目标: the environmental indicators, their trajectories, and the coordinator's monthly entry."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.clock import local_today
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.periods import period_of
from engine.core.spreadsheet import ImportRejected
from engine.features.targets.indicators import INDICATOR_FIELDS, IndicatorStatus
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.reporting import charts
from webui.reporting.forms import UploadForm, read_upload
from webui.targets.forms import ValuesForm

if TYPE_CHECKING:
    from engine.store.models import EnvironmentalIndicator

bp = Blueprint("targets", __name__, url_prefix="/targets", template_folder="templates")
STATUS_STYLES = {IndicatorStatus.NO_DATA: "secondary", IndicatorStatus.MET: "success",
                 IndicatorStatus.ON_TRACK: "success", IndicatorStatus.BEHIND: "warning",
                 IndicatorStatus.MISSED: "danger"}


@bp.route("")
@login_required
@permission_required("targets.view")
def index() -> str:
    views = engine().targets.indicators(current_actor())
    return render_template("targets/index.html", views=views, status_styles=STATUS_STYLES,
                           charts={view.indicator.id: charts.indicator_chart(view) for view in views})


@bp.route("/values", methods=["GET", "POST"])
@login_required
@permission_required("targets.edit")
def values() -> str | Response:
    last_month = period_of(local_today(engine().clock).replace(day=1) - timedelta(days=1))
    form = ValuesForm(period=request.args.get("period") or last_month)
    views = engine().targets.indicators(current_actor())
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        entries = {view.indicator.id: (request.form.get(f"value_{view.indicator.id}", ""),
                                       request.form.get(f"note_{view.indicator.id}", "")) for view in views}
        try:
            changed = engine().targets.record_values(current_actor(), form.period.data, entries)
        except InvalidSubmission as exc:
            errors = exc.errors
        else:
            flash(_("已保存 %(period)s 的数据（%(n)s 项有变化）", period=form.period.data, n=changed), "success")
            return redirect(url_for("targets.index"))
    current = {view.indicator.id: next((v for v in view.values if v.period == form.period.data), None)
               for view in views}
    return render_template("targets/values.html", form=form, views=views, current=current, errors=errors)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@permission_required("targets.edit")
def upload() -> str:
    form = UploadForm()
    result = problems = None
    if form.validate_on_submit() and (content := read_upload(form)) is not None:
        try:
            result = engine().targets.import_values(current_actor(), content)
        except ImportRejected as exc:
            problems = exc.problems
    return render_template("targets/import.html", form=form, result=result, problems=problems)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("targets.edit")
def new() -> str | Response:
    return edit_indicator(None)


@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
@permission_required("targets.edit")
def edit(indicator_id: int) -> str | Response:
    indicator = engine().targets.indicator(current_actor(), indicator_id)
    if indicator is None:
        raise NotFound(_("没有这个指标"))
    return edit_indicator(indicator)


def edit_indicator(indicator: EnvironmentalIndicator | None) -> str | Response:
    form = form_for(INDICATOR_FIELDS, data=as_entered(indicator) if indicator else None)
    if form.validate_on_submit():
        try:
            engine().targets.save_indicator(current_actor(), form.engine_data(), indicator.id if indicator else None)
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("指标已保存"), "success")
            return redirect(url_for("targets.index"))
    return render_template("targets/form.html", form=form, indicator=indicator)


def as_entered(indicator: EnvironmentalIndicator) -> dict[str, Any]:
    """The indicator as its form shows it: the year and the values as typed."""
    return {"name": indicator.name, "code": indicator.code, "unit": indicator.unit,
            "direction": indicator.direction.value, "baseline_year": str(indicator.baseline_year or ""),
            "baseline_value": _number(indicator.baseline_value), "target_value": _number(indicator.target_value),
            "target_text": indicator.target_text, "deadline": indicator.deadline}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
