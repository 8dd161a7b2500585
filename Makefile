# Two entry points for a fresh clone: `make demo` judges the bundled example complaints,
# `make test` runs every check CI runs. Both create .venv on first use; `make help` lists the rest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The interpreter the venv was made with, so that another PYTHON= rebuilds it instead of being
# silently ignored.
STAMP := $(VENV)/.interpreter
# durable-rules 2.0.28 calls PyEval_CallObject, which Python 3.13 removed from its headers;
# PyObject_CallObject has the same signature. Harmless on 3.10-3.12.
export CPPFLAGS += -DPyEval_CallObject=PyObject_CallObject

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast suite lint docs bench snapshot clean FORCE

help: ## list the targets
	@echo "usage: make TARGET [PYTHON=python3.x] [VENV=.venv]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 14

# Rewritten only when the interpreter differs, so that an unchanged one triggers no reinstall.
# .ci/find-python also finds a pyenv-installed version that its shim on PATH will not run.
$(STAMP): FORCE
	@exe="$$(.ci/find-python '$(PYTHON)')" \
	  || { echo "make: PYTHON=$(PYTHON) does not run; name an installed interpreter," \
	            "e.g. make demo PYTHON=python3.12" >&2; exit 1; }; \
	want="$$exe $$("$$exe" -c 'import sys; print(sys.version.split()[0])')"; \
	if [ "$$(cat $@ 2>/dev/null)" != "$$want" ]; then \
	  if [ -d $(VENV) ]; then \
	    echo "make: $(VENV) was made with $$(cat $@ 2>/dev/null || echo 'another interpreter');" \
	         "rebuilding it with $$want"; \
	  fi; \
	  rm -rf $(VENV) && "$$exe" -m venv $(VENV) && echo "$$want" > $@; \
	fi

$(BIN)/.installed: pyproject.toml setup.py $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -e '.[dev,server]'
	touch $@

demo: $(BIN)/.installed ## install into .venv and judge the example complaints
	$(BIN)/eligibility check examples/*.yaml || [ $$? -eq 1 ]

lint: $(BIN)/.installed ## ruff and mypy --strict
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint ## everything CI runs: lint, policy lint, all tests (slow ones too), case coverage
	$(BIN)/eligibility lint
	$(BIN)/pytest
	$(BIN)/eligibility test --coverage tests/cases

test-fast: $(BIN)/.installed ## the tests without the slow ones (soak, packaging): everyday use
	$(BIN)/pytest -m 'not slow'

suite: $(BIN)/.installed ## the whole pytest suite, slow tests included, without lint
	$(BIN)/pytest

docs: $(BIN)/.installed ## regenerate the rule catalogs (docs/rules.md, docs/rules.zh-CN.md) from rules/
	$(BIN)/eligibility rules --markdown > docs/rules.md
	$(BIN)/eligibility rules --markdown --lang zh-CN > docs/rules.zh-CN.md

bench: $(BIN)/.installed ## speed and memory benchmarks
	$(BIN)/python benchmarks/run.py

snapshot: $(BIN)/.installed ## rewrite the verdict snapshots in tests/snapshots/
	$(BIN)/python -m tests.snapshot --update

clean: ## remove the venv and every build and cache folder
	rm -rf $(VENV) .venv-3.* build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .schemathesis

FORCE:
