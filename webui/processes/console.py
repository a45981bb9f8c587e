"""The instance console: any instance, and the administrator's actions on it (suspend, resume, move back)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, InvalidSubmission
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.i18n import error_text, translated
from webui.processes.forms import MoveBackForm, ReasonForm
from webui.work.process_diagram import task_diagram

bp = Blueprint("instances", __name__, url_prefix="/admin/instances", template_folder="templates")
PERMISSION = "process.manage"


@bp.route("/<int:instance_id>")
@login_required
@permission_required(PERMISSION)
def show(instance_id: int) -> str:
    return _page(instance_id, ReasonForm(formdata=None), _move_back_form(instance_id, formdata=None))


@bp.route("/<int:instance_id>/suspend", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def suspend(instance_id: int) -> str | Response:
    return _act(instance_id, lambda reason: engine().console.suspend(current_actor(), instance_id, reason),
                _("流程实例已暂停：定时器不再触发，待办不能办理，直到恢复"))


@bp.route("/<int:instance_id>/resume", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def resume(instance_id: int) -> str | Response:
    return _act(instance_id, lambda reason: engine().console.resume(current_actor(), instance_id, reason),
                _("流程实例已恢复：暂停期间到期的定时器将在下一次扫描时触发"))


@bp.route("/<int:instance_id>/move-back", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def move_back(instance_id: int) -> str | Response:
    form = _move_back_form(instance_id)
    if not form.validate_on_submit():
        return _page(instance_id, ReasonForm(formdata=None), form)
    step = engine().console.earlier_step(current_actor(), instance_id, form.step.data or "")
    if step is not None and step.actions and form.confirmed.data != "yes":
        return render_template("processes/move_back.html", instance_id=instance_id, step=step, form=form)
    try:
        name = engine().console.move_back(current_actor(), instance_id, form.step.data or "", form.reason.data or "")
    except (Conflict, InvalidSubmission) as refused:
        flash(_refusal(refused), "warning")
    else:
        flash(_("已退回到「%(step)s」，该环节重新交由原角色办理", step=translated(name)), "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


def _act(instance_id: int, action: Callable[[str], None], done: str) -> str | Response:
    form = ReasonForm()
    if not form.validate_on_submit():
        return _page(instance_id, form, _move_back_form(instance_id, formdata=None))
    try:
        action(form.reason.data or "")
    except (Conflict, InvalidSubmission) as refused:
        flash(_refusal(refused), "warning")
    else:
        flash(done, "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


def _page(instance_id: int, reason_form: ReasonForm, move_form: MoveBackForm) -> str:
    view = engine().console.instance(current_actor(), instance_id)
    diagram = task_diagram(view.path, f"#{view.id} {view.process_id}")
    return render_template("processes/instance.html", view=view, diagram=diagram, reason_form=reason_form,
                           move_form=move_form)


def _move_back_form(instance_id: int, **kwargs: object) -> MoveBackForm:
    form = MoveBackForm(**kwargs)
    steps = [s for s in engine().console.instance(current_actor(), instance_id).state.earlier_steps
             if s.can_move_back()]
    form.step.choices = [("", _("请选择")), *[(s.spiff_task_id, translated(s.name)) for s in reversed(steps)]]
    return form


def _refusal(refused: Conflict | InvalidSubmission) -> str:
    if isinstance(refused, InvalidSubmission):
        return "；".join(translated(m) for messages in refused.errors.values() for m in messages)
    return error_text(refused)
