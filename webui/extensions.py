from __future__ import annotations

from flask import current_app
from flask_babel import Babel, gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from engine.app import Duban, TimeMachine
from engine.core.text import N_

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = N_("请先登录")
login_manager.localize_callback = gettext
login_manager.login_message_category = "warning"
login_manager.session_protection = "strong"
babel = Babel()
#: only the API is limited (webui/api); the login counts its failures in the database (accounts)
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def engine() -> Duban:
    """The Duban engine built once by create_app."""
    return current_app.extensions["duban"]  # type: ignore[no-any-return]


def time_machine() -> TimeMachine:
    """The demo's time machine, in demo mode (see create_app)."""
    return current_app.extensions["duban_time_machine"]  # type: ignore[no-any-return]
