# Developer and CI entry points. Everything runs from the project venv in .venv/.
#   make install        create .venv and install the project editable with dev extras
#   make test           ruff + mypy + pytest; SQLite unless TEST_DATABASE_URL is set (PYTEST_ARGS=... passed on)
#   make test-postgres  same, against the throwaway PostgreSQL of scripts/postgres-test.sh
#   make run / sandbox  start the bot / the local sandbox
#   make lint           ruff and mypy
#   make fuzz           the long property-based fuzz run (FUZZ_ACTIONS actions, default 100000)
#   make translations   extract bot/texts.py into the catalogs, then compile them (docs/translation.md)

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
PYTEST_ARGS ?=
FUZZ_ACTIONS ?= 100000

.PHONY: install test test-postgres run sandbox lint fuzz translations translations-compile

install: $(STAMP)

# Re-install only when pyproject.toml is newer than the stamp (or the venv is missing).
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -e ".[dev]"
	touch $@

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest $(PYTEST_ARGS)

# The script prints the database URL on stdout (its progress goes to stderr).
test-postgres: install
	url="$$(bash scripts/postgres-test.sh start)" && TEST_DATABASE_URL="$$url" $(MAKE) test

run: install
	$(VENV)/bin/fellowship run

sandbox: install
	$(VENV)/bin/fellowship sandbox

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# At least FUZZ_ACTIONS random actions by four people (tests/test_fuzz.py); progress lines
# go to fuzz.log as it runs, the totals are printed at the end.
fuzz: install
	FUZZ_ACTIONS=$(FUZZ_ACTIONS) FUZZ_LOG=fuzz.log $(PY) -m pytest -q -x -s -p no:cacheprovider tests/test_fuzz.py

# Translations (docs/translation.md). `translations` re-extracts every text in bot/texts.py
# into bot/locale/messages.pot and merges it into each language's .po (new texts appear
# untranslated, changed ones "fuzzy"); fill those in, then `translations-compile` writes the
# .mo files that ship in the package (commit both). tests/test_translations.py checks them.
LOCALES := bot/locale
translations: install
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg -o $(LOCALES)/messages.pot --no-wrap --sort-by-file \
		--project fellowship-bot --copyright-holder "fellowship-bot contributors" .
	$(VENV)/bin/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-wrap --ignore-obsolete
	$(MAKE) translations-compile

translations-compile: install
	$(VENV)/bin/pybabel compile -d $(LOCALES) --statistics

