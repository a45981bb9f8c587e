"""宣传报道组: choosing what of the monthly progress goes on the public pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.core.periods import PERIOD_PATTERN
from engine.features.public.progress_queue import QueueFilters
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.i18n import translated
from webui.params import query_id

bp = Blueprint("publicity", __name__, url_prefix="/publicity", template_folder="templates")


class PublishForm(FlaskForm):
    """CSRF for the per-report publish buttons; the text comes with the post."""


@bp.route("/progress", methods=["GET", "POST"])
@login_required
@permission_required("progress.publish")
def progress() -> str | Response:
    form = PublishForm()
    if form.validate_on_submit():
        try:
            engine().public.publish_summary(current_actor(), query_id(request.form.get("report_id")) or 0,
                                     request.form.get("text", ""))
        except InvalidSubmission as exc:
            flash(_("；").join(translated(m) for messages in exc.errors.values() for m in messages), "danger")
        else:
            flash(_("进展摘要已在公开页面发布"), "success")
        return redirect(url_for("publicity.progress", **request.args))
    filters = QueueFilters(unit_id=query_id(request.args.get("unit")), page=query_id(request.args.get("page")) or 1,
                           period=period if PERIOD_PATTERN.match(period := request.args.get("period", "")) else "")
    queue = engine().public.publish_queue(current_actor(), filters)
    return render_template("public/publicity.html", queue=queue, filters=filters, form=form,
                           units=engine().tasks.choices({"units"})["units"])
