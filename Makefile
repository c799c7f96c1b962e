# Developer and CI entry points. GNU make.
#
#   make run     set up .venv, migrate, seed the demo company if the database is empty, serve with a job worker
#   make test    lint, then the pytest suite (PYTEST_ARGS="-k foo -x" passes options through); with npm
#                present, first installs the OpenID Connect provider the sign-in tests run (tests/oidc)
#   make test-fast  the suite without the browser and multi-instance tests, no lint: for quick local loops
#   make lint    ruff check
#   make bench   build (or restore) synthetic companies of two shapes at 10,000 and 100,000 loops, measure the budgets, write bench/RESULTS.md (long; python -m bench --quick is short)
#   make clean   remove .venv and caches (never instance/, which holds your database)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
LDCONFIG := $(or $(shell command -v ldconfig 2>/dev/null),/sbin/ldconfig)
NPM := $(shell command -v npm 2>/dev/null)
# The OpenID Connect provider the sign-in tests run (tests/oidc); npm stamps its install with this file.
OIDC_MODULES := tests/oidc/node_modules/.package-lock.json

DEMO_LOGINS := admin@demo.test recruiter@demo.test hm@demo.test barraiser@demo.test interviewer@demo.test shadow@demo.test
DEMO_PASSWORD := raise-the-bar-demo

.PHONY: help venv dev-venv oidc-provider run test test-fast lint bench clean

help:
	@echo "make run    - migrate, seed the demo company if empty, serve on http://$(HOST):$(PORT)"
	@echo "make test   - ruff check, then pytest (PYTEST_ARGS=... to pass options)"
	@echo "make test-fast - pytest without the browser and multi-instance tests"
	@echo "make lint   - ruff check ."
	@echo "make bench  - measure the performance budgets on SQLite and PostgreSQL, write bench/RESULTS.md"
	@echo "make clean  - remove .venv and caches (keeps instance/)"

venv: $(STAMP)

dev-venv: $(DEV_STAMP)

$(PY):
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  rm -rf $(VENV); exit 1; }

$(STAMP): requirements.txt | $(PY)
	@if ! $(LDCONFIG) -p | grep -q 'libpango-1.0.so' || ! $(LDCONFIG) -p | grep -q 'libpangoft2-1.0.so'; then \
	  echo "WeasyPrint (PDF debriefs) needs Pango, which is not installed. Install it with:" >&2; \
	  echo "  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" >&2; \
	  exit 1; fi
	@if ! $(LDCONFIG) -p | grep -q 'libharfbuzz-subset.so.0'; then \
	  echo "WARNING: libharfbuzz-subset.so.0 is missing; PDFs will render about 10x slower." >&2; \
	  echo "  sudo apt-get install libharfbuzz-subset0" >&2; fi
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# Without npm the sign-in provider's tests skip (CI installs it and requires them).
oidc-provider: $(if $(NPM),$(OIDC_MODULES))

$(OIDC_MODULES): tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error

run: venv
	@mkdir -p instance
	$(FLASK) db upgrade
	@if out=$$($(FLASK) seed-demo 2>&1); then \
	  printf '%s\n' "$$out"; \
	elif grep -q 'already has users' <<<"$$out"; then \
	  echo "The database already has users; not seeding. Demo logins (if it was seeded), password $(DEMO_PASSWORD):"; \
	  for login in $(DEMO_LOGINS); do echo "  $$login"; done; \
	else \
	  printf '%s\n' "$$out" >&2; exit 1; \
	fi
	@echo "Starting the background worker (mail, reminders, debrief PDFs); its log is instance/worker.log."
	@$(PY) -m huey.bin.huey_consumer app.jobs.tasks.huey -w 2 -k thread >instance/worker.log 2>&1 & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r app

test: lint oidc-provider
	$(PY) -m pytest tests $(PYTEST_ARGS)

test-fast: dev-venv oidc-provider
	$(PY) -m pytest tests --ignore=tests/browser --ignore=tests/test_multi_instance.py $(PYTEST_ARGS)

bench: dev-venv
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/oidc/node_modules
	find . -path ./instance -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
