# Kesip — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-browser lint messages setup demo clean bench

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

run: setup
	@echo "Kesip: http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest -m "not browser"

test-browser: $(STAMP)
	$(BIN)/pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff check kesip
	$(BIN)/ruff format --check kesip
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py i18n check
	$(PY) manage.py spectacular --validate --fail-on-warn > /dev/null

messages: $(STAMP)
	$(PY) manage.py i18n update
	$(PY) manage.py i18n compile

bench: $(STAMP)
	$(BIN)/pytest -m "not browser" -k query_budget -v

clean:
	rm -rf $(VENV) var
