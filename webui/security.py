"""Security headers on every response, production start-up checks, the client's address."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

#: No inline script anywhere (the only script is the vendored Bootstrap bundle). Inline styles are
#: allowed because the task page inlines its SVG process diagram, which carries a <style> element.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
ENVIRONMENTS = ("development", "production")
MIN_SECRET_KEY_LENGTH = 32


class UnsafeConfiguration(ValueError):
    """Production mode found a setting it will not run with."""


def defaults(environ: Mapping[str, str]) -> dict[str, Any]:
    production = environ.get("DUBAN_ENV", "development") == "production"
    secure = environ.get("DUBAN_SECURE_COOKIES", "1" if production else "0") == "1"
    return {
        "DUBAN_ENV": environ.get("DUBAN_ENV", "development"),
        "SESSION_COOKIE_NAME": "duban_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "DUBAN_PROXY_COUNT": _int(environ, "DUBAN_PROXY_COUNT", 0),
    }


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    try:
        return default if raw is None else int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def check_start_up(app: Flask) -> None:
    """Refuse to serve in production with debug on or without a proper SECRET_KEY from the environment."""
    env = app.config["DUBAN_ENV"]
    if env not in ENVIRONMENTS:
        raise UnsafeConfiguration(f"DUBAN_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    if env != "production":
        return
    if app.debug:
        raise UnsafeConfiguration("DUBAN_ENV=production refuses to start with debug on (unset FLASK_DEBUG)")
    if len(app.config.get("SECRET_KEY") or "") < MIN_SECRET_KEY_LENGTH:
        raise UnsafeConfiguration("DUBAN_ENV=production needs SECRET_KEY in the environment, at least "
                                  f"{MIN_SECRET_KEY_LENGTH} characters (e.g. python -c 'import secrets; "
                                  "print(secrets.token_hex(32))')")


class DatabaseId(IntegerConverter):
    """<int:...> in a URL: no larger than a database id can be, so /tasks/99999999999999999999 is a plain 404."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def install(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseId
    if app.config["DUBAN_PROXY_COUNT"] > 0:
        hops = app.config["DUBAN_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static" and not _revalidated(response):
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _revalidated(response: Response) -> bool:
    """An API list with an ETag is kept by its caller and asked again with If-None-Match (private, no-cache)."""
    return request.blueprint == "api" and "ETag" in response.headers and bool(response.cache_control.no_cache)


def client_address() -> str:
    """The browser's address (behind DUBAN_PROXY_COUNT trusted proxies, the one they report)."""
    return (request.remote_addr or "")[:64]
