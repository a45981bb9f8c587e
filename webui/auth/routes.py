"""Login, logout, changing one's password and the language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from engine.features.accounts.preferences import LOCALES
from webui.auth.forms import LoginForm, PasswordForm
from webui.auth.session import SessionUser, current_actor
from webui.extensions import engine
from webui.forms import add_errors
from webui.security import client_address

bp = Blueprint("auth", __name__, template_folder="templates")
#: the lead city leaders: their first page is the dashboard
LEADER_ROLE = "leader"
#: pages a person who must change their password may still open
OPEN_WHILE_CHANGING = frozenset({"auth.password", "auth.logout", "auth.set_locale", "static"})


@bp.before_app_request
def password_change_first() -> Response | None:
    """An account whose password an administrator chose works only after its owner picks their own."""
    if request.endpoint in OPEN_WHILE_CHANGING:
        return None  # (and static files need no database read for the session)
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Failed attempts count against the address's limit and the account's lock, both in the database."""
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
    return render_template("auth/login.html", form=form)


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


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            engine().accounts.change_password(current_actor(), current_user.token, form.current.data or "",
                                     form.password.data or "")
        except InvalidSubmission as exc:
            add_errors(form, exc.errors)
        else:
            flash(_("密码已修改"), "success")
            return redirect(landing_page())
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password)


@bp.route("/locale/<code>", methods=["POST"])
def set_locale(code: str) -> Response:
    """Switch the language: kept on the account of a logged-in person, in the session of a visitor."""
    if code in LOCALES:
        session["locale"] = code
        if current_user.is_authenticated:
            engine().accounts.set_locale(current_actor(), code)
    return redirect(safe_next(request.form.get("next")))


def landing_page(role: str | None = None) -> str:
    """Where a person starts: administrators at the accounts, leaders at the dashboard (their own tasks and what
    waits for their approval on top), everyone else at their work."""
    role = role or current_user.role
    roles = engine().roles
    if roles.allows(role, "user.manage") and not roles.allows(role, "task.view"):
        return url_for("admin.users")
    if role == LEADER_ROLE and roles.allows(role, "dashboard.view"):
        return url_for("dashboard.index")
    return url_for("tasks.inbox")


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only a local path is followed after login; anything else goes to the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target and not any(ord(char) < 32 for char in target):
            return target
    return default or url_for("tasks.inbox")
