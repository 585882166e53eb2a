# trial-edc — `make run` serves the demo, `make test` runs every check and test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# the installed set is the dev lock file's: a new lock (make lock) installs again
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements-dev.lock | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo-code install lock messages run worker beat test lint format migrations-check stop-db benchmarks clean

## Every package from requirements-dev.lock (exact versions, checked hashes), then the
## project itself, editable, adding nothing.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## The lock files from pyproject.toml: requirements.lock (the image: dependencies and the
## sentry extra) and requirements-dev.lock (make, CI: and the dev extra). Pins already in a
## lock file are kept; `make lock LOCK_ARGS=--upgrade` moves the unpinned ones to the newest.
PIP_TOOLS  := $(shell grep -o 'pip-tools==[0-9.]*' pyproject.toml)
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
              --no-emit-find-links $(LOCK_ARGS)
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/pip-compile || $(PY) -m pip install --quiet "$(PIP_TOOLS)"
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) \
	  --extra sentry --output-file requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) \
	  --extra sentry --extra dev --output-file requirements-dev.lock pyproject.toml

## The Simplified Chinese catalogue: collect every message of the code and templates into
## locale/zh_Hans/LC_MESSAGES/django.po, compile the .mo, and list what is still untranslated
## or fuzzy (translate those msgstr, then run it again; see README, Translations).
MESSAGE_DIRS := --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles --ignore=media
messages: install
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) manage.py makemessages -l zh_Hans \
	  --no-location --no-obsolete $(MESSAGE_DIRS)
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) manage.py compilemessages -l zh_Hans \
	  $(MESSAGE_DIRS)
	$(PY) locale/check.py

## The demo: PostgreSQL from $$DATABASE_URL or embedded, migrations, demo data once, server.
## Migrations run as the owner role (DATABASE_OWNER_URL, or the embedded server's owner),
## the demo data and the server as the runtime role (DATABASE_URL).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "trial-edc serves at http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

## A Celery worker and beat, for when REDIS_URL is set (else tasks run in the web process).
worker: install
	$(VENV)/bin/celery -A trial_edc worker --loglevel=INFO
beat: install
	$(VENV)/bin/celery -A trial_edc beat --loglevel=INFO

## Everything CI checks: lint, formatting, migrations in step with models, the test suite.
test: install lint migrations-check
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) manage.py makemigrations --check --dry-run

stop-db:
	$(PY) -m trial_edc.database stop

benchmarks: install
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/audit_chain.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/enrollment_pages.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/pdf_listing.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/efficacy_summary.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/data_management.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/reminders.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/lab_grading.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/exports.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/odm.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/casebook.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/crf_save.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/pages.py
	DJANGO_SETTINGS_MODULE=trial_edc.settings.test $(PY) benchmarks/load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

## The current authenticator code of a demo signer: make demo-code U=investigator
demo-code: install
	@$(PY) manage.py demo_code $(U)
