# The two commands of README: `make run` (install, migrate, load the demo, serve) and `make test`.
VENV ?= .venv
PYTHON ?= python3
FLASK = $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in e-mails are built on this address only (never on the request's Host header).
export CONVSIGN_EXTERNAL_URL ?= http://$(HOST):$(PORT)

.PHONY: install install-dev run test lint agent

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

# The signing agent as one file (a zipapp): `python3 dist/convsign-agent.pyz serve …` on a machine with
# python-pkcs11 and cryptography installed (pip install python-pkcs11 cryptography).
agent: dist/convsign-agent.pyz

dist/convsign-agent.pyz: agent/convsign_agent/*.py
	rm -rf build/agent && mkdir -p build/agent dist
	cp -r agent/convsign_agent build/agent/
	rm -rf build/agent/convsign_agent/__pycache__
	printf 'import sys\nfrom convsign_agent.cli import main\nsys.exit(main())\n' > build/agent/__main__.py
	$(PYTHON) -m zipapp build/agent -p "/usr/bin/env python3" -o $@
