# Styrsystem: `make run` starts the demo, `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install migrate seed clean chromium poppler backup restore bench loadtest

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' || \
		{ echo "Python 3.11 eller senare behövs (hittade $$($(PYTHON) --version))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
		{ echo "Kunde inte skapa $(VENV). På Debian: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty

# The report worker (django-tasks-db's db_worker) runs beside the web server and stops with it:
# PDF reports are made in the background, never in a web request.
run: seed
	@echo "Styrsystem körs på http://$(HOST):$(PORT)/ (logga in som t.ex. namnd / demo). Avsluta med Ctrl+C."
	@echo "Rapporterna skapas av en bakgrundsprocess (manage.py db_worker) som startar och stoppas med servern."
	site_host=$(HOST); case "$$site_host" in 0.0.0.0|::|"[::]") site_host=$$(hostname -f);; esac; \
	export SITE_URL=$${SITE_URL:-http://$$site_host:$(PORT)}; \
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# lint-imports holds the layers of pyproject.toml ([tool.importlinter]): a back-pointing
# import fails like a lint error.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The browser tests drive Debian's Chromium; Playwright never downloads a browser.
chromium:
	@[ -x /usr/bin/chromium ] || { \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y chromium; }

# The report tests read the PDFs with pypdf and leave PNGs of the demo's municipality report
# in reports-out/ (pdftoppm from poppler-utils); the reports print in DejaVu Sans. WeasyPrint
# subsets fonts with HarfBuzz-Subset (libharfbuzz-subset0) when present, fontTools (~0.4 s more
# per document, i.e. per report part) otherwise.
poppler:
	@[ -x /usr/bin/pdftoppm ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && \
		dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || { \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y poppler-utils fonts-dejavu-core \
			libharfbuzz-subset0; }

# Browser tests flush the database (live_server), so they run in a pytest process of their own.
test: lint chromium poppler
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n auto
	$(BIN)/pytest -m serial goals/tests/serial reporting/tests/test_parts.py
	$(BIN)/pytest -m browser goals/tests/browser

# Backup: the database and the generated files in backups/styrsystem-YYYYMMDD-HHMMSS.tar.gz.
# Restore: make restore FILE=backups/styrsystem-….tar.gz (YES=1 to overwrite a database with
# content). DEBUG defaults to 1 only so that the commands run without SECRET_KEY locally.
# On PostgreSQL (DATABASE_URL postgres://…) they need pg_dump/pg_restore and install Debian's
# postgresql-client when those are missing; its major version must be the server's or newer.
PG_CLIENT = case "$${DATABASE_URL:-}" in postgres*|pgsql*|postgis*) \
	command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || { \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y postgresql-client; } ;; esac

backup: $(STAMP)
	@$(PG_CLIENT)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py backup

restore: $(STAMP)
	@[ -n "$(FILE)" ] || { echo "Ange säkerhetskopian: make restore FILE=backups/styrsystem-….tar.gz"; exit 1; }
	@$(PG_CLIENT)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py restore "$(FILE)" $(if $(YES),--yes)

# Timings (not part of `make test`), JSON in bench/results/: the demo's reports (pages,
# seconds, peak memory, WeasyPrint's own share); the main pages' queries at demo and large
# scale and their server time at large scale beside a trivial view (the large municipality is
# cached in bench/.cache/; BENCH_DATABASE_URL=postgres://… measures on PostgreSQL); the
# import's answer to the worst files under the upload limit (seconds, memory above rest);
# report parts when bench/report_parts.py exists.
bench: $(STAMP)
	DEBUG=1 $(BIN)/python bench/reports.py
	$(BIN)/python bench/pages.py
	DEBUG=1 $(BIN)/python bench/imports.py
	@if [ -f bench/report_parts.py ]; then echo "DEBUG=1 $(BIN)/python bench/report_parts.py"; \
		DEBUG=1 $(BIN)/python bench/report_parts.py; fi

# Load test (not part of `make test`): the deadline day on a fresh copy of the large
# municipality on PostgreSQL (LOADTEST_DATABASE_URL, default styrsystem_loadtest on 127.0.0.1),
# gunicorn with 4 workers and 2 report workers, production-like settings: 100 locust users with
# write journeys for 5 minutes, the publication burst of every committee, the lost-update check;
# each figure beside its target, JSON in bench/results/. Locust lives in .venv-bench.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): requirements-bench.txt
	@$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

loadtest: $(STAMP) $(BENCH_STAMP)
	bash bench/loadtest.sh

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
