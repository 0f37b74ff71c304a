# Portail FSE — two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Local http: browsers drop Secure cookies over plain http; set FSE_COOKIE_SECURE=1 behind https.
FSE_COOKIE_SECURE ?= 0
export FLASK_APP := wsgi
export FSE_COOKIE_SECURE

.PHONY: run install install-dev database test test-postgres test-postgres-all test-tools postgresql bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

## database: migrate, then load the reference data and the demo data only into an empty database
database: install
	$(BIN)/flask db upgrade
	$(BIN)/flask referentiel import --si-vide
	@if [ "$${FSE_ENV:-development}" != "production" ]; then $(BIN)/flask demo seed; fi

## run: install everything, prepare the database and serve with gunicorn (2 workers)
run: database
	@echo ""
	@echo "  Portail FSE : http://127.0.0.1:$(PORT)"
	@echo "  Comptes et cartes de démonstration : README.md, « Comptes de démonstration »"
	@echo ""
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

## test-tools: what the tests drive, from Debian's packages, installed when missing and root, in one
## apt-get run: Chromium (browser tests), LibreOffice Calc (the CSV read as a French spreadsheet does),
## poppler (the text, fonts and pages of the PDFs)
test-tools:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Absents et pas root :$$missing — les tests qui en ont besoin sont ignorés (échec si CI=true)."; \
	  fi; \
	fi

## postgresql: Debian's PostgreSQL server binaries for test-postgres (installed when missing and root)
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else \
	    echo "PostgreSQL absent et pas root : installez le paquet « postgresql »." >&2; exit 1; \
	  fi; \
	fi

## test: the whole suite on SQLite, browser tests included
test: install-dev test-tools
	$(BIN)/python -m pytest

## test-postgres: the same suite on a throwaway PostgreSQL started and stopped by the tests
## test-postgres: every test but the tablet-layout browser runs, on PostgreSQL; the browser tests that
## run the caisse's whole loop end to end run there too (CI's 15 minutes: the layout variants, 4 minutes,
## run on SQLite only; `make test-postgres-all` runs every one on PostgreSQL)
test-postgres: install-dev test-tools postgresql
	FSE_TEST_POSTGRES=1 $(BIN)/python -m pytest -m "not browser"
	FSE_TEST_POSTGRES=1 $(BIN)/python -m pytest tests/browser/test_caisse_loop_browser.py tests/browser/test_caisse_fses_browser.py

test-postgres-all: install-dev test-tools postgresql
	FSE_TEST_POSTGRES=1 $(BIN)/python -m pytest

## bench: speed and weight figures (README, « Performance »)
bench: install-dev
	$(BIN)/python tests/bench/run.py
	$(BIN)/python tests/bench/history_bench.py 50000
	$(BIN)/python tests/bench/registre_bench.py 100000

clean:
	rm -rf $(VENV) test-artifacts *.egg-info
