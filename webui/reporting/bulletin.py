"""月度通报: the coordinator picks a month, sees what the bulletin will say, downloads it as .docx."""
from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.clock import local_today
from engine.core.errors import InvalidSubmission
from engine.core.periods import period_of
from engine.core.statuses import TaskStatus
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.i18n import translated
from webui.reporting.forms import BulletinForm
from webui.rounds.choice import chosen_round_id, round_choice

bp = Blueprint("bulletin", __name__, url_prefix="/bulletin", template_folder="templates")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MONTHS_OFFERED = 24


def recent_months() -> list[str]:
    """This month and the ones before it, newest first."""
    today = local_today(engine().clock)
    index = today.year * 12 + today.month - 1
    return [period_of(today.replace(year=(index - back) // 12, month=(index - back) % 12 + 1, day=1))
            for back in range(MONTHS_OFFERED)]


def default_month() -> str:
    """Early in a month the bulletin is usually about the month before."""
    months = recent_months()
    return months[1] if local_today(engine().clock).day <= 10 else months[0]


@bp.route("")
@login_required
@permission_required("bulletin.make")
def index() -> tuple[str, int] | str:
    month = request.args.get("month") or default_month()
    try:
        data = engine().reporting.bulletin_data(current_actor(), month, chosen_round_id())
    except InvalidSubmission as exc:
        return render_template("reporting/bulletin.html", data=None, month=month, months=recent_months(),
                               error=gettext("；").join(map(translated, exc.errors.get("month", []))),
                               form=BulletinForm(month=month), rounds=round_choice(),
                               TaskStatus=TaskStatus), 400
    return render_template("reporting/bulletin.html", data=data, month=month, months=recent_months(), error="",
                           form=BulletinForm(month=month), rounds=round_choice(), TaskStatus=TaskStatus)


@bp.route("", methods=["POST"])
@login_required
@permission_required("bulletin.make")
def download() -> Response | tuple[str, int]:
    form = BulletinForm()
    if not form.validate_on_submit():
        return index()  # type: ignore[return-value]
    chosen = round_choice().chosen
    content = engine().reporting.bulletin(current_actor(), form.month.data, chosen.id if chosen else None)
    return send_file(io.BytesIO(content), mimetype=DOCX, as_attachment=True,
                     download_name=f"整改工作月度通报-{f'{chosen.name}-' if chosen else ''}{form.month.data}.docx")
