"""Login, logout, changing one's password, and who the current user is."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission
from engine.features.accounts.preferences import LOCALES
from engine.features.accounts.users import MAX_PASSWORD_LENGTH
from webui.extensions import engine, limiter, login_manager
from webui.security import client_address

if TYPE_CHECKING:
    from engine.store.models import User

bp = Blueprint("auth", __name__)
#: pages a person who must change their password may still open
OPEN_WHILE_CHANGING = frozenset({"auth.password", "auth.logout", "auth.set_locale", "static"})
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class SessionUser(UserMixin):
    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    unit_name: str
    token: str
    must_change_password: bool = False
    locale: str | None = None

    @classmethod
    def of(cls, user: User, token: str) -> SessionUser:
        return cls(user.id, user.username, user.display_name, user.role, user.unit_id,
                   user.unit.name if user.unit else "", token, user.must_change_password, user.locale)

    def get_id(self) -> str:
        """Flask-Login keeps this in the signed cookie: the session token, never the user id."""
        return self.token


@login_manager.user_loader
def load_user(token: str) -> SessionUser | None:
    user = engine().accounts.resume_session(token) if 0 < len(token) <= MAX_TOKEN_LENGTH else None
    return SessionUser.of(user, token) if user is not None else None


def current_actor() -> Actor:
    return Actor(current_user.id, current_user.username, current_user.display_name, current_user.role,
                 current_user.unit_id, client_address())


def locale_for_request() -> str:
    """The account's language once logged in; before that the visitor's choice in the session."""
    if not has_request_context():
        return LOCALES[0]
    chosen = current_user.locale if current_user.is_authenticated else None
    chosen = chosen or session.get("locale")
    return chosen if chosen in LOCALES else LOCALES[0]


@bp.before_app_request
def password_change_first() -> Response | None:
    """An account whose password an administrator chose works only after its owner picks their own."""
    if request.endpoint in OPEN_WHILE_CHANGING:
        return None  # (and static files need no database read for the session)
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return None


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


def _login_rate() -> str:
    return str(current_app.config["DUBAN_LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login() -> str | Response:
    """Only failed attempts count against the address's limit; the account's own lock is in the database."""
    if current_user.is_authenticated:
        return redirect(landing_page())
    form = LoginForm()
    if form.validate_on_submit():
        result = engine().accounts.login(form.username.data or "", form.password.data or "", client_address())
        if result is not None:
            _fresh_session(result.user.locale or session.get("locale"))
            login_user(SessionUser.of(result.user, result.token))
            flash(_("欢迎，%(name)s", name=result.user.display_name), "success")
            return redirect(safe_next(request.args.get("next"), landing_page(result.user.role)))
        flash(_("用户名或密码不正确，或账户已被锁定或停用。"), "danger")
    return render_template("login.html", form=form)


def _fresh_session(locale: str | None) -> None:
    """Nothing from before a login or logout is carried over but the language."""
    session.clear()
    if locale:
        session["locale"] = locale


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    locale = current_user.locale or session.get("locale")
    engine().accounts.logout(current_actor(), current_user.token)
    logout_user()
    _fresh_session(locale)
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             description=_l("至少 10 个字符，同时包含字母和数字或符号，不能包含用户名"))
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(), EqualTo("password", message=_l("两次输入的新密码不一致"))])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            engine().accounts.change_password(current_actor(), current_user.token, form.current.data or "",
                                     form.password.data or "")
        except InvalidSubmission as exc:
            for name, messages in exc.errors.items():
                getattr(form, name, form.password).errors = list(messages)
        else:
            flash(_("密码已修改"), "success")
            return redirect(landing_page())
    return render_template("password.html", form=form, forced=current_user.must_change_password)


@bp.route("/locale/<code>", methods=["POST"])
def set_locale(code: str) -> Response:
    """Switch the language: kept on the account of a logged-in person, in the session of a visitor."""
    if code in LOCALES:
        session["locale"] = code
        if current_user.is_authenticated:
            engine().accounts.set_locale(current_actor(), code)
    return redirect(safe_next(request.form.get("next")))


def landing_page(role: str | None = None) -> str:
    """Where a person starts: administrators at the accounts, everyone else at their work."""
    role = role or current_user.role
    roles = engine().roles
    if roles.allows(role, "user.manage") and not roles.allows(role, "task.view"):
        return url_for("admin.users")
    return url_for("views.inbox")


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only a local path is followed after login; anything else goes to the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target and not any(ord(char) < 32 for char in target):
            return target
    return default or url_for("views.inbox")
