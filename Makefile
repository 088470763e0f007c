# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON_BIN := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker serve test test-pg test-pg-all faults bench accuracy lint install install-dev browser clean

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

# Production: DEBUG=0, web server (granian) and worker together (scripts/serve; WORKER=0
# for the web server only). Set SECRET_KEY, PERSONAL_DATA_KEYS, PERSONAL_DATA_SEARCH_KEY,
# ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and S3_* yourself (docs/deploy.md).
serve: install
	PY=$(PY) HOST=$(HOST) PORT=$(PORT) scripts/serve

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# -n auto: one pytest worker per core (pytest-xdist), each with its own test database.
# The fault tests (`make faults`: processes killed, PostgreSQL cut off) are left out to keep
# the CI run under 15 minutes; run them before a release and report their figures.
test: install-dev browser ocr lint
	REDIS_URL= $(VENV)/bin/pytest -p no:cacheprovider -n auto -m "not faults" --durations=25

# The database-touching tests again, against PostgreSQL (used by .ci/run). The browser
# walks run once, in `make test`: they test pages and steps, which do not depend on the
# database, and the concurrency, locking and query tests they would repeat run here.
# The `one_round` tests run once too, in `make test`: they spawn processes or servers for
# tens of seconds, and what they add to the other tests does not depend on the database
# (each mark says why). `make test-pg-all` includes both.
test-pg: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai} \
		$(VENV)/bin/pytest -p no:cacheprovider -n auto \
		-m "django_db and not browser and not one_round and not faults" --durations=25

test-pg-all: install-dev browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai} \
		$(VENV)/bin/pytest -p no:cacheprovider -n auto -m django_db

# The fault tests alone (processes killed with -9, PostgreSQL cut off, two app processes
# sharing sessions and files); not in `make test` (see above). Figures
# (tried / survived / lost) in var/faults/results.json.
faults: install-dev
	$(VENV)/bin/pytest -p no:cacheprovider -m faults -v

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

clean:
	rm -rf $(VENV) var
