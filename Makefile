# Two entry points for a fresh clone: `make demo` judges the bundled example complaints,
# `make test` runs every check CI runs. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs bench snapshot clean

$(BIN)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,server]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/eligibility check examples/*.yaml || [ $$? -eq 1 ]

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/eligibility lint
	$(BIN)/pytest
	$(BIN)/eligibility test --coverage tests/cases

docs: $(BIN)/.installed
	$(BIN)/eligibility rules --markdown > docs/rules.md

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis

snapshot: $(BIN)/.installed
	$(BIN)/python -m tests.snapshot --update
