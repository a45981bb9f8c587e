"""The JSON API (/api/v1): the engine's use cases for other systems (a province's platform, a mobile app, a data
screen), with the web's permissions, unit scope and audit; its OpenAPI document is written from the code."""
from __future__ import annotations

import os

from flask import Flask

#: each caller's allowance (a token, a person, or an address not yet known); DUBAN_API_RATE_LIMIT changes it
DEFAULT_RATE_LIMIT = "120 per minute"
#: where the allowances are counted: each process's memory unless DUBAN_RATELIMIT_STORAGE_URI names a shared store
#: (redis://host:6379, memcached://host:11211: docs/operations.md)
DEFAULT_RATE_LIMIT_STORAGE = "memory://"


def install(app: Flask) -> None:
    from webui.api.wiring import bp
    from webui.extensions import limiter

    for name, default in (("DUBAN_API_RATE_LIMIT", DEFAULT_RATE_LIMIT),
                          ("DUBAN_RATELIMIT_STORAGE_URI", DEFAULT_RATE_LIMIT_STORAGE)):
        app.config.setdefault(name, os.environ.get(name) or default)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["DUBAN_RATELIMIT_STORAGE_URI"])
    # a shared store out of reach: each process counts in its memory meanwhile, rather than refusing the request
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_blueprint(bp)
