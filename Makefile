# lightbase: `make demo` boots the demo container tree, `make test` runs every test.
# Each target creates the local virtual environment it needs (.venv) by itself.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-unit test-integration lint format venv clean bench bench-quick bench-peers

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python examples/demo/run-demo.py

test: $(STAMP)
	$(BIN)/pytest

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(BENCH_VENV) build src/*.egg-info .pytest_cache

# Benchmarks (docs/benchmarks.md). The harness needs root and only the standard library; the
# plots need matplotlib, kept in a venv of its own so lightbase's interpreter stays as users
# run it. BENCH_ARGS passes options, e.g. `make bench BENCH_ARGS="--reps 3 --idle-seconds 10"`.
BENCH_VENV  ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_ARGS  ?=

$(BENCH_STAMP): bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

bench-peers:
	bash bench/setup.sh

bench: $(STAMP) $(BENCH_STAMP) bench-peers
	$(BENCH_VENV)/bin/python -m bench --plot $(BENCH_ARGS)

bench-quick: $(STAMP) bench-peers
	$(PYTHON) -m bench --quick $(BENCH_ARGS)
