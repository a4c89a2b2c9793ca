# Mijn HartingBank — `make run` sets everything up and serves the portal with demo data;
# `make test` runs the whole test suite. Both create the virtual environment themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run setup serve lint test bench bench-accounts crash-drill scale-out messages clean-db

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: export DEBUG ?= 1
setup: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo

## Serve the portal on http://127.0.0.1:$(PORT) with the mail worker beside it.
run: export DEBUG ?= 1
run: setup
	@echo "Mijn HartingBank: http://127.0.0.1:$(PORT)  (mail is written to var/mail/)"
	$(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## Production-style: gunicorn with WORKERS sync workers, DEBUG off, compressed static files
## with long cache headers, the mail worker beside it. Uses the same database as `make run`.
WORKERS ?= 4
serve: export DEBUG = 0
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export EMAIL_URL ?= file:///var/mail
serve: export SECURE_SSL_REDIRECT ?= 0
serve: export SECURE_HSTS_SECONDS ?= 0
# The metrics of gunicorn's workers and the mail worker, summed at /metrics (emptied at start).
serve: export PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/var/metrics
serve: $(VENV)/.runtime
	@test -f var/secret_key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
	mkdir -p "$$PROMETHEUS_MULTIPROC_DIR" && rm -f "$$PROMETHEUS_MULTIPROC_DIR"/*.db
	export SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"; \
	$(PY) manage.py migrate --no-input -v 0 && $(PY) manage.py createcachetable && \
	$(PY) manage.py collectstatic --no-input -v 0 && \
	{ $(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  echo "Mijn HartingBank (production-style): http://127.0.0.1:$(PORT)  health: /health/"; \
	  $(PY) -m gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --log-level warning; }

## Lint and format (ruff.toml), and that no app imports from a floor above it (.importlinter).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/ruff format --no-cache --check .
	$(VENV)/bin/lint-imports --no-cache

## The whole test suite (browser tests included when Chromium is installed), after `make lint`.
test: lint
	$(PY) -m pytest

## Logins against the hash ceiling, pages against a bare view, memory, the SQLite write mix;
## gunicorn and granian compared (report in bench/results/; BENCH_SECONDS per figure).
bench: $(VENV)/.dev
	$(PY) -m bench.suite

## Accountbeheer with 100,000 accounts in one organization and 1,000,000 in all, on SQLite and
## PostgreSQL (report in bench/results/).
bench-accounts: $(VENV)/.dev
	$(PY) -m bench.accounts

## Extract the English catalog (locale/nl is kept by hand: it only rewords Django's texts) and compile both.
messages: export DEBUG ?= 1
messages: $(VENV)/.dev
	cd portal && ../$(PY) ../manage.py makemessages -l en --ignore '*/tests/*'
	$(PY) manage.py compilemessages --ignore '.venv'

clean-db:
	rm -f var/portal.sqlite3 var/portal.sqlite3-wal var/portal.sqlite3-shm

## The crash drill: orders and invitations while gunicorn workers and the mail worker are
## killed at random; counts lost and duplicated mail and partial records (DRILL_SECONDS).
crash-drill: $(VENV)/.dev
	$(PY) -m bench.crash_drill

## The scale-out drill: two app nodes and two mail workers behind HAProxy against PostgreSQL
## and Redis, on loopback; checks sessions, login limits, mail, a node stopped under load, jobs.
scale-out: $(VENV)/.dev
	$(PY) -m bench.scaleout
