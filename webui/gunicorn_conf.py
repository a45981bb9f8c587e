"""gunicorn settings for duban: `gunicorn --config python:webui.gunicorn_conf webui.wsgi:app`.

Workers are plain processes sharing one database (SQLite file or PostgreSQL); each sweeps the
timers in a thread started after the fork. Override anything on the command line, e.g. -w 4.
"""
from __future__ import annotations

import os
from typing import Any

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("DUBAN_THREADS", "4"))
timeout = 60
accesslog = "-"


def on_starting(server: Any) -> None:
    """Migrate and deploy once, in the master, before any worker starts serving."""
    from webui import create_app

    engine = create_app().extensions["duban"]
    added = engine.init_database()
    engine.operations.close()  # no connection may cross the fork
    if added:
        server.log.info("deployed %s", ", ".join(added))


def post_fork(server: Any, worker: Any) -> None:
    """A thread does not survive fork(): start each worker's timer sweep in the worker."""
    from webui.sweeper import start_sweeper
    from webui.wsgi import app

    start_sweeper(app.extensions["duban"])
