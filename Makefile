# lightbase: `make demo` boots the demo container tree, `make test` runs every test.
# Each target creates the local virtual environment it needs (.venv) by itself.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-unit test-integration lint format venv clean
.PHONY: image push showver patch-release minor-release major-release lint-images

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
	$(MAKE) -C apps/keyper test

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration

lint: $(STAMP) lint-images
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) -C apps/keyper lint

# Containerfiles with hadolint, every shell script (*.sh and sh/bash shebangs) with shellcheck.
lint-images: $(STAMP)
	$(BIN)/hadolint $$(git ls-files '*Containerfile' '*Dockerfile')
	$(BIN)/shellcheck $$(scripts/shell-files)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(BENCH_VENV) build src/*.egg-info .pytest_cache

# --- images and releases (docs/images.md) -------------------------------------------------
# ENGINE: podman or docker (empty: podman when installed, else docker). The base image is
# $(IMAGE), the demo image $(IMAGE)-demo; both get the .release version and `latest`.
# BASE_IMAGE empty: Debian bookworm-slim, or a debootstrapped Debian where none can be pulled.
ENGINE     ?=
REGISTRY   ?= localhost
IMAGE_NAME ?= lightbase
IMAGE      ?= $(REGISTRY)/$(IMAGE_NAME)
BASE_IMAGE ?=
VERSION    := $(shell scripts/release version)
ENGINE_RUN := ENGINE=$(ENGINE) scripts/engine

image:
	ENGINE=$(ENGINE) IMAGE=$(IMAGE) VERSION=$(VERSION) BASE_IMAGE=$(BASE_IMAGE) scripts/build-images

push:
	@if [ "$(REGISTRY)" = localhost ]; then \
		echo "make push: set REGISTRY (e.g. make push REGISTRY=ghcr.io/you)" >&2; exit 2; fi
	$(ENGINE_RUN) push $(IMAGE):$(VERSION)
	$(ENGINE_RUN) push $(IMAGE):latest

showver:
	@scripts/release version

patch-release minor-release major-release:
	@scripts/release bump $(@:-release=)

# --- the keyper reference image (docs/keyper-image.md) ---------------------------------
# `make keyper` builds the base image and keyper on it, runs it on named volumes with its
# ports published (KEYPER_PORTS) and waits until it is healthy; `make keyper-stop` removes it.
KEYPER_IMAGE ?= $(REGISTRY)/keyper
KEYPER_ENV   := ENGINE=$(ENGINE) LIGHTBASE_IMAGE=$(IMAGE):$(VERSION) KEYPER_IMAGE=$(KEYPER_IMAGE) VERSION=$(VERSION)

.PHONY: keyper keyper-image keyper-stop
keyper: keyper-image
	$(KEYPER_ENV) scripts/keyper run

keyper-image: image
	$(KEYPER_ENV) scripts/keyper build

keyper-stop:
	$(KEYPER_ENV) scripts/keyper stop

# --- benchmarks (docs/benchmarks.md) ------------------------------------------------------
# The harness needs root and only the standard library; the plots need matplotlib, kept in a
# venv of its own so lightbase's interpreter stays as users run it. BENCH_ARGS passes options,
# e.g. `make bench BENCH_ARGS="--reps 3 --idle-seconds 10"`.
.PHONY: bench bench-quick bench-peers
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
