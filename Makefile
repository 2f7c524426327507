# The two commands of README: `make run` (install, migrate, load the demo, serve) and `make test`.
VENV ?= .venv
PYTHON ?= python3
FLASK = $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in e-mails are built on this address only (never on the request's Host header).
export CONVSIGN_EXTERNAL_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/python -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
