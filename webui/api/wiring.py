"""The blueprint set up once: its operations, who may call them, their allowance and their error answers."""
from __future__ import annotations

from flask import current_app

from webui.api import auth, batch, cases, document, drafts, problems, reads, work  # noqa: F401 (their operations join the blueprint)
from webui.api.blueprint import bp
from webui.extensions import csrf, limiter

csrf.exempt(bp)  # a token needs none; auth.authenticate asks the session's writes for the CSRF header
bp.before_request(auth.authenticate)
limiter.limit(lambda: current_app.config["DUBAN_API_RATE_LIMIT"], key_func=auth.rate_key)(bp)
problems.register(bp)
