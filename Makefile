# The two commands of README.md: `make demo` and `make test`. Each sets up what it needs
# (virtualenv, Python and npm packages) on a fresh machine, then runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLOORS := .venv-floors
FLOORS_BIN := $(FLOORS)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
BOARD := sample_site/board/frontend

.PHONY: demo test test-newest test-floors setup setup-floors lint schema codegen

demo: setup
	$(BIN)/python sample_site/manage.py migrate --noinput
	$(BIN)/python sample_site/manage.py seed_demo
	@echo "Sign in: http://$(HOST):$(PORT)/accounts/login/ (alice or bob, password demo)"
	@echo "Live board: http://$(HOST):$(PORT)/board/   Admin: /admin/ (admin/admin)"
	@echo "GraphiQL: http://$(HOST):$(PORT)/graphql/   REST: http://$(HOST):$(PORT)/api/"
	$(BIN)/python -m uvicorn sample_site.asgi:application --host $(HOST) --port $(PORT)

# Type-check first (mypy with the Django and DRF stubs, pyproject.toml [tool.mypy]), then
# the whole suite twice: on the newest versions pyproject.toml allows (.venv), and on the
# lowest (.venv-floors: every runtime dependency pinned by constraints/floors.txt).
test: test-newest test-floors

test-newest: setup
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-floors: setup setup-floors
	DGL_FLOORS=1 $(FLOORS_BIN)/python -m pytest $(PYTEST_ARGS)

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

setup-floors: $(FLOORS)/.installed

# The declared floors: pip resolves the package's metadata with every runtime dependency
# pinned at its lowest allowed version (the dev tools stay free).
$(FLOORS)/.installed: pyproject.toml constraints/floors.txt
	test -x $(FLOORS_BIN)/python || $(PYTHON) -m venv $(FLOORS)
	$(FLOORS_BIN)/python -m pip install --quiet --upgrade pip
	$(FLOORS_BIN)/python -m pip install --quiet -c constraints/floors.txt -e ".[dev]"
	touch $@

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
