# Quick start: `make demo` (local playground) and `make test` (the whole suite, as CI runs it).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit unit-pg i18n i18n-compile i18n-fold lock bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) i18n-compile

# Translations (docs/translating.md): pybabel extract -> locales/messages.pot, pybabel update -> every
# locales/<lang>/LC_MESSAGES/messages.po, pybabel compile -> messages.mo. Run after changing a user-visible string.
i18n: $(STAMP)
	$(BIN)/python -m bot.kernel.i18n_tools extract update compile

i18n-compile: $(STAMP)
	$(BIN)/python -m bot.kernel.i18n_tools compile >/dev/null

# After merging branches that added locales/<lang>/LC_MESSAGES/<branch>.po: fold them into messages.po.
i18n-fold: $(STAMP)
	$(BIN)/python -m bot.kernel.i18n_tools fold

# Pin the dev venv's exact versions: requirements.lock (runtime, installed by the Dockerfile) and
# requirements-dev.lock (runtime + dev). Run after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m bot.devtools.lockfile

demo: install
	$(BIN)/klasterbot demo $(DEMO_ARGS)

lint: install
	$(BIN)/ruff check bot tests $(wildcard bench)
	$(BIN)/python -m bot.kernel.i18n_tools check   # template current, no fuzzy/untranslated entry (plurals too), msgfmt -c
	$(BIN)/hadolint Dockerfile
	$(BIN)/lint-imports   # the layering: kernel imports no feature, no Telegram below handlers, no feature cycles

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest -q

# The storage and end-to-end suites again on a throwaway PostgreSQL server (tests/support/pghalf.py). Without
# PostgreSQL's binaries it says "PostgreSQL half skipped" and passes, except under CI (CI=true), where it fails.
unit-pg: install
	$(BIN)/python -m tests.support.pghalf

test: lint typecheck unit unit-pg

# BENCH_ARGS=--quick: the whole suite in 2-4 minutes on 2 shared cores.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/demo.db* locales/*/LC_MESSAGES/*.mo
