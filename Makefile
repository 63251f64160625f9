# Helpline: `make demo` runs the product with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench lint install install-test schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

demo: install
	$(BIN)/helpline migrate --noinput
	$(BIN)/helpline demo
	$(BIN)/helpline run

test:
	bash scripts/test.sh

bench: install-test
	bash scripts/bench.sh

lint: install-test
	$(BIN)/ruff check src tests bench

schema: install
	$(BIN)/helpline export_openapi > docs/openapi.json
