# One-line entry points; README and CI call these.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv

.PHONY: demo setup setup-dev run worker beat test test-suite test-fast lint format bench clean

## demo: install, create the SQLite database, load demo data and serve http://127.0.0.1:8000
demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	$(PY) -m venv $(VENV)

$(UV): $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

setup: $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/base.txt

setup-dev: $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/base.txt -r requirements/dev.txt
	@scripts/ensure_chromium.sh

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:8000

worker: setup
	$(BIN)/celery -A config worker -Q celery,board_packs --loglevel=INFO

beat: setup
	$(BIN)/celery -A config beat --loglevel=INFO

## test: install everything (Debian's Chromium too) and run the whole suite
test: setup-dev
	@$(MAKE) --no-print-directory test-suite

# The whole suite in two passes: every test but the timing-sensitive ones spread over one process
# per core (pytest-xdist; PYTEST_WORKERS=1 for one), then those (marked `serial` or `broker`: they time
# themselves or start their own servers) alone, so a busy sibling process cannot make them fail.
# Both passes always run; exit status 5 is a pass that PYTEST_ARGS (e.g. a folder) left with no test.
PYTEST_WORKERS ?= auto

## test-suite: the whole suite without installing anything (CI adds PYTEST_ARGS=--create-db)
test-suite:
	status=0; \
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not (serial or broker)" $(PYTEST_ARGS) \
		|| [ $$? = 5 ] || status=1; \
	$(BIN)/python -m pytest -m "serial or broker" $(PYTEST_ARGS) || [ $$? = 5 ] || status=1; \
	exit $$status

## bench: national-scale benchmarks on PostgreSQL (builds the data if missing); figures into docs/performance.md
bench: setup-dev
	$(BIN)/python bench/run.py

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .test-media
