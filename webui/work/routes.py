"""Doing one piece of work: the form of a BPMN user task."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.forms import EngineForm, sent_files
from webui.i18n import translated
from webui.work.forms import ButtonForm
from webui.work.item_forms import build_form, draft_values

bp = Blueprint("work", __name__, template_folder="templates")


@bp.route("/work/<int:work_id>", methods=["GET", "POST"])
@login_required
def work(work_id: int) -> str | Response:
    submitted = request.method == "POST"
    item = engine().work.item(current_actor(), work_id, whole=not submitted)  # a submission needs the form alone
    if submitted and "save_draft" in request.form:
        return save_draft(work_id)
    form = build_form(item)
    if completed(form, work_id):
        flash(_("已完成「%(step)s」：%(code)s", step=translated(item.work.name), code=item.task.code), "success")
        return redirect(url_for("tasks.inbox"))
    if item.page is None:  # the form again, with its errors: now the whole page
        item = engine().work.item(current_actor(), work_id)
    return render_template("work/work.html", item=item, form=form,
                           keeps_drafts=engine().registry.forms[item.work.form].keeps_drafts)


def completed(form: EngineForm, work_id: int) -> bool:
    """The form was sent, passed its checks and the engine's, and the work item is done; else its errors are on it."""
    if not form.validate_on_submit():
        return False
    try:
        engine().work.complete(current_actor(), work_id, form.engine_data(), sent_files())
    except InvalidSubmission as exc:
        form.add_errors(exc.errors)
        return False
    return True


def save_draft(work_id: int) -> Response:
    """暂存: what is typed so far is kept for this person; nothing is checked or submitted."""
    if not ButtonForm().validate_on_submit():
        flash(_("表单已失效，请刷新页面后重试。"), "danger")
    else:
        engine().work.save_draft(current_actor(), work_id, draft_values(request.form))
        flash(_("已暂存，下次打开时接着填写；暂存的内容不算报送。"), "success")
    return redirect(url_for("work.work", work_id=work_id))
