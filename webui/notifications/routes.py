"""通知中心: a person's notices with links to the work, read and unread; their choices of channel, quiet hours and
digest; and, for the administrator, the messages that could not be delivered."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from jinja2.runtime import Context
from jinja2.utils import pass_context
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.core.text import restored
from engine.features.notifications.messages import path_of
from engine.features.notifications.preferences import CATEGORIES, CHANNELS
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.i18n import render_gettext, translated

bp = Blueprint("notifications", __name__, template_folder="templates")


class ButtonForm(FlaskForm):
    """A button: CSRF only."""


@bp.app_context_processor
def notification_helpers() -> dict[str, Any]:
    """The menu's unread count, read only where a page shows it."""
    def unread_notices() -> int:
        return engine().notifications.unread_count(current_actor()) if current_user.is_authenticated else 0

    return {"unread_notices": unread_notices, "channel_name": lambda channel: translated(CHANNELS[channel]),
            "notice_text": notice_text}


@pass_context
def notice_text(context: Context, notice: Any) -> str:
    """A notice in the reader's language (with its parameters, when it was marked for translation)."""
    return translated(restored(notice.msgid, notice.params) if notice.msgid else notice.text, render_gettext(context))


@bp.route("/notifications")
@login_required
def index() -> str:
    page = engine().notifications.centre(current_actor(), request.args.get("page", 1, type=int))
    return render_template("notifications/index.html", page=page, form=ButtonForm(), path_of=path_of)


@bp.route("/notifications/<int:notice_id>/open", methods=["POST"])
@login_required
def open_notice(notice_id: int) -> Response:
    """Mark it read and go to the work it is about."""
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("notifications.index"))
    notice = engine().notifications.mark_read(current_actor(), notice_id)
    return redirect(path_of(notice.task_id, notice.work_id))


@bp.route("/notifications/<int:notice_id>/read", methods=["POST"])
@login_required
def mark_read(notice_id: int) -> Response:
    """Mark it read, and back to the centre's page (or to the inbox, whose reminders have the same mark)."""
    if ButtonForm().validate_on_submit():
        engine().notifications.mark_read(current_actor(), notice_id)
    if request.args.get("back") == "inbox":
        return redirect(url_for("tasks.inbox"))
    return redirect(url_for("notifications.index", page=request.args.get("page", 1, type=int)))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read() -> Response:
    if ButtonForm().validate_on_submit():
        count = engine().notifications.mark_all_read(current_actor())
        flash(_("已将 %(count)s 条通知标为已读", count=count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def preferences() -> str | Response:
    notifications = engine().notifications
    form = form_for(notifications.preference_fields(), data=notifications.preferences(current_actor()).as_form())
    if form.validate_on_submit():
        try:
            notifications.save_preferences(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(_("通知设置已保存"), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, channels=notifications.channels(),
                           categories=CATEGORIES)


@bp.route("/admin/notifications")
@login_required
@permission_required("incident.manage")
def failures() -> str:
    return render_template("notifications/failures.html", failures=engine().notifications.failures(current_actor()),
                           form=ButtonForm())


@bp.route("/admin/notifications/<int:message_id>/retry", methods=["POST"])
@login_required
@permission_required("incident.manage")
def retry(message_id: int) -> Response:
    if ButtonForm().validate_on_submit():
        engine().notifications.retry(current_actor(), message_id)
        flash(_("已重新排队，下一次定时扫描时发送"), "success")
    return redirect(url_for("notifications.failures"))
