# The README's two quick-start commands are `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test test-fast lint bench system-deps clean

# CPU torch goes in first and pinned: a bare `torch` requirement pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Debian's chromium drives the review desk's browser tests (a self-downloading browser cannot).
system-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

run: setup
	$(BIN)/negobot run

test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# Unit tests only: no real model, browser, Bot API emulator, PostgreSQL, crash or minute-long tests.
test-fast: setup
	$(BIN)/pytest -q -m "not model and not browser and not e2e and not postgres and not crash and not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data/index data/*.db data/*.db-* artifacts
