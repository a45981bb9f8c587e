"""访问令牌: a person's own personal access tokens for the JSON API, made (the secret shown once), listed, revoked."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.tokens.forms import TOKEN_FIELDS
from engine.features.tokens.usecases import IssuedToken
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.forms import EngineForm, form_for
from webui.work.forms import ButtonForm

bp = Blueprint("tokens", __name__, template_folder="templates")


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index() -> str:
    form = form_for(TOKEN_FIELDS)
    issued = None
    if form.validate_on_submit():
        try:
            issued = engine().tokens.create(current_actor(), form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            form = form_for(TOKEN_FIELDS)
    return page(form, issued)


def page(form: EngineForm, issued: IssuedToken | None = None) -> str:
    return render_template("tokens/index.html", form=form, issued=issued, tokens=engine().tokens.mine(current_actor()),
                           revoke=ButtonForm())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    if ButtonForm().validate_on_submit():
        engine().tokens.revoke(current_actor(), token_id)
        flash(_("访问令牌已撤销，使用它的请求从现在起被拒绝。"), "success")
    else:
        flash(_("表单已失效，请刷新页面后重试。"), "danger")
    return redirect(url_for("tokens.index"))
