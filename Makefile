# Portail FSE — two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Local http: browsers drop Secure cookies over plain http; set FSE_COOKIE_SECURE=1 behind https.
FSE_COOKIE_SECURE ?= 0
export FLASK_APP := wsgi
export FSE_COOKIE_SECURE

.PHONY: run install install-dev database test test-postgres test-tools postgresql lighthouse bench bench-tools bench-extra soak clean

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

## run: install everything, prepare the database and serve with gunicorn: app/gunicorn_conf.py (2 workers
## × 4 threads, FSE_WORKERS/FSE_THREADS; README, « Production »), plain http on 127.0.0.1 (FSE_COOKIE_SECURE=0)
run: database
	@echo ""
	@echo "  Portail FSE : http://127.0.0.1:$(PORT)"
	@echo "  Comptes et cartes de démonstration : README.md, « Comptes de démonstration »"
	@echo ""
	PORT=$(PORT) $(BIN)/gunicorn -c python:app.gunicorn_conf wsgi:app

## test-tools: what the tests drive, from Debian's packages, installed when missing and root, in one
## apt-get run: Chromium (browser tests), LibreOffice Calc (the CSV read as a French spreadsheet does),
## poppler (the text, fonts and pages of the PDFs), npm (for axe-core); then axe-core itself from npm
test-tools:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Absents et pas root :$$missing — les tests qui en ont besoin sont ignorés (échec si CI=true)."; \
	  fi; \
	fi
	@$(MAKE) --no-print-directory --silent $(AXE)

## axe-core for tests/browser/test_accessibility_browser.py, from npm at the versions of its lock file
## (`npm ci`, again whenever the lock file changes); node_modules/ is not in git
AXE_DIR := tests/browser/axe
AXE     := $(AXE_DIR)/node_modules/axe-core/axe.min.js
$(AXE): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(AXE_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/axe-core/axe.min.js; \
	else \
	  echo "npm absent : le test d'accessibilité (axe-core) est ignoré (échec si CI=true)."; \
	fi

## lighthouse: Lighthouse's mobile scores of the login and FSE pages through gunicorn (README, « Accessibilité »);
## npm's lighthouse pinned in bench/lighthouse/package-lock.json, Debian's Chromium. Not a test, not in CI.
lighthouse: install-dev test-tools
	$(BIN)/python bench/lighthouse/run.py --json bench/lighthouse/results.json

## postgresql: Debian's PostgreSQL server binaries for test-postgres (installed when missing and root)
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else \
	    echo "PostgreSQL absent et pas root : installez le paquet « postgresql »." >&2; exit 1; \
	  fi; \
	fi

## Test workers (pytest-xdist): one per core, at least 2 (the suite waits on Chromium, gunicorn and the
## database as much as on the CPU), at most 4; each worker has its own SQLite file or its own PostgreSQL
## (tests/conftest.py); a file's tests stay on one worker (--dist loadfile). TEST_WORKERS=0 runs in-process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; [ $$n -gt 4 ] && n=4; echo $$n)
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

## test: the whole suite on SQLite, browser tests included
test: install-dev test-tools
	$(BIN)/python -m pytest $(XDIST)

## test-postgres: the same whole suite, browser tests included, on throwaway PostgreSQL servers started
## and stopped by the tests (one per worker)
test-postgres: install-dev test-tools postgresql
	FSE_TEST_POSTGRES=1 $(BIN)/python -m pytest $(XDIST)

## bench: the portal under load through gunicorn, driven by wrk (README, « Performance »): 16 signed-in
## sessions then one alone, a bare route as the ceiling in the same run; prints the table and the targets,
## writes bench/results.json. `make bench ARGS=--postgres` on a throwaway PostgreSQL (results-postgres.json).
bench: install-dev bench-tools
	$(BIN)/python bench/bench.py $(ARGS)

## bench-tools: wrk from Debian's packages (PostgreSQL's too with ARGS=--postgres), installed when missing and root
bench-tools:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "wrk absent et pas root : installez le paquet « wrk »." >&2; exit 1; \
	  fi; \
	fi
	@case " $(ARGS) " in *" --postgres "*) $(MAKE) --no-print-directory postgresql ;; esac

## bench-extra: in-process figures (README, « Performance »): CCAM autocomplete and page sizes, « Historique
## FSE » with 50,000 FSE and its query plans, the registry import of 100,000 members (SQLite and PostgreSQL);
## and the FSE page's weight on the wire with its assets, through gunicorn as `make run` serves it
bench-extra: install-dev
	$(BIN)/python tests/bench/run.py
	$(BIN)/python tests/bench/history_bench.py 50000
	$(BIN)/python tests/bench/registre_bench.py 100000
	$(BIN)/python bench/page_weight.py --json bench/page_weight.json

## soak: two gunicorn servers over one database under a practice's load, a worker killed and the database
## locked (SQLite) or restarted (ARGS=--postgres) mid-run; then every FSE a tablet was told of is checked in
## the database (README, « Soak »). 5 minutes at most; prints `0 lost, 0 duplicated`, writes
## bench/soak-results.json, fails on any loss, duplicate or broken audit chain. Not in .ci/run (too long).
soak: install-dev
	@case " $(ARGS) " in *" --postgres "*) $(MAKE) --no-print-directory postgresql ;; esac
	$(BIN)/python bench/soak.py $(ARGS)

clean:
	rm -rf $(VENV) test-artifacts *.egg-info
