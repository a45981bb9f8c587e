# duban: a newcomer needs only `make run` and `make test`.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 5000

.PHONY: run test lint install demo clean-db translations

run: $(STAMP)  ## create .venv, load the demo city (first time only) and serve on http://127.0.0.1:$(PORT)
	@echo "duban: loading the demo city (built on the first run only, one to three minutes, each stage printed)"
	$(VENV)/bin/duban demo
	DUBAN_DEMO_CLOCK=1 PORT=$(PORT) $(VENV)/bin/duban serve

test: $(STAMP)  ## lint, check the layers and run the whole test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PYTHON) -m pytest -n auto --dist worksteal

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

install: $(STAMP)

$(STAMP): pyproject.toml  ## pip prints its own progress (no --quiet): the first install takes a while
	@echo "duban: installing the dependencies into $(VENV) (first time only, 1-2 minutes)"
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --upgrade --progress-bar on pip
	$(PYTHON) -m pip install --progress-bar on -e '.[dev]'
	touch $(STAMP)

clean-db:  ## remove the local SQLite database (the demo city is rebuilt by the next `make run`)
	rm -f instance/duban.sqlite3 instance/duban.sqlite3-wal instance/duban.sqlite3-shm

translations: $(STAMP)  ## extract every text into webui/translations/messages.pot and merge it into the catalogs
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project duban --omit-header -o webui/translations/messages.pot .
	$(VENV)/bin/pybabel -q update -i webui/translations/messages.pot -d webui/translations \
		--no-fuzzy-matching --ignore-obsolete
