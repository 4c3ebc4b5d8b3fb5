# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
DEMO_ACCOUNTS ?= 20000
DEMO_SEED ?= 2026

.PHONY: run test install lint format screenshots bench worker clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --if-empty
	DEBUG=$${DEBUG:-1} $(PY) manage.py train_risk_model --if-none
	DEBUG=$${DEBUG:-1} $(PY) manage.py demo_logins
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Regenerates the user guide's screenshots (docs/guia/img) from the browser tests.
screenshots: install
	MORA_SCREENSHOTS=1 $(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A config worker -l info

bench: install
	$(PY) bench/seed_demo.py 20000
	$(PY) bench/portfolio_dashboard.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* .pytest_cache .ruff_cache
