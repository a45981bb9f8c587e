"""Incidents: timers whose instance failed. The admin sees the error and retries once it is fixed."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from engine.core.errors import Conflict
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.i18n import error_text

bp = Blueprint("incidents", __name__, url_prefix="/admin/incidents", template_folder="templates")


class RetryForm(FlaskForm):
    """A button: CSRF only."""


@bp.route("/")
@login_required
@permission_required("incident.manage")
def index() -> str:
    show_all = request.args.get("all") == "1"
    incidents = engine().work.incidents(current_actor(), include_resolved=show_all)
    return render_template("admin/incidents.html", incidents=incidents, show_all=show_all, form=RetryForm())


@bp.route("/<int:incident_id>/retry", methods=["POST"])
@login_required
@permission_required("incident.manage")
def retry(incident_id: int) -> Response:
    if RetryForm().validate_on_submit():
        try:
            retried = engine().work.retry_incident(current_actor(), incident_id)
        except Conflict as refused:
            flash(error_text(refused), "warning")
            return redirect(url_for("incidents.index"))
        if retried:
            flash(_("重试成功，该流程已恢复运行"), "success")
        else:
            flash(_("重试仍然失败，错误已更新，流程保持暂停"), "danger")
    return redirect(url_for("incidents.index"))
