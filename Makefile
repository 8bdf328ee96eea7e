# Quick start: `make demo` (local playground) and `make test` (the whole suite, as CI runs it).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit i18n bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) i18n

i18n: $(STAMP)
	$(BIN)/python -m bot.i18n_tools compile >/dev/null

demo: install
	$(BIN)/klasterbot demo $(DEMO_ARGS)

lint: install
	$(BIN)/ruff check bot tests $(wildcard bench)
	$(BIN)/python -m bot.i18n_tools check
	$(BIN)/hadolint Dockerfile

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest -q

test: lint typecheck unit

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/demo.db* locales/*/LC_MESSAGES/*.mo
