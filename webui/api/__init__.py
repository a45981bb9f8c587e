"""The JSON API (/api/v1): the engine's use cases for other systems (a province's platform, a mobile app, a data
screen), with the web's permissions, unit scope and audit; its OpenAPI document is written from the code."""
from __future__ import annotations

from flask import Flask

#: each caller's allowance (a token, a person, or an address not yet known); DUBAN_API_RATE_LIMIT changes it
DEFAULT_RATE_LIMIT = "120 per minute"


def install(app: Flask) -> None:
    from webui.api.wiring import bp
    from webui.extensions import limiter

    app.config.setdefault("DUBAN_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_blueprint(bp)
