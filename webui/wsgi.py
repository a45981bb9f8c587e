"""The WSGI application for production servers.

    gunicorn --config python:webui.gunicorn_conf webui.wsgi:app

Importing this module brings the database schema and the deployed workflow versions up to date
(a no-op when gunicorn's master has already done it, see gunicorn_conf). Each worker runs its
own background timer sweep; the engine fires every due timer exactly once however many workers
and machines sweep.
"""
from __future__ import annotations

from webui import create_app
from webui.cli import demo_config

app = create_app(demo_config() or None)
app.extensions["duban"].init_database()
