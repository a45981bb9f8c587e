"""延期申请: the lead unit's officer opens a request from the task page and fills in its form (a work item)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.i18n import translated

bp = Blueprint("extension", __name__)


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@login_required
@permission_required("task.view")
def open_request(task_id: int) -> Response:
    try:
        work_id = engine().extensions.open(current_actor(), task_id)
    except InvalidSubmission as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(translated(message), "danger")
        return redirect(url_for("tasks.task", task_id=task_id))
    flash(_("请填写延期申请并附佐证材料"), "info")
    return redirect(url_for("work.work", work_id=work_id))
