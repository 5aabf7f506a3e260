# graphmodel — every set-up step lives here, so a fresh machine needs only
# `make demo` (the main job) and `make test` (the whole suite, Neo4j included).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= reports

.PHONY: help install system-deps demo test test-fast lint dataset docs clean

help:
	@echo "make demo        - install and run the main job on the shipped dataset (embedded backend)"
	@echo "make test        - install everything the tests need and run the whole suite"
	@echo "make lint        - ruff"
	@echo "make dataset     - regenerate data/jingansi from scripts/build_jingansi.py"
	@echo "make docs        - regenerate docs/schema.md from graphmodel/schema.py"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

system-deps:
	bash scripts/setup-system.sh

demo: install
	$(BIN)/graphmodel info

test: install system-deps
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not neo4j and not browser"

lint: install
	$(BIN)/ruff check graphmodel tests scripts

dataset: install
	$(BIN)/python scripts/build_jingansi.py

docs: install
	$(BIN)/graphmodel schema > docs/schema.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
