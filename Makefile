# The two commands of the README: `make run` and `make test`.
# Both create .venv when missing and (re)install when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export BENTOML_DO_NOT_TRACK := True
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: run test setup setup-test lint-imports lessons-check pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-all: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[all]'
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[all,test]'
	@touch $@ $(VENV)/.installed-all

setup: $(VENV)/.installed-all        ## create .venv and install the workbench with every framework
setup-test: $(VENV)/.installed-test  ## ... plus the test tools

run: setup                           ## open the workbench
	$(BIN)/mlops-workbench

lint-imports: setup-test             ## the layer contracts in pyproject.toml, and ruff's check for real mistakes
	$(BIN)/lint-imports
	$(BIN)/ruff check .

lessons-check: setup-test            ## every lesson loads, its entry points import, its README names its files
	$(BIN)/mlops-workbench lessons check

pytest: setup-test
	$(BIN)/pytest

test: lint-imports lessons-check pytest  ## the whole suite, as CI runs it

bench: setup-test                    ## speed and memory benchmarks (not part of `make test`)
	$(BIN)/python -m tests.benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .import_linter_cache *.egg-info
