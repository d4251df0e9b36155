# Two commands for a newcomer: `make build` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test serve bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

build: $(STAMP)
	$(BIN)/spacecoop build

test: $(STAMP)
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/spacecoop serve

# 100k and 1M triples by default; BENCH_ARGS="--sizes 10m" for the largest graph.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf dist .spacecoop .pytest_cache build
