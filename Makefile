# The two commands of the README: `make run` and `make test`.
# Both create .venv when missing and (re)install when pyproject.toml changes.
# Contributors: `make test-fast` (≤ 60 s), `make faults`, `make bench` (CONTRIBUTING.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export BENTOML_DO_NOT_TRACK := True
export MLFLOW_DISABLE_TELEMETRY := true
PACKAGES := workbench application infrastructure domain shared
# pytest-xdist workers: one more than the cores (most tests wait on child processes), at most 8 (memory: each worker
# may hold a TensorFlow or PyTorch child of ~0.6 GB). 3 on the 2-core machines the times in CONTRIBUTING.md are from.
CORES   := $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1)")
WORKERS ?= $(shell echo $$(( $(CORES) + 1 < 8 ? $(CORES) + 1 : 8 )))
FAST_WORKERS ?= $(shell echo $$(( $(CORES) + 2 < 8 ? $(CORES) + 2 : 8 )))
# Coverage of the test processes (step children are not traced: see [tool.coverage.run]). On Python 3.11 the tracer
# adds ~45% to the CPU of the UI tests; `make pytest COV=` runs the whole suite without it for a quicker local check.
COV ?= --cov --cov-report=term:skip-covered

.PHONY: run test test-fast faults setup setup-test lint typecheck lint-imports lessons-check pytest bench clean

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

lint: setup-test                     ## ruff (pyflakes, errors, imports, bugbear, pyupgrade, simplify) and the format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-test                ## mypy over every package
	$(BIN)/mypy $(PACKAGES)

lint-imports: setup-test             ## the layer contracts in pyproject.toml
	$(BIN)/lint-imports

lessons-check: setup-test            ## every lesson loads, its entry points import, its README names its files, exercises fail/pass
	$(BIN)/mlops-workbench lessons check

pytest: setup-test                   ## the whole suite (WORKERS workers; one module's shared fixture stays on one worker) with coverage (COV) and the ten slowest
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup --durations=10 $(COV)

test: lint typecheck lint-imports lessons-check pytest  ## the whole suite, as CI runs it

test-fast: setup-test                ## unit and UI tests on the fixture curriculum (no real training, no real server)
	$(BIN)/pytest -n $(FAST_WORKERS) -m "not slow" -p no:schemathesis -p no:hypothesispytest -p no:locust --durations=5 tests/unit tests/tui

faults: setup-test                   ## the fault-injection suite alone
	$(BIN)/pytest -m faults --durations=10

bench: setup-test                    ## speed and memory benchmarks (not part of `make test`)
	$(BIN)/python -m tests.benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .import_linter_cache .mypy_cache .ruff_cache .coverage *.egg-info
