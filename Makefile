# The two commands of README.md: `make demo` and `make test`. Each sets up what it needs
# (virtualenv, Python and npm packages) on a fresh machine, then runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
BOARD := sample_site/board/frontend

.PHONY: demo test setup lint schema codegen

demo: setup
	$(BIN)/python sample_site/manage.py migrate --noinput
	$(BIN)/python sample_site/manage.py seed_demo
	@echo "Sign in: http://$(HOST):$(PORT)/accounts/login/ (alice or bob, password demo)"
	@echo "Live board: http://$(HOST):$(PORT)/board/   Admin: /admin/ (admin/admin)"
	@echo "GraphiQL: http://$(HOST):$(PORT)/graphql/   REST: http://$(HOST):$(PORT)/api/"
	$(BIN)/python -m uvicorn sample_site.asgi:application --host $(HOST) --port $(PORT)

# Type-check first (mypy with the Django and DRF stubs, pyproject.toml [tool.mypy]), then
# the whole suite.
test: setup
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: setup
	$(BIN)/python sample_site/manage.py export_schema --path schema.graphql

# Typed client codegen (README): the schema's SDL, graphql-codegen over the board
# page's operations (codegen.yml), then the page type-checks against the output.
codegen: setup
	mkdir -p $(BOARD)/generated
	$(BIN)/python sample_site/manage.py export_schema --path $(BOARD)/generated/schema.graphql
	npx --no-install graphql-codegen --config codegen.yml
	npx --no-install tsc -p $(BOARD)

setup: $(VENV)/.installed node_modules/.installed $(BOARD)/dist/board.js

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The live board page's script: board.ts + the graphql-ws npm client, bundled by esbuild.
$(BOARD)/dist/board.js: $(BOARD)/board.ts node_modules/.installed
	npm run --silent build:board
