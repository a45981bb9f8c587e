"""The demo's time machine page: registered only in demo mode (DUBAN_DEMO_CLOCK=1), when the entry point handed
the app a time machine."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from webui.auth.session import current_actor
from webui.demo_clock.forms import AdvanceForm
from webui.errors import permission_required
from webui.extensions import engine, time_machine

bp = Blueprint("demo_clock", __name__, url_prefix="/admin/clock", template_folder="templates")
STEPS = {"1": timedelta(days=1), "7": timedelta(days=7), "30": timedelta(days=30)}


@bp.route("/", methods=["GET", "POST"])
@login_required
@permission_required("demo.clock")
def index() -> str | Response:
    form = AdvanceForm()
    if form.validate_on_submit():
        result = time_machine().advance(current_actor(), STEPS[form.days.data or "1"])
        flash(_("时钟已前进；定时事件：触发 %(fired)d 个，失败 %(failed)d 个，跳过 %(skipped)d 个",
                fired=result.fired, failed=result.failed, skipped=result.skipped), "success")
        return redirect(url_for("demo_clock.index"))
    return render_template("demo_clock/index.html", form=form, now=engine().clock.now())
