# WhaleFall: `make run` serves the app on its embedded default; `make test` installs everything and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint bench bench-sync bench-api install install-dev system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## The app on embedded SQLite with the in-process scheduler, on http://127.0.0.1:5001
run: install
	$(BIN)/whalefall run

## Debian packages the tests need (database servers); idempotent
system-deps:
	bash scripts/install-system-deps.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

## Everything: system packages, Python packages, lint, import contracts, the whole test suite on real servers
test: system-deps lint
	WHALEFALL_REQUIRE_SERVERS=1 $(BIN)/pytest

## The quick loop: no Gunicorn boot, real servers skipped when absent
test-fast: install-dev
	$(BIN)/pytest -m "not slow"

bench: install-dev
	$(BIN)/python benchmarks/boot_bench.py

bench-sync: system-deps install-dev
	$(BIN)/python benchmarks/sync_bench.py

bench-api: system-deps install-dev
	$(BIN)/python benchmarks/api_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache
