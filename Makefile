# USINT Dash. `make run` serves the demo on http://127.0.0.1:8050; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
TEST_WORKERS ?= 2

.PHONY: run test bench lint format browser-deps clean-instance

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt $(VENV)/.requirements
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: serve the app with gunicorn on 127.0.0.1:8050, signed in as the demo user
run: $(VENV)/.requirements
	USINT_DEV_USER=$${USINT_DEV_USER-demo} $(BIN)/gunicorn -c gunicorn.conf.py dashboard:application

## browser-deps: Debian chromium and chromium-driver for the browser tests (installed when root)
browser-deps:
	@if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium/chromedriver missing: install Debian chromium and chromium-driver" >&2; exit 1; fi; \
	fi

## test: the whole suite (unit, data layer, callbacks, API, CLI, browser) in TEST_WORKERS processes (pytest-xdist;
## a module's tests run on one, see tests/conftest.py; TEST_WORKERS=0 runs them in this one)
test: $(VENV)/.requirements-dev browser-deps
	$(BIN)/pytest -q --headless -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## bench: the benchmarks of tests/benchmarks/, figures printed and written to bench-results/
bench: $(VENV)/.requirements-dev
	$(BIN)/python -m tests.benchmarks

## lint: ruff check and format check
lint: $(VENV)/.requirements-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.requirements-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-instance:
	rm -rf instance/usint.db* instance/ocat_demo.db* instance/logs instance/obs_ss instance/.init.lock
