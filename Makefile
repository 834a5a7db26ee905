# EWO Cases: two commands on a fresh Debian machine.
#   make run   install everything, migrate the embedded SQLite database, load demo data, serve
#   make test  install everything and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
AUTHORITY_NAME ?= Anytown Council (demonstration)

GOVUK := node_modules/govuk-frontend/dist/govuk
MOJ := node_modules/@ministryofjustice/frontend/moj
ASSET_SOURCES := $(wildcard ewo_cases/assets/*)

.PHONY: install run test lint lock assets clean

## install: the Python environment, the front-end packages and the built assets
install: $(VENV)/.installed static/.built

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/.built: node_modules/.installed $(ASSET_SOURCES)
	mkdir -p static
	npx sass --quiet --load-path=. --style=compressed --no-source-map ewo_cases/assets/application.scss static/application.css
	cp $(GOVUK)/govuk-frontend.min.js $(MOJ)/moj-frontend.min.js ewo_cases/assets/application.mjs ewo_cases/assets/favicon.svg static/
	rm -rf static/assets && cp -r $(GOVUK)/assets static/assets
	touch $@

assets: static/.built

## run: serve the demo on http://$(HOST):$(PORT) with the embedded SQLite database
run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	EWO_DEBUG=1 EWO_AUTHORITY_NAME="$(AUTHORITY_NAME)" $(FLASK) run --host $(HOST) --port $(PORT)

## test: the whole suite (set EWO_TEST_DATABASE_URL to run it on PostgreSQL)
test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

## lock: re-pin the Python dependencies after changing pyproject.toml
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^ewo-cases' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) node_modules static

## bench: the performance benchmark, 20,000 pupils in 37 schools on SQLite (benchmarks/README.md; about 15 minutes)
.PHONY: bench
bench: install
	$(BIN)/python -m benchmarks.run --pupils 20000 --schools 37
