"""The web side of duban: one composition point, `create_app`."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from engine.app import Duban, open_engine
from engine.core.clock import OffsetClock, SystemClock
from engine.features.notifications.messages import Translate, untranslated
from webui import security
from webui.i18n import message_translator
from webui.params import CleanRequest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    instance_path = Path(os.environ.get("DUBAN_INSTANCE") or PROJECT_ROOT / "instance").resolve()
    app = Flask(__name__, instance_path=str(instance_path))
    app.request_class = CleanRequest
    app.config.from_mapping(_defaults(instance_path))
    app.config.from_mapping(security.defaults(os.environ))
    if config:
        app.config.update(config)
    security.check_start_up(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance_path)
    engine = app.config.get("DUBAN_ENGINE") or build_engine(app.config, message_translator(app))
    app.extensions["duban"] = engine
    time_machine = app.config.get("DUBAN_TIME_MACHINE")
    if time_machine is not None:  # the demo's (webui/cli.py and webui/wsgi.py hand it over in demo mode)
        app.extensions["duban_time_machine"] = time_machine(engine)
    _register(app)
    return app


def build_engine(config: Mapping[str, Any], translate: Translate = untranslated) -> Duban:
    clock = config.get("DUBAN_CLOCK") or SystemClock()
    if config.get("DUBAN_DEMO_CLOCK"):
        clock = OffsetClock(clock)
    return open_engine(config["DATABASE_URL"], Path(config["DUBAN_ROLES"]), Path(config["DUBAN_WORKFLOWS"]), clock,
                       storage=Path(config["DUBAN_STORAGE"]), translate=translate,
                       migration_url=config.get("DUBAN_MIGRATION_DATABASE_URL"))


def _defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'duban.sqlite3'}",
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "DUBAN_ROLES": os.environ.get("DUBAN_ROLES") or str(PROJECT_ROOT / "roles.yaml"),
        "DUBAN_WORKFLOWS": os.environ.get("DUBAN_WORKFLOWS") or str(PROJECT_ROOT / "workflows"),
        "DUBAN_DEMO_CLOCK": os.environ.get("DUBAN_DEMO_CLOCK") == "1",
        "DUBAN_STORAGE": os.environ.get("DUBAN_STORAGE") or str(instance_path / "evidence"),
        # the schema owner, for `duban init` where the web app's role may not change tables (docs/operations.md)
        "DUBAN_MIGRATION_DATABASE_URL": os.environ.get("DUBAN_MIGRATION_DATABASE_URL") or None,
        # a request may carry a few evidence files; each is checked against DUBAN_EVIDENCE_MAX_MB
        "MAX_CONTENT_LENGTH": 110 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    }


def _instance_secret(instance_path: Path) -> str:
    """The demo keeps a generated key in the instance folder, so sessions survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _register(app: Flask) -> None:
    from webui import api, errors, i18n
    from webui.admin import holidays, incidents
    from webui.admin import routes as admin
    from webui.auth import routes as auth
    from webui.auth.session import locale_for_request
    from webui.cases import routes as cases
    from webui.chasing import routes as chasing
    from webui.clues import routes as clues
    from webui.demo_clock import routes as demo_clock
    from webui.documents import routes as documents
    from webui.escalation import routes as escalation
    from webui.extension import routes as extension
    from webui.extensions import babel, csrf, login_manager
    from webui.formatting import register_filters
    from webui.instructions import routes as instructions
    from webui.measures import routes as measures
    from webui.notifications import routes as notifications
    from webui.processes import console as instances
    from webui.processes import routes as processes
    from webui.public import cases as public_cases
    from webui.public import exposures, publicity
    from webui.public import routes as public
    from webui.reporting import bulletin, dashboard, ledger_io
    from webui.rounds import routes as rounds
    from webui.rounds.choice import round_name
    from webui.targets import routes as targets
    from webui.tasks import routes as tasks
    from webui.tokens import routes as tokens
    from webui.work import routes as work

    security.install(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(i18n.compiled_catalogs(app))
    babel.init_app(app, locale_selector=locale_for_request)
    i18n.translate_templates(app)
    app.context_processor(i18n.language_switch)
    app.add_template_filter(i18n.parenthetical, "parenthetical")
    register_filters(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(work.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(publicity.bp)
    app.register_blueprint(public_cases.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(holidays.bp)
    for reporting in (dashboard, ledger_io, bulletin, targets):
        app.register_blueprint(reporting.bp)
    app.register_blueprint(escalation.bp)
    app.register_blueprint(instructions.bp)
    app.register_blueprint(chasing.bp)
    app.register_blueprint(extension.bp)
    app.register_blueprint(clues.bp)
    app.register_blueprint(measures.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(exposures.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(processes.bp)
    app.register_blueprint(instances.bp)
    app.register_blueprint(rounds.bp)
    app.add_template_global(round_name, "round_name")
    app.register_blueprint(tokens.bp)
    api.install(app)
    if "duban_time_machine" in app.extensions:
        app.register_blueprint(demo_clock.bp)
        app.before_request(app.extensions["duban_time_machine"].sync)
    errors.register(app)
