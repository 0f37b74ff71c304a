# Portail FSE — two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Local http: browsers drop Secure cookies over plain http; set FSE_COOKIE_SECURE=1 behind https.
FSE_COOKIE_SECURE ?= 0
export FLASK_APP := wsgi
export FSE_COOKIE_SECURE

.PHONY: run install install-dev database test test-postgres browser libreoffice postgresql bench clean

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

## browser: Debian's Chromium for the browser tests (installed when missing and root)
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium absent et pas root : les tests navigateur seront ignorés (échec si CI=true)."; \
	  fi; \
	fi

## libreoffice: Debian's LibreOffice Calc (soffice) for the CSV export tests (installed when missing and root)
libreoffice:
	@if ! command -v soffice >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui; \
	  else \
	    echo "LibreOffice absent et pas root : le test d'export CSV sera ignoré (échec si CI=true)."; \
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
test: install-dev browser libreoffice
	$(BIN)/python -m pytest

## test-postgres: the same suite on a throwaway PostgreSQL started and stopped by the tests
test-postgres: install-dev browser libreoffice postgresql
	FSE_TEST_POSTGRES=1 $(BIN)/python -m pytest

## bench: speed and weight figures (README, « Performance »)
bench: install-dev
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) test-artifacts *.egg-info
