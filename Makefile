# The two commands of the README: `make run` and `make test` (which runs
# `make lint` first).
# (--no-control-socket: gunicorn 27's control socket is one path per user, which
# two portals on one machine would share.)
# Each creates .venv and installs Skiff into it first (once, again when
# pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
BIN = $(VENV)/bin

.PHONY: run test lint bench clean demo-reset

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,redis]'
	touch $@

run: $(BIN)/.installed
	@echo "Skiff on http://$(HOST):$(PORT)/  (demo login: demo / demo unless SKIFF_CLOUD_AUTH_URL is set)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 \
		--no-control-socket --access-logfile - wsgi:app

# ruff (lint and format) and mypy first: a failure there fails the tests.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py

# Forget everything the demo cloud holds (servers, key pairs, volumes, floating
# IPs): its state file is made afresh on next use. DEMO_DATABASE as in the config.
DEMO_DATABASE ?= $(or $(SKIFF_DEMO_DATABASE),instance/demo-cloud.sqlite)
demo-reset:
	rm -f $(DEMO_DATABASE) $(DEMO_DATABASE)-journal $(DEMO_DATABASE)-wal $(DEMO_DATABASE)-shm

clean:
	rm -rf $(VENV) instance test-artifacts
