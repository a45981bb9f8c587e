"""The demo city (泸州, its 35 tasks and six months of history) and the demo's time machine. Only the command line
(webui/cli.py, webui/wsgi.py) and the tests import it."""
