# The two commands: `make run` (demo portal on SQLite) and `make test` (the suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format serve bench clean

$(VENV)/.installed: requirements.txt requirements-validation.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-validation.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Fresh machine to a running portal with demo data, on SQLite, tasks in-process.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Het portaal draait op http://$(HOST):$(PORT)/ (stoppen met Ctrl+C)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: lint, migration check, unit/integration tests, browser journeys.
# On PostgreSQL + Redis when DATABASE_URL / CELERY_BROKER_URL are set, SQLite otherwise.
test: install lint
	DJANGO_SETTINGS_MODULE=beware.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production-like: gunicorn + Celery worker + beat against DATABASE_URL and CELERY_BROKER_URL.
serve: install
	DJANGO_SETTINGS_MODULE=beware.settings.production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=beware.settings.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=beware.settings.production sh -c '\
	  $(VENV)/bin/celery -A beware worker --loglevel=INFO --concurrency=2 & worker=$$!; \
	  $(VENV)/bin/celery -A beware beat --loglevel=INFO --schedule=$${CELERY_BEAT_SCHEDULE:-/tmp/beware-celerybeat} & beat=$$!; \
	  trap "kill $$worker $$beat" EXIT INT TERM; \
	  $(VENV)/bin/gunicorn beware.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -'

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
