# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON_BIN := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker serve test test-pg bench accuracy lint install install-dev browser clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed ocr
	@scripts/ensure-pdf
install-dev: $(VENV)/.installed-dev

browser:
	@scripts/ensure-chromium
	@scripts/ensure-pdf

# Scans are read by Debian's tesseract with its Simplified-Chinese model (docs/ocr.md).
.PHONY: ocr
ocr:
	@scripts/ensure-ocr

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py calendar load
	$(PY) manage.py load_demo
	@echo ""
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)
	@echo ""
	scripts/with-worker $(PY) manage.py runserver $(HOST):$(PORT)

# The background worker alone (task queue and daily jobs; production runs it beside `serve`).
worker: install
	$(PY) manage.py worker

# Production: DEBUG=0 (set SECRET_KEY, PERSONAL_DATA_KEYS, PERSONAL_DATA_SEARCH_KEY, ALLOWED_HOSTS,
# DATABASE_URL, REDIS_URL yourself; docs/security.md).
# granian, one process per core with two threads (as the portal bench measures it); it
# serves the collected static files itself.
serve: install
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	DEBUG=0 $(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $$(nproc) --blocking-threads 2 --log-level warning \
		--static-path-route /static --static-path-mount $${GONGKAI_VAR:-var}/static \
		gongkai.wsgi:application

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# -n auto: one pytest worker per core (pytest-xdist), each with its own test database.
test: install-dev browser ocr lint
	REDIS_URL= $(VENV)/bin/pytest -p no:cacheprovider -n auto

# The database-touching tests again, against PostgreSQL (used by .ci/run), browser walks
# included.
test-pg: install-dev browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai} \
		$(VENV)/bin/pytest -p no:cacheprovider -n auto -m django_db

# The benchmarks fill the database DATABASE_URL names (migrated, calendar loaded here).
bench: install-dev
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py calendar load
	$(PY) -m gongkai.bench

# The public 年报体检 page's readers against 1,000+ mutated and crafted files (bombs
# included), each read as the page reads it; figures in var/fuzz/results.json (issue 13).
.PHONY: fuzz
fuzz: install-dev
	$(PY) -m gongkai.reports.fuzz --count $${FUZZ_COUNT:-1000}

# Annual-report reading accuracy per layout failure class, over the corpus with truth files
# (the scan class renders, degrades and OCRs each report: about 20 s a report the first time,
# then cached in var/accuracy/; `make accuracy ARGS=--no-scan` leaves it out).
accuracy: install
	$(PY) -m gongkai.reports.accuracy $(ARGS)

	$(PY) -m gongkai.reports.accuracy

clean:
	rm -rf $(VENV) var
