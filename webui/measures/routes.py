"""强化措施 pages: the ledger by category (and its Excel), one measure, the form of each of its steps, registering a
measure and closing a round's measures."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.clock import local_today
from engine.core.errors import InvalidSubmission
from engine.core.statuses import MeasureRating, MeasureReportStatus, MeasureStatus, WarningLevel
from engine.features.measures.periods import period_text
from engine.features.measures.queries import MeasureFilters
from engine.features.measures.usecases import CLOSE_FIELDS, REGISTRATION_FIELDS
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.i18n import translated
from webui.params import query_id
from webui.work.item_forms import measure_form
from webui.work.routes import save_draft

bp = Blueprint("measures", __name__, template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def measure_helpers() -> dict[str, Any]:
    return {"measure_status": lambda status: translated(MeasureStatus(status).label),
            "measure_report_status": lambda status: translated(MeasureReportStatus(status).label),
            "measure_rating": lambda rating: translated(MeasureRating(rating).label),
            "measure_period": lambda period: translated(period_text(period))}


def filters_from_request() -> MeasureFilters:
    args = request.args
    colour = args.get("colour", "")
    return MeasureFilters(round_id=query_id(args.get("round")), unit_id=query_id(args.get("unit")),
                          colour=WarningLevel(colour) if colour in WarningLevel._value2member_map_ else None,
                          category=query_id(args.get("category")), q=args.get("q", "")[:100])


@bp.route("/measures")
@login_required
@permission_required("measure.view")
def index() -> str:
    filters = filters_from_request()
    return render_template("measures/index.html", groups=engine().measures.ledger(current_actor(), filters),
                           filters=filters, choices=engine().measures.choices(), colours=list(WarningLevel))


@bp.route("/measures/export.xlsx")
@login_required
@permission_required("measure.view")
def export() -> Response:
    content = engine().measures.export(current_actor(), filters_from_request())
    name = f"强化措施台账-{local_today(engine().clock).isoformat()}.xlsx"
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/measures/<int:measure_id>")
@login_required
@permission_required("measure.view")
def show(measure_id: int) -> str:
    return render_template("measures/measure.html", page=engine().measures.page(current_actor(), measure_id))


@bp.route("/measures/work/<int:work_id>", methods=["GET", "POST"])
@login_required
@permission_required("measure.view")
def work(work_id: int) -> str | Response:
    item = engine().work.measure_item(current_actor(), work_id)
    if request.method == "POST" and "save_draft" in request.form:
        save_draft(work_id)
        return redirect(url_for("measures.work", work_id=work_id))
    handler = engine().registry.forms[item.work.form]
    form = measure_form(item)
    if form.validate_on_submit():
        try:
            engine().work.complete(current_actor(), work_id, form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("已完成「%(step)s」：%(code)s", step=translated(item.work.name), code=item.page.row.measure.code),
                  "success")
            return redirect(url_for("tasks.inbox"))
    return render_template("measures/work.html", item=item, page=item.page, form=form,
                           keeps_drafts=handler.keeps_drafts)


@bp.route("/measures/new", methods=["GET", "POST"])
@login_required
@permission_required("measure.manage")
def register() -> str | Response:
    form = form_for(REGISTRATION_FIELDS, data={"round_id": engine().measures.current_round(), "period_kind":
                                               engine().settings.measure_period},
                    choices=engine().measures.choices)
    if form.validate_on_submit():
        try:
            measure_id = engine().measures.register(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("强化措施已登记，按期报告和年度评估已经开始"), "success")
            return redirect(url_for("measures.show", measure_id=measure_id))
    return render_template("measures/form.html", form=form, title=_("登记强化措施"))


@bp.route("/measures/close", methods=["GET", "POST"])
@login_required
@permission_required("measure.manage")
def close() -> str | Response:
    form = form_for(CLOSE_FIELDS, data={"round_id": engine().measures.current_round()},
                    choices=engine().measures.choices)
    if form.validate_on_submit():
        try:
            closed = engine().measures.close_round(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("已结束 %(count)s 条强化措施，其报告和年度评估不再进行", count=closed), "success")
            return redirect(url_for("measures.index"))
    return render_template("measures/form.html", form=form, title=_("结束本批次强化措施"),
                           warning=_("结束后，这个批次的强化措施不再按期报告和年度评估；已在办理中的报告将撤销。"))
