# Quick start: `make demo` (set up, then run the main job on the built-in city) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## setup: system packages (FRR for config checks) and the project in .venv
setup: $(STAMP)
	@scripts/install-system-packages.sh

## demo: validate the city's inventory, render every device's intended configuration, draw the fiber map
demo: setup
	$(BIN)/muronet validate
	$(BIN)/muronet render
	$(BIN)/muronet topology
	@echo "Intended configurations are in build/configs/ (secrets masked); the fiber map is build/topology/fiber.mmd."

## test: the whole test suite (lint included)
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

## bench: rendering speed on a generated 10,000-device city, side by side with Ansible
bench: setup
	$(BIN)/python bench/render_bench.py

clean:
	rm -rf build .pytest_cache .ruff_cache
