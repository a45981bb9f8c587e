"""信访件公开: each published batch's results, and a complainant's lookup of their case by number and code (with the
same check that a person, not a script, is asking as the objection form). No login; only public fields."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from engine.core.errors import NotFound
from engine.features.public.cases import PublicCase
from webui.extensions import engine
from webui.i18n import error_text
from webui.params import query_id
from webui.public.challenge import ANSWER_FIELD, HONEYPOT_FIELD, challenge_error, new_challenge

bp = Blueprint("public_cases", __name__, url_prefix="/public/cases", template_folder="templates")


@bp.route("/")
def index() -> str:
    return render_template("public/cases.html", batches=engine().public_cases.batches())


@bp.route("/batches/<int:batch_id>")
def batch(batch_id: int) -> str:
    shown, cases, pages = engine().public_cases.batch(batch_id, query_id(request.args.get("page")) or 1)
    return render_template("public/case_batch.html", batch=shown, cases=cases, pages=pages)


@bp.route("/lookup", methods=["GET", "POST"])
def lookup() -> str | Response:
    found: PublicCase | None = None
    problem = ""
    number = request.form.get("number", "").strip()[:64]
    if request.method == "POST":
        problem = challenge_error() or ""
        if not problem:
            try:
                found = engine().public_cases.lookup(number, request.form.get("code", "")[:32])
            except NotFound as exc:
                problem = error_text(exc)
    return render_template("public/case_lookup.html", found=found, problem=problem, number=number,
                           challenge=new_challenge(), answer_field=ANSWER_FIELD, honeypot_field=HONEYPOT_FIELD)
