# The two commands of README.md: `make demo` and `make test`. Each sets up what it needs
# (virtualenv, Python and npm packages) on a fresh machine, then runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup lint schema

demo: setup
	$(BIN)/python sample_site/manage.py migrate --noinput
	$(BIN)/python sample_site/manage.py seed_demo
	@echo "GraphiQL: http://$(HOST):$(PORT)/graphql/   REST: http://$(HOST):$(PORT)/api/"
	$(BIN)/python -m uvicorn sample_site.asgi:application --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: setup
	$(BIN)/python sample_site/manage.py export_schema --path schema.graphql

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
