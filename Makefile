# Partnerportal — `make run` starts the demo, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?= auto

.PHONY: setup db run serve test lint typecheck format worker messages check ci clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

db: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable

run: db
	$(PY) manage.py load_demo
	scripts/run.sh

# The production process set on PostgreSQL and Redis (README "Production-like run"); needs DATABASE_URL.
serve: setup
	scripts/serve.sh

worker: setup
	$(PY) manage.py db_worker

test: setup
	$(PY) -m pytest -n $(JOBS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# mypy with django-stubs; what is checked how is configured in pyproject.toml.
typecheck: setup
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: setup
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Re-extract and compile translations after changing UI strings (needs GNU gettext).
messages: setup
	$(PY) manage.py makemessages -l de -l en --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l de -l en --ignore=.venv --ignore=staticfiles --ignore=static/vendor --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var staticfiles test-output .pytest_cache
