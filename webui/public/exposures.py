"""Public exposures (曝光) for anyone, no login: only what was published, only public fields."""
from __future__ import annotations

from flask import Blueprint, render_template

from webui.extensions import engine

bp = Blueprint("public_exposures", __name__, url_prefix="/public", template_folder="templates")


@bp.route("/exposures")
def index() -> str:
    return render_template("public/exposures.html", exposures=engine().escalation.public_exposures())
