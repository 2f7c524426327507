# The two commands of README: `make run` (install, migrate, load the demo, serve) and `make test`.
VENV ?= .venv
PYTHON ?= python3
FLASK = $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-dev run test lint

# `make run` installs what the app needs (requirements.txt); `make test` adds the test tools.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev
	$(VENV)/bin/python -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
