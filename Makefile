# graphmodel — every set-up step lives here, so a fresh machine needs only
# `make demo` (the main job) and `make test` (the whole suite, Neo4j included).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= reports

.PHONY: help install system-deps demo test test-fast test-wheel lint dataset docs clean bench \
        neo4j-install neo4j-start neo4j-stop neo4j-status neo4j-load

help:
	@echo "make demo        - install and run the main job on the shipped dataset (embedded backend)"
	@echo "make test        - install everything the tests need and run the whole suite"
	@echo "make test-wheel  - build the wheel and sdist, install them in a fresh venv, run the CLI"
	@echo "make neo4j-start - install (from Maven Central) and start the local Neo4j server"
	@echo "make neo4j-stop  - stop it; make neo4j-status - is it running?"
	@echo "make neo4j-load  - load the shipped dataset into it"
	@echo "make bench       - benchmarks street/district/city, embedded and Neo4j (about an hour with Neo4j at city; --neo4j-tiers district: 15 min)"
	@echo "make lint        - ruff"
	@echo "make dataset     - regenerate data/jingansi from scripts/build_jingansi.py"
	@echo "make docs        - regenerate docs/schema.md, docs/gaps.md and the tables of docs/data_contract.md"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

system-deps:
	bash scripts/setup-system.sh

demo: install system-deps
	$(BIN)/graphmodel report --out $(OUT)

# The whole suite, Neo4j, the Browser and the wheel test (tests/test_wheel.py: the
# package built, installed outside the checkout and run) included. The server is
# started first (installed on first use) and stopped afterwards whatever the result.
test: install system-deps neo4j-start
	$(BIN)/python -m pytest; status=$$?; \
	$(BIN)/graphmodel server stop >/dev/null 2>&1; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$status

neo4j-install: install
	$(BIN)/graphmodel server install

neo4j-start: install
	$(BIN)/graphmodel server start

neo4j-stop: install
	$(BIN)/graphmodel server stop

neo4j-status: install
	$(BIN)/graphmodel server status

neo4j-load: neo4j-start
	$(BIN)/graphmodel neo4j load

test-fast: install
	$(BIN)/python -m pytest -m "not neo4j and not browser and not wheel"

test-wheel: install neo4j-start
	$(BIN)/python -m pytest -m wheel tests/test_wheel.py

lint: install
	$(BIN)/ruff check graphmodel tests scripts

bench: neo4j-start
	$(BIN)/python bench/run.py --out bench/results.json

dataset: install
	$(BIN)/python scripts/build_jingansi.py

docs: install
	$(BIN)/graphmodel schema --write docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build dist
