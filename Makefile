# Developer and CI entry points. Everything runs from the project venv in .venv/.
#   make install        create .venv and install the project editable with dev extras
#   make test           ruff + mypy + pytest; SQLite unless TEST_DATABASE_URL is set (PYTEST_ARGS=... passed on)
#   make test-postgres  same, against the throwaway PostgreSQL of scripts/postgres-test.sh
#   make run / sandbox  start the bot / the local sandbox
#   make lint           ruff and mypy

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test test-postgres run sandbox lint

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
