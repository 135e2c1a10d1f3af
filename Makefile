# Two commands on a fresh machine: `make up` (the whole stack with demo data) and `make test`.
# Each makes its own virtual environment from pyproject.toml, pinned by constraints.txt.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test test-postgres browser screenshots lint reliability bench bench-gates bench-quota bench-reminders bench-inbox bench-search bench-dashboard bench-render bench-workers clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)
	$(BIN)/passage up

test: $(STAMP) browser
	$(BIN)/pytest

# The suite again on the PostgreSQL at PGHOST:PGPORT (default 127.0.0.1:5432), in throwaway databases.
test-postgres: $(STAMP)
	bash .ci/postgres-pass

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used). As root,
# install it when it is missing; otherwise the browser tests fail saying how to install it.
browser:
	@test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# One PNG per inbox page in English and in Dutch (docs/screenshots/en/, nl/), from a fresh `passage up` with demo data.
screenshots: $(STAMP) browser
	$(BIN)/python -m tests.e2e.screenshots docs/screenshots

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

# The fault tests at the issue's scale (50 cases parked when Prefect is killed; a burst of 500 gates),
# then their figures as the README's Reliability table. `make test` runs the same tests smaller.
RELIABILITY_CASES ?= 50
RELIABILITY_BURST_CASES ?= 167
RELIABILITY_FIGURES := $(CURDIR)/.passage/reliability.json

reliability: $(STAMP)
	mkdir -p .passage && rm -f $(RELIABILITY_FIGURES)
	PASSAGE_RELIABILITY_FIGURES=$(RELIABILITY_FIGURES) \
	PASSAGE_RELIABILITY_OUTAGE_CASES=$(RELIABILITY_CASES) \
	PASSAGE_RELIABILITY_BURST_CASES=$(RELIABILITY_BURST_CASES) \
	$(BIN)/pytest tests/reliability --timeout 3600
	$(BIN)/python -m tests.reliability.report $(RELIABILITY_FIGURES)

# Benchmarks print Markdown tables (copied into the README with the machine they ran on).
bench: bench-gates bench-quota bench-reminders bench-inbox bench-search bench-dashboard bench-render bench-workers

bench-gates: $(STAMP)
	$(BIN)/python -m bench.gates

bench-quota: $(STAMP)
	$(BIN)/python -m bench.quota_year

bench-reminders: $(STAMP)
	$(BIN)/python -m bench.reminders

bench-inbox: $(STAMP)
	$(BIN)/python -m bench.inbox_query

# 1,000,000 cases on SQLite and on PostgreSQL at 127.0.0.1:5432 (skipped, saying why, where none answers).
bench-search: $(STAMP)
	$(BIN)/python -m bench.case_search

bench-dashboard: $(STAMP)
	$(BIN)/python -m bench.dashboard

bench-render: $(STAMP) browser
	$(BIN)/python -m bench.inbox_render

# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth): Prefect's server and the app database on it.
bench-workers: $(STAMP)
	$(BIN)/python -m bench.workers

clean:
	rm -rf $(VENV) .passage
