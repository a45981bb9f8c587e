"""Doing several work items of one kind with one decision (催报 for many units at once), from the inbox."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.forms import EngineForm, form_for, sources
from webui.i18n import translated
from webui.params import query_id
from webui.work.routes import bp


def batch_form(kind: str, **options: Any) -> EngineForm | None:
    """The form of a kind of step whose decision may be taken for many items at once, else None (`options` go to the
    form: the API's submitted values)."""
    handler = engine().registry.forms.get(kind)
    if handler is None or not handler.batchable:
        return None
    return form_for(handler.fields, choices=lambda: engine().tasks.choices(sources(handler.fields)), **options)


@bp.route("/work/batch", methods=["POST"])
@login_required
def batch() -> Response:
    """One decision for the chosen items of one kind: all of them in one transaction, or none."""
    kind = request.form.get("kind", "")
    form = batch_form(kind)
    back = redirect(url_for("tasks.inbox", kind=kind))
    if form is None:
        flash(_("这类事项不能批量办理"), "danger")
        return back
    chosen = [work_id for work_id in map(query_id, request.form.getlist("work_id")) if work_id]
    if not form.validate_on_submit():
        flash(_("请填写批量办理的意见：%(detail)s", detail=_("；").join(
            f"{form[name].label.text}" for name in form.errors if name in form)), "danger")
        return back
    try:
        done = engine().work.complete_many(current_actor(), chosen, form.engine_data(), kind)
    except InvalidSubmission as exc:
        flash(_("；").join(translated(m) for messages in exc.errors.values() for m in messages), "danger")
        return back
    flash(_("已批量办理 %(count)s 项", count=len(done)), "success")
    return back
