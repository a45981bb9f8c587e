"""Who the current user is: the session's account, as Flask-Login keeps it, and as the engine's actor."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import has_request_context, session
from flask_login import UserMixin, current_user

from engine.core.actor import Actor
from engine.features.accounts.preferences import LOCALES
from webui.extensions import engine, login_manager
from webui.security import client_address

if TYPE_CHECKING:
    from engine.store.models import User

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
