# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON_BIN := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-pg bench lint install install-dev browser clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

browser:
	@scripts/ensure-chromium

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py calendar load
	$(PY) manage.py load_demo
	@echo ""
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# -n auto: one pytest worker per core (pytest-xdist), each with its own test database.
test: install-dev browser lint
	REDIS_URL= $(VENV)/bin/pytest -p no:cacheprovider -n auto

# The database-touching tests again, against PostgreSQL (used by .ci/run), browser walks
# included.
test-pg: install-dev browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai} \
		$(VENV)/bin/pytest -p no:cacheprovider -n auto -m django_db

bench: install-dev
	$(PY) -m gongkai.bench

clean:
	rm -rf $(VENV) var
