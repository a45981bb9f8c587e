"""Login, logout and who the current user is."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine.actor import Actor
from engine.models import User
from webui.extensions import engine, login_manager

bp = Blueprint("auth", __name__)
LOCALES = ("zh_Hans_CN", "en")


@dataclass(frozen=True)
class SessionUser(UserMixin):
    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    unit_name: str

    @classmethod
    def of(cls, user: User) -> SessionUser:
        return cls(user.id, user.username, user.display_name, user.role, user.unit_id,
                   user.unit.name if user.unit else "")

    def get_id(self) -> str:
        return str(self.id)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    user = engine().user(int(user_id)) if user_id.isdigit() else None
    return SessionUser.of(user) if user is not None and user.active else None


def current_actor() -> Actor:
    return Actor(current_user.id, current_user.username, current_user.display_name, current_user.role,
                 current_user.unit_id, request.remote_addr or "")


def locale_for_request() -> str:
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else LOCALES[0]


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=256)])


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("views.inbox"))
    form = LoginForm()
    if form.validate_on_submit():
        user = engine().login(form.username.data or "", form.password.data or "", request.remote_addr or "")
        if user is not None:
            session.clear()
            login_user(SessionUser.of(user))
            flash(_("欢迎，%(name)s", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")))
        flash(_("用户名或密码不正确"), "danger")
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/locale/<code>", methods=["POST"])
def set_locale(code: str) -> Response:
    if code in LOCALES:
        session["locale"] = code
    return redirect(safe_next(request.form.get("next")))


def safe_next(target: str | None) -> str:
    """Only a local path is followed after login; anything else goes to the inbox."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("views.inbox")
