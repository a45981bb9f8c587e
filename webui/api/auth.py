"""Who calls the API: a personal access token (`Authorization: Bearer dbn_…`), or the browser's session.

A token acts as its person, with their role, unit and permissions; a read token only reads. The session works for
the browser's own pages too; because a browser sends its cookie to any site's form, a write with the session must
carry the page's CSRF token in the `X-CSRFToken` header (a token-authenticated request carries no cookie and needs
none)."""
from __future__ import annotations

from flask import Request, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Unauthorized

from engine.core.errors import PermissionDenied
from engine.core.text import N_
from webui.api.operations import described
from webui.auth.session import SessionUser
from webui.extensions import csrf, engine, login_manager
from webui.security import client_address

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BEARER = "bearer "


@login_manager.request_loader
def token_user(req: Request) -> SessionUser | None:
    """The person a token names, for a request to the API that brings one and no session."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.lower().startswith(BEARER):
        return None
    holder = engine().tokens.holder(header[len(BEARER):].strip(), client_address())
    if holder is None:
        return None
    g.api_token = holder
    return SessionUser.of(holder.user, "")


def authenticate() -> None:
    """Before every operation: logged in (token or session), and allowed to write if it writes."""
    view = current_app.view_functions.get(request.endpoint or "")
    declared = described(view) if view else None
    if declared is not None and declared.public:
        return
    if not current_user.is_authenticated:
        raise Unauthorized(_("请提供有效的访问令牌（Authorization: Bearer …）或先登录。"))
    if request.method in SAFE_METHODS:
        return
    token = g.get("api_token")
    if token is None:
        csrf.protect()
    elif not token.may_write:
        raise PermissionDenied(N_("此访问令牌只读，不能办理（scope: read）"))


def rate_key() -> str:
    """Each person (or token) has their allowance; a caller not yet known, their address."""
    token = g.get("api_token")
    if token is not None:
        return f"token:{token.token_id}"
    return f"user:{current_user.id}" if current_user.is_authenticated else f"addr:{client_address()}"
